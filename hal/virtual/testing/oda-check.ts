/**
 * Independent EMV Book 2 checks for the tests: recovers with node:crypto (RSA without padding) —
 * not the card's BigInt code — and checks the layouts of facts §2.1–§2.4 and §1.11.
 */
import { createPublicKey, publicEncrypt, constants, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex, concatBytes } from '../../../kernels/util/hex.js';

const PKI = fileURLToPath(new URL('../../../test-vectors/pki/', import.meta.url));

export type PublicKey = { n: Uint8Array; e: Uint8Array };

export function capk(index: number): PublicKey {
  const list = JSON.parse(readFileSync(PKI + 'capk-test.json', 'utf8')) as { index: string; modulus: string; exponent: string }[];
  const e = list.find((c) => parseInt(c.index, 16) === index);
  if (!e) throw new Error(`no CAPK ${index}`);
  return { n: fromHex(e.modulus), e: fromHex(e.exponent) };
}

export function revokedSerials(): string[] {
  return (JSON.parse(readFileSync(PKI + 'revoked-test.json', 'utf8')) as { serial: string }[]).map((r) => r.serial);
}

/** X = S^e mod N via OpenSSL. */
export function recover(key: PublicKey, sig: Uint8Array): Uint8Array {
  const pub = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(key.n).toString('base64url'), e: Buffer.from(key.e).toString('base64url') }, format: 'jwk' });
  return new Uint8Array(publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, sig));
}

function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export type Recovered = { x: Uint8Array; hashOk: boolean; frameOk: boolean };

function check(x: Uint8Array, format: number, extra: Uint8Array[]): Recovered {
  const n = x.length;
  const frameOk = x[0] === 0x6a && x[1] === format && x[n - 1] === 0xbc;
  const hashOk = toHex(sha1(x.subarray(1, n - 21), ...extra)) === toHex(x.subarray(n - 21, n - 1));
  return { x, hashOk, frameOk };
}

/** Issuer PK from tag 90 (+92, 9F32) under the CA key (facts §2.1). */
export function recoverIssuer(ca: PublicKey, cert: Uint8Array, remainder: Uint8Array, exp: Uint8Array) {
  const r = check(recover(ca, cert), 0x02, [remainder, exp]);
  const nI = r.x[13]!;
  const room = r.x.length - 36;
  const modulus = concatBytes(r.x.slice(15, 15 + Math.min(nI, room)), remainder);
  return { ...r, key: { n: modulus, e: exp }, issuerId: toHex(r.x, 2, 6), serial: toHex(r.x, 8, 11), expiry: toHex(r.x, 6, 8) };
}

/** ICC PK from 9F46 (+9F48, 9F47) under the issuer key (facts §2.2). */
export function recoverIcc(issuer: PublicKey, cert: Uint8Array, remainder: Uint8Array, exp: Uint8Array, staticData: Uint8Array) {
  const r = check(recover(issuer, cert), 0x04, [remainder, exp, staticData]);
  const nIc = r.x[19]!;
  const room = r.x.length - 42;
  const modulus = concatBytes(r.x.slice(21, 21 + Math.min(nIc, room)), remainder);
  return { ...r, key: { n: modulus, e: exp }, pan: toHex(r.x, 2, 12) };
}

/** SDAD (9F4B) under the ICC key with the terminal dynamic data (facts §2.4). */
export function recoverSdad(icc: PublicKey, sdad: Uint8Array, terminalDynamicData: Uint8Array) {
  const r = check(recover(icc, sdad), 0x05, [terminalDynamicData]);
  const ldd = r.x[3]!;
  return { ...r, iccDynamicData: toHex(r.x, 4, 4 + ldd) };
}

/** SSAD (93) under the issuer key (facts §2.3). */
export function recoverSsad(issuer: PublicKey, ssad: Uint8Array, staticData: Uint8Array) {
  return check(recover(issuer, ssad), 0x03, [staticData]);
}
