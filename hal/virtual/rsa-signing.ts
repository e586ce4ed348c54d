/**
 * Card-side EMV Book 2 RSA data objects: the issuer and ICC public-key certificates (personalised
 * into the records) and the signed static / dynamic application data. Layouts: facts §2.1–§2.4.
 *
 * Each builder lays out the recovered block X = 6A ‖ format ‖ fields ‖ pad ‖ SHA-1 ‖ BC, hashes
 * X[1 .. N−22] ‖ extra data, and signs X with the private key (S = X^d mod N).
 * `corruptHash` flips a hash byte after hashing: the "bad-cert-hash" personality uses it.
 */
import { rsaSignBlock, sha1, type RsaPrivateKey } from './card-crypto.js';
import { bigIntToBytes } from './card-crypto.js';

export type RsaPublicParts = { modulus: Uint8Array; exponent: Uint8Array };

/** Public parts of a private key, as the certificate carries them. */
export function publicParts(key: RsaPrivateKey): RsaPublicParts {
  const e = key.e === 3n ? new Uint8Array([3]) : bigIntToBytes(key.e, 3);
  return { modulus: bigIntToBytes(key.n, key.bytes), exponent: e };
}

/** Fills X's hash field and trailer, then signs. */
function finishAndSign(signer: RsaPrivateKey, x: Uint8Array, extra: Uint8Array[], corruptHash: boolean): Uint8Array {
  const n = x.length;
  const hash = sha1(x.subarray(1, n - 21), ...extra);
  if (corruptHash) hash[0]! ^= 0x01;
  x.set(hash, n - 21);
  x[n - 1] = 0xbc;
  return rsaSignBlock(signer, x);
}

export type IssuerCertInput = {
  ca: RsaPrivateKey;
  issuer: RsaPublicParts;
  /** 4 bytes cn: leftmost PAN digits, F-padded (facts §2.1 offset 2). */
  issuerId: Uint8Array;
  /** MMYY, 2 bytes BCD. */
  expiry: Uint8Array;
  /** 3 bytes. */
  serial: Uint8Array;
  corruptHash?: boolean;
};

/** Issuer PK certificate (tag 90) and the remainder (tag 92, empty when it fits). Facts §2.1. */
export function buildIssuerCert(i: IssuerCertInput): { cert: Uint8Array; remainder: Uint8Array } {
  const nCa = i.ca.bytes;
  const room = nCa - 36;
  const nI = i.issuer.modulus.length;
  const x = new Uint8Array(nCa).fill(0xbb);
  x[0] = 0x6a;
  x[1] = 0x02;
  x.set(i.issuerId, 2);
  x.set(i.expiry, 6);
  x.set(i.serial, 8);
  x[11] = 0x01; // hash algorithm: SHA-1
  x[12] = 0x01; // PK algorithm: RSA
  x[13] = nI;
  x[14] = i.issuer.exponent.length;
  x.set(i.issuer.modulus.subarray(0, Math.min(nI, room)), 15);
  const remainder = nI > room ? i.issuer.modulus.slice(room) : new Uint8Array(0);
  const cert = finishAndSign(i.ca, x, [remainder, i.issuer.exponent], i.corruptHash ?? false);
  return { cert, remainder };
}

export type IccCertInput = {
  issuer: RsaPrivateKey;
  icc: RsaPublicParts;
  /** 10 bytes cn, F-padded (facts §2.2 offset 2). */
  pan: Uint8Array;
  expiry: Uint8Array;
  serial: Uint8Array;
  staticData: Uint8Array;
  corruptHash?: boolean;
};

/** ICC PK certificate (tag 9F46) and remainder (9F48). Facts §2.2. */
export function buildIccCert(i: IccCertInput): { cert: Uint8Array; remainder: Uint8Array } {
  const nI = i.issuer.bytes;
  const room = nI - 42;
  const nIc = i.icc.modulus.length;
  const x = new Uint8Array(nI).fill(0xbb);
  x[0] = 0x6a;
  x[1] = 0x04;
  x.set(i.pan, 2);
  x.set(i.expiry, 12);
  x.set(i.serial, 14);
  x[17] = 0x01;
  x[18] = 0x01;
  x[19] = nIc;
  x[20] = i.icc.exponent.length;
  x.set(i.icc.modulus.subarray(0, Math.min(nIc, room)), 21);
  const remainder = nIc > room ? i.icc.modulus.slice(room) : new Uint8Array(0);
  const cert = finishAndSign(i.issuer, x, [remainder, i.icc.exponent, i.staticData], i.corruptHash ?? false);
  return { cert, remainder };
}

/** Signed Static Application Data (tag 93, SDA). Facts §2.3. */
export function buildSsad(issuer: RsaPrivateKey, dac: Uint8Array, staticData: Uint8Array): Uint8Array {
  const x = new Uint8Array(issuer.bytes).fill(0xbb);
  x[0] = 0x6a;
  x[1] = 0x03;
  x[2] = 0x01;
  x.set(dac.subarray(0, 2), 3);
  return finishAndSign(issuer, x, [staticData], false);
}

/**
 * Signed Dynamic Application Data (tag 9F4B), format 05. Facts §2.4 / §1.11:
 * ICC dynamic data = len(1) ‖ ICC dynamic number (here the ATC, 2 bytes); the hash covers
 * X[1..N−22] ‖ terminal dynamic data (9F37 for fDDA 00; 9F37‖9F02‖5F2A‖9F69 for fDDA 01;
 * the DDOL data for DDA).
 */
export function buildSdad(icc: RsaPrivateKey, iccDynamicData: Uint8Array, terminalDynamicData: Uint8Array): Uint8Array {
  const x = new Uint8Array(icc.bytes).fill(0xbb);
  x[0] = 0x6a;
  x[1] = 0x05;
  x[2] = 0x01;
  x[3] = iccDynamicData.length;
  x.set(iccDynamicData, 4);
  return finishAndSign(icc, x, [terminalDynamicData], false);
}
