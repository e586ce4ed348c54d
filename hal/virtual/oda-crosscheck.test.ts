/**
 * Cross-checks between the card and kernels/oda: the kernel's RSA ODA accepts what the virtual card
 * signs (and rejects the broken personalities with the right reason), and the card's certificates
 * are byte-identical to kernels/oda/rsa-cert-builder's for the same keys and fields.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createCard, loadPersonality } from './personalities.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { CapkStore, RevocationList, RsaOda, OdaMethod, OdaReason } from '../../kernels/oda/index.js';
import { buildIssuerCertificate, buildIccCertificate } from '../../kernels/oda/rsa-cert-builder.js';
import { concatBytes, fromHex, toHex } from '../../kernels/util/hex.js';
import { loadTestCapks } from './pki-store.js';

function keyFile(name: string) {
  const k = JSON.parse(readFileSync(new URL(`../../test-vectors/pki/${name}.json`, import.meta.url), 'utf8')) as { n: string; e: string; d: string };
  return { modulus: fromHex(k.n), exponent: fromHex(k.e), d: BigInt('0x' + k.d) };
}

/** Taps like a terminal and feeds the kernel's ODA (values only, as the kernel would). */
function authenticate(name: string, method: number, ttq = '26000080') {
  const card = createCard(name);
  const t = new TestTerminal(card);
  const tap = t.tap({ ttq, amount: 100, un: '0BADCAFE' });
  const rec: Record<string, string> = {};
  let staticData: Uint8Array = new Uint8Array(0);
  for (const r of tap.records) {
    Object.assign(rec, tags(r.reply.data));
    if (r.oda) staticData = concatBytes(staticData, r.reply.data.slice(r.reply.data[1]! & 0x80 ? 2 + (r.reply.data[1]! & 0x7f) : 2));
  }
  staticData = concatBytes(staticData, fromHex(tap.g['82']!));
  const store = new CapkStore();
  let capk = null;
  for (const c of loadTestCapks()) {
    const e = store.add({ rid: c.rid, index: c.index, modulus: c.modulus, exponent: c.exponent, expiry: c.expiry, checksum: c.checksum });
    if (parseInt(c.index, 16) === parseInt(rec['8F']!, 16)) capk = e;
  }
  const revocations = new RevocationList();
  for (const r of JSON.parse(readFileSync(new URL('../../test-vectors/pki/revoked-test.json', import.meta.url), 'utf8')) as { rid: string; index: string; serial: string }[])
    revocations.add(r.rid, r.index, r.serial);
  const oda = new RsaOda({ revocations });
  const set = (slice: { set(b: Uint8Array): void }, hex: string | undefined) => hex !== undefined && slice.set(fromHex(hex));
  set(oda.pan, rec['5A']);
  set(oda.issuerCert, rec['90']);
  set(oda.issuerRemainder, rec['92']);
  set(oda.issuerExponent, rec['9F32']);
  set(oda.iccCert, rec['9F46']);
  set(oda.iccRemainder, rec['9F48']);
  set(oda.iccExponent, rec['9F47']);
  set(oda.ssad, rec['93']);
  set(oda.sdad, tap.g['9F4B']);
  set(oda.cardAuthData, tap.g['9F69']);
  oda.staticData.set(staticData);
  oda.unpredictableNumber.set(fromHex('0BADCAFE'));
  oda.amount.set(fromHex('000000000100'));
  oda.currency.set(fromHex('0156'));
  oda.transactionDate = 20261127;
  return { reason: oda.authenticate(method, capk), rec, staticData };
}

describe('kernels/oda accepts the virtual card', () => {
  it.each(['debit-ec', 'quasi-credit', 'ec-only', 'metro-transit', 'phone-wallet', 'ec-low-balance'])(
    '%s: fDDA verifies (01 and 00)',
    (name) => {
      expect(authenticate(name, OdaMethod.FDDA, '26000080').reason).toBe(OdaReason.Ok);
      expect(authenticate(name, OdaMethod.FDDA, '26000000').reason).toBe(OdaReason.Ok);
    },
  );

  it('sda-debit: SDA verifies', () => {
    expect(authenticate('sda-debit', OdaMethod.SDA).reason).toBe(OdaReason.Ok);
  });

  it.each([
    ['bad-cert-hash', OdaReason.HashMismatch],
    ['wrong-pan-in-cert', OdaReason.PanMismatch],
    ['revoked-issuer-serial', OdaReason.CertificateRevoked],
  ] as const)('%s is rejected (reason %i)', (name, reason) => {
    expect(authenticate(name, OdaMethod.FDDA).reason).toBe(reason);
  });
});

describe('card certificates = kernels/oda/rsa-cert-builder certificates', () => {
  it.each(['debit-ec', 'ec-only', 'quasi-credit'])('%s', (name) => {
    const spec = loadPersonality(name).applications[0]!;
    const { rec, staticData } = authenticate(name, OdaMethod.FDDA);
    const ca = keyFile(spec.oda.ca!);
    const issuer = keyFile(spec.oda.issuerKey!);
    const icc = keyFile(spec.oda.iccKey!);
    const ic = buildIssuerCertificate({ ca, issuerModulus: issuer.modulus, issuerExponent: issuer.exponent, issuerId: spec.pan.slice(0, 6), expiry: spec.oda.issuerCert!.expiry, serial: fromHex(spec.oda.issuerCert!.serial) });
    expect(toHex(ic.cert)).toBe(rec['90']);
    expect(ic.remainder ? toHex(ic.remainder) : undefined).toBe(rec['92']);
    const cc = buildIccCertificate({ issuer, iccModulus: icc.modulus, iccExponent: icc.exponent, pan: spec.pan, expiry: spec.oda.iccCert!.expiry, serial: fromHex(spec.oda.iccCert!.serial), staticData });
    expect(toHex(cc.cert)).toBe(rec['9F46']);
  });
});
