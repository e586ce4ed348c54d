import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Sm2PublicKey, SM2_CURVE, SM2_DEFAULT_USER_ID, computeZ, sm2KeyFromPrivate, sm2Sign, sm2TestKeyPair, sm2Verify, sm2VerifyParts,
  sm2VerifyView, writeBig,
} from './sm2.js';
import { fromHex, toHex, concatBytes } from '../util/hex.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const flip = (b: Uint8Array, i: number) => {
  const c = b.slice();
  c[i]! ^= 0x01;
  return c;
};
const scalar = (v: bigint) => {
  const b = new Uint8Array(32);
  writeBig(b, 0, v);
  return b;
};

describe('SM2 signatures (GB/T 32918.2)', () => {
  const alice = sm2TestKeyPair('alice');
  const msg = ascii('message digest');

  it('verifies its own signatures and rejects them after any change of key, message, signature or ID', () => {
    const sig = sm2Sign(alice.privateKey, msg);
    expect(sm2Verify(alice.publicKey, msg, sig)).toBe(true);
    expect(sm2Verify(alice.publicKey, flip(msg, 3), sig)).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, flip(sig, 5))).toBe(false); // r
    expect(sm2Verify(alice.publicKey, msg, flip(sig, 40))).toBe(false); // s
    expect(sm2Verify(sm2TestKeyPair('bob').publicKey, msg, sig)).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, sig, 'ALICE123@YAHOO.COM')).toBe(false);
  });

  it('uses the user ID in Z: a signature under a custom ID verifies only with that ID', () => {
    const sig = sm2Sign(alice.privateKey, msg, { userId: 'ALICE123@YAHOO.COM' });
    expect(sm2Verify(alice.publicKey, msg, sig, 'ALICE123@YAHOO.COM')).toBe(true);
    expect(sm2Verify(alice.publicKey, msg, sig, ascii('ALICE123@YAHOO.COM'))).toBe(true);
    expect(sm2Verify(alice.publicKey, msg, sig)).toBe(false);
  });

  it('treats a default-ID string like the default (cached Z)', () => {
    const sig = sm2Sign(alice.privateKey, msg);
    expect(sm2Verify(alice.publicKey, msg, sig, '1234567812345678')).toBe(true);
  });

  it('accepts 64-byte x‖y, 65-byte 04‖x‖y and key objects, precomputed or not', () => {
    const sig = sm2Sign(alice.privateKey, msg);
    const key = Sm2PublicKey.from(alice.publicKey);
    expect(sm2Verify(concatBytes(new Uint8Array([4]), alice.publicKey), msg, sig)).toBe(true);
    expect(sm2Verify(key, msg, sig)).toBe(true);
    key.precompute(4);
    expect(key.isPrecomputed).toBe(true);
    expect(sm2Verify(key, msg, sig)).toBe(true);
    expect(sm2Verify(key, msg, flip(sig, 63))).toBe(false);
  });

  it('verifies M = part1 ‖ part2 without concatenation, and views at offsets', () => {
    const a = ascii('certificate body'), b = ascii('static data');
    const sig = sm2Sign(alice.privateKey, concatBytes(a, b));
    expect(sm2VerifyParts(alice.publicKey, a, b, sig)).toBe(true);
    expect(sm2VerifyParts(alice.publicKey, a, flip(b, 0), sig)).toBe(false);
    expect(sm2VerifyParts(alice.publicKey, concatBytes(a, b), new Uint8Array(0), sig)).toBe(true);
    const key = Sm2PublicKey.from(alice.publicKey);
    const framed = concatBytes(ascii('xx'), a, sig, ascii('yy'));
    expect(sm2VerifyView(key, key.z(), framed, 2, a.length, b, 0, b.length, framed, 2 + a.length)).toBe(true);
    expect(sm2VerifyView(key, key.z(), framed, 2, a.length, b, 0, b.length - 1, framed, 2 + a.length)).toBe(false);
  });

  it('rejects r or s outside [1, n−1] and r + s = n (step B1, B2, B5)', () => {
    const sig = sm2Sign(alice.privateKey, msg);
    const n = SM2_CURVE.n;
    const r = sig.slice(0, 32), s = sig.slice(32);
    expect(sm2Verify(alice.publicKey, msg, concatBytes(scalar(0n), s))).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, concatBytes(r, scalar(0n)))).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, concatBytes(scalar(n), s))).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, concatBytes(r, scalar(n)))).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, concatBytes(scalar(5n), scalar(n - 5n)))).toBe(false);
    expect(sm2Verify(alice.publicKey, msg, sig.subarray(0, 63))).toBe(false);
  });

  it('rejects public keys that are not points on sm2p256v1', () => {
    const bad = alice.publicKey.slice();
    bad[63]! ^= 1;
    expect(Sm2PublicKey.tryFrom(bad)).toBeNull();
    expect(() => sm2Verify(bad, msg, new Uint8Array(64))).toThrow(TypeError);
    const pBytes = new Uint8Array(64);
    writeBig(pBytes, 0, SM2_CURVE.p); // x = p is out of range
    expect(Sm2PublicKey.tryFrom(pBytes)).toBeNull();
    expect(Sm2PublicKey.tryFrom(alice.publicKey.subarray(0, 63))).toBeNull();
    expect(() => Sm2PublicKey.from(new Uint8Array(33))).toThrow(/64 bytes/);
  });

  it('derives the public key of a private key and refuses d outside [1, n−2]', () => {
    const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n;
    expect(toHex(sm2KeyFromPrivate(d).publicKey)).toBe(
      '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13');
    expect(() => sm2KeyFromPrivate(0n)).toThrow(RangeError);
    expect(() => sm2KeyFromPrivate(SM2_CURVE.n - 1n)).toThrow(RangeError);
  });

  it('computes Z with ENTL = 0x0080 for the default ID', () => {
    // GB/T 32918.5 Annex A key: ZA as printed by OpenSSL sm2_internal_test / GmSSL
    const pub = fromHex('09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13');
    expect(toHex(computeZ(SM2_DEFAULT_USER_ID, pub))).toBe('B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3');
  });
});

const vectorsDir = process.env.SHANFU_CONFORMANCE_VECTORS ?? join(__dirname, '../../../shared/conformance/vectors');
const smFile = join(vectorsDir, 'sm2_sm3_vectors.json');
describe.skipIf(!existsSync(smFile))(`SM2 shared vectors (skipped when ${smFile} is absent)`, () => {
  it('reproduces the GB/T 32918.5 Annex A signature with its fixed k and verifies it', () => {
    const v = JSON.parse(readFileSync(smFile, 'utf8'));
    const cases = v.sm2_sign.filter((c: { curve: string }) => /sm2p256v1/.test(c.curve));
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const pub = fromHex(c.derived.public_key_x + c.derived.public_key_y);
      expect(toHex(sm2KeyFromPrivate(fromHex(c.private_key_d)).publicKey)).toBe(toHex(pub));
      expect(toHex(computeZ(ascii(c.user_id_ascii), pub))).toBe(c.derived.ZA.toUpperCase());
      const sig = sm2Sign(fromHex(c.private_key_d), fromHex(c.message_hex), { userId: c.user_id_ascii, k: BigInt('0x' + c.k) });
      expect(toHex(sig)).toBe((c.expected_r + c.expected_s).toUpperCase());
      expect(sm2Verify(pub, fromHex(c.message_hex), sig, c.user_id_ascii)).toBe(true);
      expect(sm2Verify(pub, fromHex(c.message_hex), flip(sig, 63), c.user_id_ascii)).toBe(false);
    }
  });
});

const pbocFile = join(vectorsDir, 'pboc_sm2_certificates.json');
describe.skipIf(!existsSync(pbocFile))(`PBOC SM2 sample certificates (skipped when ${pbocFile} is absent)`, () => {
  it('verifies the issuer certificate under CA 18 and the ICC certificate over body ‖ static data, with Z', () => {
    const p = JSON.parse(readFileSync(pbocFile, 'utf8'));
    const ca = Sm2PublicKey.from(p.ca.publicKey).precompute();
    const issuer = fromHex(p.issuerCertificate_90);
    const icc = fromHex(p.iccCertificate_9F46);
    const sd = fromHex(p.staticDataWithAip);
    expect(sm2Verify(ca, issuer.subarray(0, 78), issuer.subarray(78))).toBe(true);
    const issuerKey = Sm2PublicKey.from(issuer.subarray(14, 78));
    expect(sm2VerifyParts(issuerKey, icc.subarray(0, 84), sd, icc.subarray(84))).toBe(true);
    // the body alone is not what was signed
    expect(sm2Verify(issuerKey, icc.subarray(0, 84), icc.subarray(84))).toBe(false);
  });
});
