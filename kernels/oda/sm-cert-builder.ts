/**
 * Builders for the SM2 test PKI (TEST ONLY): issuer certificates (format 12), ICC certificates
 * (14), signed static data (13) and signed dynamic data (15), laid out as in qpboc-facts §3.1
 * and signed with `sm2Sign` (deterministic nonces; default user ID). The virtual card uses
 * them for SM2 personalities; tests use the overrides to make validly signed but wrong data.
 */
import { sm2Sign } from './sm2.js';
import {
  SM_FORMAT_ICC, SM_FORMAT_ISSUER, SM_FORMAT_SDAD, SM_FORMAT_SSAD,
  SM_HASH_INDICATOR, SM_KEY_LENGTH, SM_PK_ALGORITHM_INDICATOR,
} from './sm-cert.js';
import { fromHex, concatBytes } from '../util/hex.js';

type Bytes = Uint8Array | string;

/** Overrides to build deliberately wrong (but validly signed) data for negative tests. */
export type SmCertOverrides = {
  format?: number;
  hashIndicator?: number;
  pkAlgorithmIndicator?: number;
  keyLength?: number;
  /** Nonce seed for the signature (default: the body). */
  seed?: string;
};

export type SmIssuerCertificateSpec = SmCertOverrides & {
  /** CA private key (32 bytes or hex). */
  caPrivateKey: Bytes;
  /** Leading PAN digits (3–8), e.g. "623548"; F-padded to 4 bytes. */
  issuerId: string;
  /** MMYY, e.g. "1230". */
  expiry: string;
  /** 3 bytes hex, e.g. "001258". */
  serial: Bytes;
  /** Issuer public key x ‖ y (64 bytes or hex). */
  issuerPublicKey: Bytes;
};

export type SmIccCertificateSpec = SmCertOverrides & {
  issuerPrivateKey: Bytes;
  /** PAN digits, F-padded to 10 bytes. */
  pan: string;
  expiry: string;
  serial: Bytes;
  iccPublicKey: Bytes;
  /** Static data to be authenticated (AFL records ‖ AIP when 9F4A lists 82). */
  staticData: Bytes;
};

export type SmSsadSpec = { issuerPrivateKey: Bytes; dac: Bytes; staticData: Bytes; format?: number; seed?: string };

export type SmSdadSpec = {
  iccPrivateKey: Bytes;
  /**
   * ICC dynamic data (L_DD bytes): give it whole, or give `iccDynamicNumber` (e.g. the ATC)
   * to get `len ‖ IDN`.
   */
  iccDynamicData?: Bytes;
  iccDynamicNumber?: Bytes;
  /** Terminal dynamic data: 9F37 (fDDA 00), 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 (fDDA 01) or DDOL data. */
  terminalDynamicData: Bytes;
  format?: number;
  seed?: string;
};

const bytes = (b: Bytes, what: string) => (typeof b === 'string' ? fromHex(b, what) : b);

/** Digits, F-padded to `n` bytes (cn format). */
function cn(digits: string, n: number, what: string): Uint8Array {
  if (!/^\d+$/.test(digits) || digits.length > 2 * n) throw new TypeError(`${what}: expected up to ${2 * n} digits, got ${JSON.stringify(digits)}`);
  return fromHex(digits.padEnd(2 * n, 'F'), what);
}

function fixed(b: Bytes, n: number, what: string): Uint8Array {
  const v = bytes(b, what);
  if (v.length !== n) throw new TypeError(`${what}: expected ${n} bytes, got ${v.length}`);
  return v;
}

function mmyy(s: string): Uint8Array {
  if (!/^\d{4}$/.test(s)) throw new TypeError(`expiry: expected MMYY, got ${JSON.stringify(s)}`);
  return fromHex(s, 'expiry');
}

function algorithmBytes(o: SmCertOverrides): Uint8Array {
  return new Uint8Array([o.hashIndicator ?? SM_HASH_INDICATOR, 0x00, o.pkAlgorithmIndicator ?? SM_PK_ALGORITHM_INDICATOR, o.keyLength ?? SM_KEY_LENGTH]);
}

/** Format 12: `12 | issuer id(4) | MMYY | serial(3) | 04 00 11 40 | x‖y | sig`, signed over bytes[0..78). */
export function buildSmIssuerCertificate(spec: SmIssuerCertificateSpec): Uint8Array {
  if (spec.issuerId.length < 3) throw new TypeError('issuerId: at least 3 digits');
  const body = concatBytes(
    new Uint8Array([spec.format ?? SM_FORMAT_ISSUER]),
    cn(spec.issuerId, 4, 'issuerId'),
    mmyy(spec.expiry),
    fixed(spec.serial, 3, 'serial'),
    algorithmBytes(spec),
    fixed(spec.issuerPublicKey, 64, 'issuerPublicKey'),
  );
  const sig = sm2Sign(bytes(spec.caPrivateKey, 'caPrivateKey'), body, { seed: spec.seed ?? 'issuer' });
  return concatBytes(body, sig);
}

/** Format 14: `14 | PAN(10) | MMYY | serial(3) | 04 00 11 40 | x‖y | sig`, signed over bytes[0..84) ‖ static data. */
export function buildSmIccCertificate(spec: SmIccCertificateSpec): Uint8Array {
  const body = concatBytes(
    new Uint8Array([spec.format ?? SM_FORMAT_ICC]),
    cn(spec.pan, 10, 'pan'),
    mmyy(spec.expiry),
    fixed(spec.serial, 3, 'serial'),
    algorithmBytes(spec),
    fixed(spec.iccPublicKey, 64, 'iccPublicKey'),
  );
  const sig = sm2Sign(bytes(spec.issuerPrivateKey, 'issuerPrivateKey'), concatBytes(body, bytes(spec.staticData, 'staticData')), { seed: spec.seed ?? 'icc' });
  return concatBytes(body, sig);
}

/** Format 13: `13 | DAC(2) | sig`, signed over bytes[0..3) ‖ static data. */
export function buildSmSsad(spec: SmSsadSpec): Uint8Array {
  const header = concatBytes(new Uint8Array([spec.format ?? SM_FORMAT_SSAD]), fixed(spec.dac, 2, 'dac'));
  const sig = sm2Sign(bytes(spec.issuerPrivateKey, 'issuerPrivateKey'), concatBytes(header, bytes(spec.staticData, 'staticData')), { seed: spec.seed ?? 'ssad' });
  return concatBytes(header, sig);
}

/** Format 15: `15 | L_DD | ICC dynamic data | sig`, signed over bytes[0..2+L_DD) ‖ terminal dynamic data. */
export function buildSmSdad(spec: SmSdadSpec): Uint8Array {
  let dd: Uint8Array;
  if (spec.iccDynamicData !== undefined) dd = bytes(spec.iccDynamicData, 'iccDynamicData');
  else if (spec.iccDynamicNumber !== undefined) {
    const idn = bytes(spec.iccDynamicNumber, 'iccDynamicNumber');
    dd = concatBytes(new Uint8Array([idn.length]), idn);
  } else throw new TypeError('iccDynamicData or iccDynamicNumber: one is required');
  if (dd.length > 255) throw new RangeError('iccDynamicData: at most 255 bytes');
  const head = concatBytes(new Uint8Array([spec.format ?? SM_FORMAT_SDAD, dd.length]), dd);
  const sig = sm2Sign(bytes(spec.iccPrivateKey, 'iccPrivateKey'), concatBytes(head, bytes(spec.terminalDynamicData, 'terminalDynamicData')), { seed: spec.seed ?? 'sdad' });
  return concatBytes(head, sig);
}
