/**
 * RSA ODA against test material written by others (../shared/conformance/vectors, read at run
 * time, never copied): proxmark3 SDA / DDA / CDA with real card certificates, the proxmark3 RSA-2048
 * raw-operation pair, and openemv/emv-utils issuer certificates and SDAD. Skipped, with the reason
 * in the suite name, when the directory is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { CapkStore } from './capk.js';
import { RsaOda, SdadKind } from './cert.js';
import { OdaMethod, OdaReason, odaReasonText } from './cert-reasons.js';
import { RsaEngine, RsaKey } from './rsa.js';
import { fromHex, toHex } from '../util/hex.js';

const DIR = new URL('../../../shared/conformance/vectors/', import.meta.url);
const present = existsSync(new URL('proxmark3_emv_oda_tests.json', DIR)) && existsSync(new URL('openemv_emv_utils_rsa.json', DIR));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = (name: string): any => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

function capkOf(c: { rid: string; index: string | number; modulus: string; exponent: string }) {
  return new CapkStore().add({ rid: c.rid, index: c.index, modulus: c.modulus, exponent: c.exponent });
}

/** yyyymmdd for YYMMDD */
const date = (yymmdd: string) => 20000000 + Number(yymmdd);

describe.skipIf(!present)(`conformance vectors${present ? '' : ' (skipped: ../shared/conformance/vectors not found)'}`, () => {
  const pm3 = present ? Object.fromEntries(read('proxmark3_emv_oda_tests.json').tests.map((t: { name: string }) => [t.name, t])) : {};
  const oda = new RsaOda({ issuerCacheSize: 0 });
  const text = (r: number) => odaReasonText(r);

  it('proxmark3 RSA-2048 pair: the public operation undoes the raw private operation', () => {
    const t = pm3['crypto_test.test_pk'];
    const key = RsaKey.from(fromHex(t.inputs.pk_N), fromHex(t.inputs.pk_E));
    const signed = fromHex(t.derived_expected.raw_private_op_m_pow_d_mod_n);
    const out = new Uint8Array(256);
    expect(new RsaEngine().recover(signed, 0, signed.length, key, out, 0)).toBe(true);
    expect(toHex(out)).toBe(t.derived_expected.message_first_256_bytes_hex.toUpperCase());
  });

  it('proxmark3 SDA (Visa CA 01): issuer key, DAC 3132; altered static data fails the SSAD', () => {
    const { inputs: i, derived_expected: d } = pm3.sda_test;
    const setUp = (staticData: string) => {
      oda.reset();
      oda.transactionDate = date('091201');
      oda.pan.set(fromHex(i.pan_5A));
      oda.issuerCert.set(fromHex(i.issuer_cert_90));
      oda.issuerRemainder.set(fromHex(i.issuer_remainder_92));
      oda.issuerExponent.set(fromHex(i.issuer_exponent_9F32));
      oda.ssad.set(fromHex(i.signed_static_app_data_93));
      oda.staticData.set(fromHex(staticData));
    };
    setUp(i.static_data_to_authenticate);
    expect(text(oda.authenticate(OdaMethod.SDA, capkOf(i.capk)))).toBe('ok');
    expect(toHex(oda.issuerKey.modulus, 0, oda.issuerKey.byteLength)).toBe(d.issuer_cert.issuer_pk_modulus.toUpperCase());
    expect(toHex(oda.issuerSerial)).toBe('0042B3');
    expect(toHex(oda.dac)).toBe('3132');
    setUp(i.static_data_to_authenticate.replace(/.$/, (x: string) => (x === '0' ? '1' : '0')));
    expect(text(oda.authenticate(OdaMethod.SDA, capkOf(i.capk)))).toBe(text(OdaReason.HashMismatch));
  });

  it('proxmark3 DDA and CDA (Mastercard CA 05): ICC key, IDN, CID, AC, TDHC', () => {
    const { inputs: i, derived_expected: d } = pm3.dda_test;
    const base = () => {
      oda.reset();
      oda.transactionDate = date('150101');
      oda.pan.set(fromHex(i.pan_5A));
      oda.issuerCert.set(fromHex(i.issuer_cert_90));
      oda.issuerRemainder.set(fromHex(i.issuer_remainder_92));
      oda.issuerExponent.set(fromHex(i.issuer_exponent_9F32));
      oda.iccCert.set(fromHex(i.icc_cert_9F46));
      oda.iccExponent.set(fromHex(i.icc_exponent_9F47));
      if (i.icc_remainder_9F48) oda.iccRemainder.set(fromHex(i.icc_remainder_9F48));
      oda.staticData.set(fromHex(i.static_data_to_authenticate));
    };
    base();
    oda.sdad.set(fromHex(i.signed_dynamic_app_data_9F4B));
    oda.terminalDynamicData.set(fromHex(i.ddol_data));
    expect(text(oda.authenticate(OdaMethod.DDA, capkOf(i.capk)))).toBe('ok');
    expect(toHex(oda.iccKey.modulus, 0, oda.iccKey.byteLength)).toBe(d.icc_cert.icc_pk_modulus.toUpperCase());
    expect(toHex(oda.idn, 0, oda.idnLength)).toBe(d.sdad.icc_dynamic_number_9F4C.toUpperCase());
    oda.transactionDate = date('150701');
    expect(text(oda.authenticate(OdaMethod.DDA, capkOf(i.capk)))).toBe(text(OdaReason.CertificateExpired));

    const c = pm3.cda_test.inputs, cd = pm3.cda_test.derived_expected;
    base();
    oda.sdad.set(fromHex(c.signed_dynamic_app_data_9F4B));
    oda.unpredictableNumber.set(fromHex(c.unpredictable_number_9F37));
    oda.cid.set(fromHex(c.cid_9F27));
    const td = (c.pdol_related_data && c.pdol_related_data !== 'None' ? c.pdol_related_data : '') + c.cdol1_related_data + c.genac_response_tlvs_excluding_9F4B;
    oda.cdaTransactionData.set(fromHex(td));
    expect(text(oda.authenticate(OdaMethod.CDA, capkOf(c.capk)))).toBe('ok');
    expect(oda.cdaCid).toBe(0x40);
    expect(toHex(oda.ac)).toBe('16AFBA13C52FB173');
    expect(toHex(oda.transactionDataHash)).toBe(cd.sdad.cda_transaction_data_hash_code_in_sdad.toUpperCase());
    oda.cid.set(fromHex('80'));
    expect(text(oda.verifySdad(SdadKind.CDA))).toBe(text(OdaReason.CidMismatch));
  });

  it('emv-utils issuer certificates (Visa test CA 94, Mastercard test CA F1) and SDAD with a known ICC key', () => {
    const eu = read('openemv_emv_utils_rsa.json').files;
    for (const name of ['emv_rsa_test', 'emv_rsa_cda_test']) {
      const f = eu[name];
      const icc = Object.fromEntries(f.icc_tlv_lists.valid_icc_data.map((e: { tag: string; value_hex: string }) => [e.tag, e.value_hex]));
      const x = f.expected_outputs.full_issuer_pkey_verify;
      oda.reset();
      oda.transactionDate = date('220506');
      oda.pan.set(fromHex(icc['5A']));
      oda.issuerCert.set(fromHex(f.inputs.valid_issuer_cert));
      if (icc['92']) oda.issuerRemainder.set(fromHex(icc['92']));
      oda.issuerExponent.set(fromHex(icc['9F32']));
      expect(text(oda.recoverIssuerKey(capkOf(f.capk))), name).toBe('ok');
      expect(toHex(oda.issuerKey.modulus, 0, oda.issuerKey.byteLength), name).toBe(x.modulus.toUpperCase());
      if (f.inputs.invalid_issuer_cert) {
        oda.issuerCert.set(fromHex(f.inputs.invalid_issuer_cert));
        expect(oda.recoverIssuerKey(capkOf(f.capk)), name).not.toBe(OdaReason.Ok);
      }
    }
    const f = eu.emv_rsa_test;
    const k = f.expected_outputs.full_icc_pkey_verify;
    oda.reset();
    oda.useIccKey(RsaKey.from(fromHex(k.modulus), fromHex(k.exponent)));
    oda.sdad.set(fromHex(f.inputs.valid_enc_sdad));
    oda.terminalDynamicData.set(fromHex(f.inputs.ddol_data));
    expect(text(oda.verifySdad(SdadKind.DDA))).toBe('ok');
    expect(toHex(oda.idn, 0, oda.idnLength)).toBe(f.expected_outputs.retrieved_sdad.icc_dynamic_number.toUpperCase());
    oda.sdad.set(fromHex(f.inputs.invalid_enc_sdad));
    expect(oda.verifySdad(SdadKind.DDA)).not.toBe(OdaReason.Ok);
  });
});
