import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { recoverIccPublicKey, recoverIssuerPublicKey, verifySignedDynamicData, verifySignedStaticData } from './cert-simple.js';
import { buildIccCertificate, buildIssuerCertificate, buildSdad, buildSsad, cdaDynamicData, dynamicDataWithIdn, rsaPrivateKeyFromJwk } from './rsa-cert-builder.js';
import { RevocationList } from './capk.js';
import { toHex } from '../util/hex.js';

const gen = (bits: number, e = 3) => rsaPrivateKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }).privateKey.export({ format: 'jwk' }));
const CA = gen(1152), ISSUER = gen(1024), ICC = gen(768, 65537);
const PAN = '6212345678901234', STATIC = '5F24032812317C00';
const capk = { rid: 'A000000333', index: 8, modulus: CA.modulus, exponent: CA.exponent };

describe('one-call ODA steps', () => {
  const iss = buildIssuerCertificate({ ca: CA, issuerModulus: ISSUER.modulus, issuerExponent: '03', issuerId: '621234', expiry: '1230', serial: '000042' });
  const icc = buildIccCertificate({ issuer: ISSUER, iccModulus: ICC.modulus, iccExponent: ICC.exponent, pan: PAN, expiry: '1229', serial: '000043', staticData: STATIC });

  it('issuer → ICC → SSAD / SDAD (DDA, CDA)', () => {
    const i = recoverIssuerPublicKey({ capk, certificate: iss.cert, remainder: iss.remainder, exponent: iss.exponent, pan: PAN, transactionDate: '261127' });
    expect(i).toMatchObject({ ok: true, reason: 'ok', issuerId: '621234FF', expiry: '1230', serial: '000042', modulus: toHex(ISSUER.modulus), exponent: '03' });
    const c = recoverIccPublicKey({ issuerKey: { modulus: i.modulus!, exponent: i.exponent! }, certificate: icc.cert, remainder: icc.remainder, exponent: icc.exponent, pan: PAN, staticData: STATIC, transactionDate: 20261127 });
    expect(c).toMatchObject({ ok: true, pan: PAN, expiry: '1229', serial: '000043', modulus: toHex(ICC.modulus), exponent: '010001' });
    const ssad = buildSsad({ issuer: ISSUER, dac: 'BEEF', staticData: STATIC });
    expect(verifySignedStaticData({ issuerKey: { modulus: ISSUER.modulus, exponent: '03' }, ssad, staticData: STATIC })).toMatchObject({ ok: true, dac: 'BEEF' });
    const iccKey = { modulus: c.modulus!, exponent: c.exponent! };
    const dda = buildSdad({ icc: ICC, iccDynamicData: dynamicDataWithIdn('1234'), terminalDynamicData: '01020304' });
    expect(verifySignedDynamicData({ iccKey, sdad: dda, kind: 'DDA', ddolData: '01020304' })).toMatchObject({ ok: true, iccDynamicNumber: '1234' });
    expect(verifySignedDynamicData({ iccKey, sdad: dda, kind: 'DDA', ddolData: '01020305' })).toMatchObject({ ok: false, stage: 'sdad', reason: 'hash-mismatch' });
    const cda = buildSdad({ icc: ICC, iccDynamicData: cdaDynamicData({ idn: '0001', cid: 0x40, ac: '0102030405060708', transactionData: 'AABB' }), terminalDynamicData: '11223344' });
    expect(verifySignedDynamicData({ iccKey, sdad: cda, kind: 'CDA', unpredictableNumber: '11223344', cid: '40', cdaTransactionData: 'AABB' })).toMatchObject({ ok: true, cid: '40', ac: '0102030405060708' });
  });

  it('reports failures with stage and reason', () => {
    const crl = new RevocationList();
    crl.add('A000000333', 8, '000042');
    expect(recoverIssuerPublicKey({ capk, certificate: iss.cert, remainder: iss.remainder, exponent: iss.exponent, pan: PAN, transactionDate: '261127', revocations: crl })).toMatchObject({ ok: false, stage: 'issuer', reason: 'certificate-revoked' });
    expect(iss.remainder).toHaveLength(128 - (144 - 36));
    expect(recoverIssuerPublicKey({ capk, certificate: iss.cert, exponent: iss.exponent, pan: PAN, transactionDate: '261127' })).toMatchObject({ ok: false, reason: 'remainder-missing' });
    expect(() => recoverIssuerPublicKey({ capk, certificate: iss.cert, exponent: iss.exponent, pan: PAN, transactionDate: '2026-11-27' })).toThrow(RangeError);
  });
});
