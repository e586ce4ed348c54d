/**
 * Card-side EMV Book 2 RSA data objects: the issuer and ICC public-key certificates (personalised
 * into the records) and the signed static / dynamic application data. Layouts: facts §2.1–§2.4.
 *
 * The blocks are built by the test-PKI builder in kernels/oda/rsa-cert-builder.ts (one
 * implementation for the card and the ODA tests); this module adapts the card's key type (BigInt
 * n/e/d) and its byte-valued fields to it. `corruptHash` flips a hash byte after hashing: the
 * "bad-cert-hash" personality uses it.
 */
import { bigIntToBytes, type RsaPrivateKey } from './card-crypto.js';
import * as builder from '../../kernels/oda/rsa-cert-builder.js';
import { toHex } from '../../kernels/util/hex.js';

export type RsaPublicParts = { modulus: Uint8Array; exponent: Uint8Array };

/** Public parts of a private key, as the certificate carries them. */
export function publicParts(key: RsaPrivateKey): RsaPublicParts {
  const e = key.e === 3n ? new Uint8Array([3]) : bigIntToBytes(key.e, 3);
  return { modulus: bigIntToBytes(key.n, key.bytes), exponent: e };
}

/** The builder's key shape (modulus bytes, exponent bytes, private exponent). */
function signer(key: RsaPrivateKey): builder.RsaPrivateKey {
  const { modulus, exponent } = publicParts(key);
  return { modulus, exponent, d: key.d };
}

/** cn bytes (F-padded) back to their digits, as the builder takes them. */
const digits = (cn: Uint8Array) => toHex(cn).replace(/F+$/, '');
const tamper = (corruptHash?: boolean) => (corruptHash ? { corruptHash: true } : undefined);
const orEmpty = (r: Uint8Array | undefined) => r ?? new Uint8Array(0);

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
  const r = builder.buildIssuerCertificate({
    ca: signer(i.ca), issuerModulus: i.issuer.modulus, issuerExponent: i.issuer.exponent,
    issuerId: digits(i.issuerId), expiry: toHex(i.expiry), serial: i.serial, tamper: tamper(i.corruptHash),
  });
  return { cert: r.cert, remainder: orEmpty(r.remainder) };
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
  const r = builder.buildIccCertificate({
    issuer: signer(i.issuer), iccModulus: i.icc.modulus, iccExponent: i.icc.exponent,
    pan: digits(i.pan), expiry: toHex(i.expiry), serial: i.serial, staticData: i.staticData, tamper: tamper(i.corruptHash),
  });
  return { cert: r.cert, remainder: orEmpty(r.remainder) };
}

/** Signed Static Application Data (tag 93, SDA). Facts §2.3. */
export function buildSsad(issuer: RsaPrivateKey, dac: Uint8Array, staticData: Uint8Array): Uint8Array {
  return builder.buildSsad({ issuer: signer(issuer), dac: dac.subarray(0, 2), staticData });
}

/**
 * Signed Dynamic Application Data (tag 9F4B), format 05. Facts §2.4 / §1.11:
 * ICC dynamic data = len(1) ‖ ICC dynamic number (here the ATC, 2 bytes); the hash covers
 * X[1..N−22] ‖ terminal dynamic data (9F37 for fDDA 00; 9F37‖9F02‖5F2A‖9F69 for fDDA 01;
 * the DDOL data for DDA).
 */
export function buildSdad(icc: RsaPrivateKey, iccDynamicData: Uint8Array, terminalDynamicData: Uint8Array): Uint8Array {
  return builder.buildSdad({ icc: signer(icc), iccDynamicData, terminalDynamicData });
}
