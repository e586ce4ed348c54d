/**
 * Test certificate builder: makes EMV Book 2 RSA certificates and signed data with a private key,
 * for the project's test PKI, the virtual card and the ODA tests. NOT for production (no secret
 * hygiene, BigInt private operation, allocates freely).
 *
 *   const ca = rsaPrivateKeyFromJwk(caKeyObject.export({ format: 'jwk' }));
 *   const { cert, remainder, exponent } = buildIssuerCertificate({ ca, issuerModulus, issuerExponent,
 *     issuerId: '622126', expiry: '1230', serial: '000001' });
 *
 * Every builder takes `tamper` options that produce the malformed variants a terminal must reject
 * (wrong header, trailer, format, indicators, hash), so failure paths can be tested.
 */
import { constants, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt, modPow } from './rsa-bigint.js';
import { Sha1 } from './sha1.js';
import { concatBytes, fromHex } from '../util/hex.js';

/** An RSA private key: modulus n, public exponent e, private exponent d. */
export type RsaPrivateKey = { modulus: Uint8Array; exponent: Uint8Array; d: bigint };

/** From a JWK (node:crypto `keyObject.export({ format: 'jwk' })`). */
export function rsaPrivateKeyFromJwk(jwk: { n?: string; e?: string; d?: string }): RsaPrivateKey {
  if (!jwk.n || !jwk.e || !jwk.d) throw new TypeError('rsaPrivateKeyFromJwk: jwk needs n, e and d');
  const b = base64UrlToBytes;
  return { modulus: b(jwk.n), exponent: b(jwk.e), d: bytesToBigInt(b(jwk.d)) };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url (no padding) → bytes, without Node's Buffer. */
function base64UrlToBytes(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 6) / 8));
  let acc = 0, bits = 0, o = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new TypeError(`rsaPrivateKeyFromJwk: not base64url: ${JSON.stringify(ch)}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Variations for negative tests; defaults give a valid block. */
export type Tamper = {
  header?: number;
  format?: number;
  trailer?: number;
  hashAlgorithm?: number;
  pkAlgorithm?: number;
  /** Flip a bit of the stored hash. */
  corruptHash?: boolean;
  /** Declared public key length byte (N_I / N_IC) instead of the real one. */
  declaredKeyLength?: number;
};

type Bytes = Uint8Array | string;
const bytes = (v: Bytes, what: string) => (typeof v === 'string' ? fromHex(v, what) : v);

/** Signs (private operation) a recovered-data block X: S = X^d mod n. */
export function rsaSign(key: RsaPrivateKey, x: Uint8Array): Uint8Array {
  if (x.length !== key.modulus.length) throw new RangeError(`rsaSign: block is ${x.length} bytes, key ${key.modulus.length}`);
  const n = bytesToBigInt(key.modulus);
  const m = bytesToBigInt(x);
  if (m >= n) throw new RangeError('rsaSign: block ≥ modulus');
  // Measured: the BigInt X^d mod n of a 1024-bit key took ~3.4 ms and dominated a virtual-card
  // tap (demo profile); OpenSSL with CRT does it in ~0.05 ms. Same result: raw RSA, no padding.
  const fast = crtKey(key, n);
  if (fast) return new Uint8Array(privateDecrypt({ key: fast, padding: constants.RSA_NO_PADDING }, x));
  return bigIntToBytes(modPow(m, key.d, n), key.modulus.length);
}

/** OpenSSL key objects (with the CRT factors) by modulus, built once per key; null when n cannot be factored. */
const crtKeys = new Map<string, KeyObject | null>();

function crtKey(key: RsaPrivateKey, n: bigint): KeyObject | null {
  const id = n.toString(16) + ':' + key.d.toString(16);
  let k = crtKeys.get(id);
  if (k === undefined) {
    k = null;
    const e = bytesToBigInt(key.exponent);
    const p = factorFromPrivateExponent(n, e, key.d);
    if (p !== null) {
      const q = n / p;
      const inv = modPow(q, p - 2n, p); // q⁻¹ mod p (p prime)
      const b64 = (v: bigint) => Buffer.from(bigIntToBytes(v, Math.ceil(v.toString(16).length / 2))).toString('base64url');
      k = createPrivateKey({
        key: { kty: 'RSA', n: b64(n), e: b64(e), d: b64(key.d), p: b64(p), q: b64(q), dp: b64(key.d % (p - 1n)), dq: b64(key.d % (q - 1n)), qi: b64(inv) },
        format: 'jwk',
      });
    }
    crtKeys.set(id, k);
  }
  return k;
}

/**
 * A prime factor of n from (e, d) (the standard method, e.g. NIST SP 800-56B Appendix C): with
 * e·d − 1 = 2^t·r, r odd, some g^(r·2^i) is a non-trivial square root of 1, and gcd(x − 1, n) = p.
 */
function factorFromPrivateExponent(n: bigint, e: bigint, d: bigint): bigint | null {
  const k = e * d - 1n;
  let r = k;
  let t = 0;
  while ((r & 1n) === 0n) {
    r >>= 1n;
    t++;
  }
  for (let g = 2n; g < 100n; g++) {
    let x = modPow(g, r, n);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 0; i < t; i++) {
      const y = (x * x) % n;
      if (y === 1n) {
        const p = gcd(x - 1n, n);
        return p > 1n && p < n ? p : null;
      }
      if (y === n - 1n) break;
      x = y;
    }
  }
  return null;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function sha1Of(...parts: Uint8Array[]): Uint8Array {
  const h = new Sha1();
  for (const p of parts) h.update(p, 0, p.length);
  const out = new Uint8Array(20);
  h.digestInto(out, 0);
  return out;
}

/** Digits → cn bytes padded with F to `len` bytes ("427655" → 42 76 55 FF for len 4). */
export function cnPad(digits: string, len: number): Uint8Array {
  if (!/^\d*$/.test(digits) || digits.length > len * 2) throw new RangeError(`cnPad: ${JSON.stringify(digits)} is not ≤ ${len * 2} digits`);
  return fromHex(digits.padEnd(len * 2, 'F'));
}

/**
 * Fills header, format, body, BB padding, hash (over X[1..N−22] ‖ extra) and trailer; signs.
 * `body` starts at X[2]; `padTo` = N−21.
 */
function finish(key: RsaPrivateKey, format: number, body: Uint8Array, extra: Uint8Array[], t: Tamper): { signed: Uint8Array; recovered: Uint8Array } {
  const n = key.modulus.length;
  if (body.length > n - 23) throw new RangeError(`certificate body (${body.length} bytes) does not fit a ${n}-byte key`);
  const x = new Uint8Array(n).fill(0xbb);
  x[0] = t.header ?? 0x6a;
  x[1] = t.format ?? format;
  x.set(body, 2);
  const h = sha1Of(x.subarray(1, n - 21), ...extra);
  if (t.corruptHash) h[0]! ^= 0x01;
  x.set(h, n - 21);
  x[n - 1] = t.trailer ?? 0xbc;
  return { signed: rsaSign(key, x), recovered: x };
}

function splitKey(modulus: Uint8Array, room: number): { inCert: Uint8Array; remainder: Uint8Array | undefined } {
  if (modulus.length <= room) return { inCert: modulus, remainder: undefined };
  return { inCert: modulus.subarray(0, room), remainder: modulus.slice(room) };
}

export type IssuerCertificateOptions = {
  /** The CA private key (its modulus length is N_CA). */
  ca: RsaPrivateKey;
  issuerModulus: Bytes;
  issuerExponent: Bytes;
  /** Leftmost 3–8 PAN digits. */
  issuerId: string;
  /** MMYY */
  expiry: string;
  /** 3 bytes hex */
  serial: Bytes;
  tamper?: Tamper;
};

/**
 * Issuer Public Key Certificate, tag 90, format 02 (EMV Book 2 §5.3 Table 6 / reference §2.1).
 * Returns the certificate, the remainder 92 (when N_I > N_CA − 36) and the exponent 9F32.
 */
export function buildIssuerCertificate(o: IssuerCertificateOptions): { cert: Uint8Array; remainder: Uint8Array | undefined; exponent: Uint8Array; recovered: Uint8Array } {
  const mod = bytes(o.issuerModulus, 'issuerModulus');
  const exp = bytes(o.issuerExponent, 'issuerExponent');
  const t = o.tamper ?? {};
  const nCa = o.ca.modulus.length;
  const { inCert, remainder } = splitKey(mod, nCa - 36);
  const body = concatBytes(
    cnPad(o.issuerId, 4),
    fromHex(o.expiry, 'expiry'),
    bytes(o.serial, 'serial'),
    new Uint8Array([t.hashAlgorithm ?? 0x01, t.pkAlgorithm ?? 0x01, t.declaredKeyLength ?? mod.length, exp.length]),
    inCert,
  );
  const { signed, recovered } = finish(o.ca, 0x02, body, remainder ? [remainder, exp] : [exp], t);
  return { cert: signed, remainder, exponent: exp, recovered };
}

export type IccCertificateOptions = {
  /** The issuer private key (its modulus length is N_I). */
  issuer: RsaPrivateKey;
  iccModulus: Bytes;
  iccExponent: Bytes;
  /** Application PAN digits (F-padded to 10 bytes in the certificate). */
  pan: string;
  /** MMYY */
  expiry: string;
  serial: Bytes;
  /** Static Data To Be Authenticated (+ AIP when 9F4A lists 82). */
  staticData: Bytes;
  tamper?: Tamper;
};

/** ICC Public Key Certificate, tag 9F46, format 04 (EMV Book 2 §6.4 Table 14 / reference §2.2). */
export function buildIccCertificate(o: IccCertificateOptions): { cert: Uint8Array; remainder: Uint8Array | undefined; exponent: Uint8Array; recovered: Uint8Array } {
  const mod = bytes(o.iccModulus, 'iccModulus');
  const exp = bytes(o.iccExponent, 'iccExponent');
  const t = o.tamper ?? {};
  const nI = o.issuer.modulus.length;
  const { inCert, remainder } = splitKey(mod, nI - 42);
  const body = concatBytes(
    cnPad(o.pan, 10),
    fromHex(o.expiry, 'expiry'),
    bytes(o.serial, 'serial'),
    new Uint8Array([t.hashAlgorithm ?? 0x01, t.pkAlgorithm ?? 0x01, t.declaredKeyLength ?? mod.length, exp.length]),
    inCert,
  );
  const sd = bytes(o.staticData, 'staticData');
  const { signed, recovered } = finish(o.issuer, 0x04, body, remainder ? [remainder, exp, sd] : [exp, sd], t);
  return { cert: signed, remainder, exponent: exp, recovered };
}

/** Signed Static Application Data, tag 93, format 03 (EMV Book 2 §5.4 Table 7). */
export function buildSsad(o: { issuer: RsaPrivateKey; dac: Bytes; staticData: Bytes; tamper?: Tamper }): Uint8Array {
  const t = o.tamper ?? {};
  const body = concatBytes(new Uint8Array([t.hashAlgorithm ?? 0x01]), bytes(o.dac, 'dac'));
  return finish(o.issuer, 0x03, body, [bytes(o.staticData, 'staticData')], t).signed;
}

/**
 * ICC Dynamic Data for DDA / fDDA: IDN length ‖ IDN (fDDA: IDN = ATC, 2 bytes).
 */
export function dynamicDataWithIdn(idn: Bytes): Uint8Array {
  const v = bytes(idn, 'idn');
  return concatBytes(new Uint8Array([v.length]), v);
}

/**
 * ICC Dynamic Data for CDA (Book 2 §6.6.1 Table 19): IDN length ‖ IDN ‖ CID ‖ AC ‖
 * SHA-1(transaction data).
 */
export function cdaDynamicData(o: { idn: Bytes; cid: number; ac: Bytes; transactionData: Bytes }): Uint8Array {
  const td = bytes(o.transactionData, 'transactionData');
  return concatBytes(dynamicDataWithIdn(o.idn), new Uint8Array([o.cid]), bytes(o.ac, 'ac'), sha1Of(td));
}

/**
 * Signed Dynamic Application Data, tag 9F4B, format 05 (EMV Book 2 §6.5.2 / §6.6.1).
 * `terminalDynamicData`: DDA = DDOL data; fDDA = 9F37 [‖ 9F02 ‖ 5F2A ‖ 9F69]; CDA = 9F37.
 */
export function buildSdad(o: { icc: RsaPrivateKey; iccDynamicData: Bytes; terminalDynamicData: Bytes; tamper?: Tamper; declaredDynamicDataLength?: number }): Uint8Array {
  const t = o.tamper ?? {};
  const dd = bytes(o.iccDynamicData, 'iccDynamicData');
  const body = concatBytes(new Uint8Array([t.hashAlgorithm ?? 0x01, o.declaredDynamicDataLength ?? dd.length]), dd);
  return finish(o.icc, 0x05, body, [bytes(o.terminalDynamicData, 'terminalDynamicData')], t).signed;
}
