/**
 * Terminal configuration: one validated object holding everything the QuickPass kernel needs from
 * the terminal side — the AIDs it accepts with their per-AID limits (qpboc-facts §1.6: DF19 floor
 * limit, DF20 contactless transaction limit, DF21 CVM limit, 9F7B EC terminal limit), the TTQ base
 * (§1.5), country/currency, terminal type and capabilities, the CA public keys (RSA and SM2) and the
 * certificate revocation list.
 *
 * `validateConfig(json)` turns the JSON file format (src/config/README.md) into a typed
 * `TerminalConfig`, or throws ShanfuError('config.invalid') naming the field path. This runs once at
 * start-up; it allocates freely.
 */
import { ShanfuError } from '../../kernels/util/errors.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';

import type { AidConfig, DenyList, KernelParams, ZeroAmountHandling } from '../../kernels/qpboc/params.js';

export type { AidConfig, DenyList, ZeroAmountHandling };

/** An RSA CA public key (EMV Book 2 §11.2.2). */
export interface RsaCapk {
  rid: Uint8Array;
  index: number;
  modulus: Uint8Array;
  exponent: Uint8Array;
  /** Expiry as YYMMDD (number; the file may say YYMMDD or YYYYMMDD), or null. */
  expiry: number | null;
}

/** An SM2 CA public key (JR/T 0025.17): the uncompressed point 04‖X‖Y or X‖Y (64 bytes). */
export interface Sm2Capk {
  rid: Uint8Array;
  index: number;
  publicKey: Uint8Array;
  expiry: number | null;
}

/** A revoked issuer certificate (EMV Book 2 §5.3 step 10): RID, CAPK index, certificate serial. */
export interface RevokedCertificate {
  rid: Uint8Array;
  index: number;
  serial: Uint8Array;
}

/** The validated configuration: the kernel's parameters plus the CA public keys and revocation list. */
export interface TerminalConfig extends KernelParams {
  capks: RsaCapk[];
  smCapks: Sm2Capk[];
  revocationList: RevokedCertificate[];
}

function invalid(path: string, what: string): never {
  throw new ShanfuError('config.invalid', `${path}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hexField(v: unknown, path: string, minLen: number, maxLen: number): Uint8Array {
  if (typeof v !== 'string') invalid(path, `must be a hex string of ${minLen === maxLen ? minLen : `${minLen}–${maxLen}`} bytes`);
  let bytes: Uint8Array;
  try {
    bytes = fromHex(v, path);
  } catch {
    invalid(path, 'must be a hex string');
  }
  if (bytes.length < minLen || bytes.length > maxLen)
    invalid(path, `must be ${minLen === maxLen ? minLen : `${minLen}–${maxLen}`} bytes, got ${bytes.length}`);
  return bytes;
}

function intField(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    invalid(path, min === 0 && max === Number.MAX_SAFE_INTEGER ? 'must be a non-negative integer' : `must be an integer in ${min}..${max}`);
  return v;
}

/** A limit: absent/null = no limit; otherwise a non-negative integer of at most 12 digits (n12). */
function limitField(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid(path, 'must be a non-negative integer');
  if (v > 999_999_999_999) invalid(path, 'must fit in 12 digits (n12)');
  return v;
}

function boolField(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') invalid(path, 'must be true or false');
  return v;
}

/** Country/currency code: a number 0..999 or a string of 3 digits ("156"). */
function codeField(v: unknown, path: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'string' && /^[0-9]{3}$/.test(v)) return parseInt(v, 10);
  return intField(v, path, 0, 999);
}

function yymmddField(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !/^([0-9]{2})?[0-9]{6}$/.test(v)) invalid(path, 'must be a YYMMDD or YYYYMMDD string');
  const d = v.length === 8 ? v.slice(2) : v;
  const mm = parseInt(d.slice(2, 4), 10);
  const dd = parseInt(d.slice(4, 6), 10);
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) invalid(path, 'must be a valid date');
  return parseInt(d, 10);
}

const AID_KEYS = new Set([
  'aid', 'partialMatch', 'appVersion', 'contactlessTransactionLimit', 'floorLimit', 'cvmLimit',
  'ecTerminalLimit', 'statusCheck', 'zeroAmount', 'label',
]);
const TOP_KEYS = new Set([
  'aids', 'ttq', 'countryCode', 'currencyCode', 'currencyExponent', 'terminalType', 'capabilities',
  'additionalCapabilities', 'offlineOnly', 'smSupported', 'contactSupported', 'timezoneOffsetMinutes',
  'capks', 'smCapks', 'revocationList', 'denyList', '$schema', 'comment',
]);

function rejectUnknownKeys(o: Record<string, unknown>, allowed: Set<string>, path: string): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) invalid(path ? `${path}.${k}` : k, 'unknown field (check the spelling)');
}

function validateAid(v: unknown, path: string): AidConfig {
  if (!isObject(v)) invalid(path, 'must be an object');
  rejectUnknownKeys(v, AID_KEYS, path);
  const zero = v.zeroAmount ?? 'online';
  if (zero !== 'online' && zero !== 'try-another-interface' && zero !== 'allow')
    invalid(`${path}.zeroAmount`, 'must be "online", "try-another-interface" or "allow"');
  return {
    aid: hexField(v.aid, `${path}.aid`, 5, 16),
    partialMatch: boolField(v.partialMatch, `${path}.partialMatch`, false),
    appVersion: v.appVersion === undefined ? Uint8Array.of(0x00, 0x30) : hexField(v.appVersion, `${path}.appVersion`, 2, 2),
    contactlessTransactionLimit: limitField(v.contactlessTransactionLimit, `${path}.contactlessTransactionLimit`),
    floorLimit: limitField(v.floorLimit, `${path}.floorLimit`),
    cvmLimit: limitField(v.cvmLimit, `${path}.cvmLimit`),
    ecTerminalLimit: limitField(v.ecTerminalLimit, `${path}.ecTerminalLimit`),
    statusCheck: boolField(v.statusCheck, `${path}.statusCheck`, false),
    zeroAmount: zero,
  };
}

function validateArray<T>(v: unknown, path: string, item: (x: unknown, p: string) => T, allowEmpty: boolean): T[] {
  if (v === undefined && allowEmpty) return [];
  if (!Array.isArray(v)) invalid(path, 'must be an array');
  if (!allowEmpty && v.length === 0) invalid(path, 'must contain at least one entry');
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) out.push(item(v[i], `${path}[${i}]`));
  return out;
}

function validateRsaCapk(v: unknown, path: string): RsaCapk {
  if (!isObject(v)) invalid(path, 'must be an object');
  const exponent = hexField(v.exponent, `${path}.exponent`, 1, 3);
  const e = toHex(exponent);
  if (e !== '03' && e !== '010001') invalid(`${path}.exponent`, 'must be 03 or 010001 (EMV Book 2 §11.2.2)');
  return {
    rid: hexField(v.rid, `${path}.rid`, 5, 5),
    index: typeof v.index === 'string' ? intField(parseInt(v.index, 16), `${path}.index`, 0, 255) : intField(v.index, `${path}.index`, 0, 255),
    modulus: hexField(v.modulus, `${path}.modulus`, 64, 248),
    exponent,
    expiry: yymmddField(v.expiry, `${path}.expiry`),
  };
}

function validateSmCapk(v: unknown, path: string): Sm2Capk {
  if (!isObject(v)) invalid(path, 'must be an object');
  const pk = hexField(v.publicKey, `${path}.publicKey`, 64, 65);
  if (pk.length === 65 && pk[0] !== 0x04) invalid(`${path}.publicKey`, 'a 65-byte key must start with 04 (uncompressed point)');
  return {
    rid: hexField(v.rid, `${path}.rid`, 5, 5),
    index: typeof v.index === 'string' ? intField(parseInt(v.index, 16), `${path}.index`, 0, 255) : intField(v.index, `${path}.index`, 0, 255),
    publicKey: pk,
    expiry: yymmddField(v.expiry, `${path}.expiry`),
  };
}

function validateRevoked(v: unknown, path: string): RevokedCertificate {
  if (!isObject(v)) invalid(path, 'must be an object');
  return {
    rid: hexField(v.rid, `${path}.rid`, 5, 5),
    index: typeof v.index === 'string' ? intField(parseInt(v.index, 16), `${path}.index`, 0, 255) : intField(v.index, `${path}.index`, 0, 255),
    serial: hexField(v.serial, `${path}.serial`, 3, 3),
  };
}

/**
 * Validates a configuration as read from JSON (or built in code with hex strings) and returns the
 * typed configuration. Missing optional fields take the defaults of DEFAULT_CONFIG_JSON. Throws
 * ShanfuError('config.invalid') whose message starts with the field path.
 */
export function validateConfig(json: unknown): TerminalConfig {
  if (!isObject(json)) invalid('(root)', 'must be a JSON object');
  rejectUnknownKeys(json, TOP_KEYS, '');
  const aids = validateArray(json.aids, 'aids', validateAid, false);
  const ttq = json.ttq === undefined ? Uint8Array.of(0x28, 0x00, 0x00, 0x80) : hexField(json.ttq, 'ttq', 4, 4);
  const offlineOnly = boolField(json.offlineOnly, 'offlineOnly', (ttq[0]! & 0x08) !== 0);
  const cfg: TerminalConfig = {
    aids,
    ttq,
    countryCode: codeField(json.countryCode, 'countryCode', 156),
    currencyCode: codeField(json.currencyCode, 'currencyCode', 156),
    currencyExponent: json.currencyExponent === undefined ? 2 : intField(json.currencyExponent, 'currencyExponent', 0, 3),
    terminalType: json.terminalType === undefined ? 0x22 : typeof json.terminalType === 'string'
      ? hexField(json.terminalType, 'terminalType', 1, 1)[0]!
      : intField(json.terminalType, 'terminalType', 0, 255),
    capabilities: json.capabilities === undefined ? Uint8Array.of(0xe0, 0xe1, 0xc8) : hexField(json.capabilities, 'capabilities', 3, 3),
    additionalCapabilities: json.additionalCapabilities === undefined
      ? Uint8Array.of(0x60, 0x00, 0xf0, 0x50, 0x01)
      : hexField(json.additionalCapabilities, 'additionalCapabilities', 5, 5),
    offlineOnly,
    smSupported: boolField(json.smSupported, 'smSupported', true),
    contactSupported: boolField(json.contactSupported, 'contactSupported', (ttq[0]! & 0x10) !== 0),
    timezoneOffsetMinutes: json.timezoneOffsetMinutes === undefined ? 480 : intField(json.timezoneOffsetMinutes, 'timezoneOffsetMinutes', -720, 840),
    capks: validateArray(json.capks, 'capks', validateRsaCapk, true),
    smCapks: validateArray(json.smCapks, 'smCapks', validateSmCapk, true),
    revocationList: validateArray(json.revocationList, 'revocationList', validateRevoked, true),
  };
  // TTQ byte 1 b4 (offline-only reader, §1.5) must agree with the offlineOnly flag.
  if (offlineOnly !== ((ttq[0]! & 0x08) !== 0))
    invalid('ttq', `byte 1 bit 4 (offline-only, 0x08) must be ${offlineOnly ? 'set' : 'clear'} because offlineOnly is ${offlineOnly}`);
  if ((ttq[0]! & 0x20) === 0) invalid('ttq', 'byte 1 bit 6 (qPBOC supported, 0x20) must be set');
  if (json.denyList !== undefined) {
    const d = json.denyList as { isDenied?: unknown } | null;
    if (!isObject(d) || typeof d.isDenied !== 'function') invalid('denyList', 'must be an object with isDenied(pan, panOff, panLen, psn)');
    cfg.denyList = d as unknown as DenyList;
  }
  return cfg;
}

/** UnionPay AIDs (qpboc-facts §1.1) with typical bus/metro reader limits (CNY minor units). */
export const DEFAULT_CONFIG_JSON = {
  ttq: '28000080',
  offlineOnly: true,
  smSupported: true,
  contactSupported: false,
  countryCode: 156,
  currencyCode: 156,
  currencyExponent: 2,
  terminalType: 0x22,
  capabilities: 'E0E1C8',
  additionalCapabilities: '6000F05001',
  timezoneOffsetMinutes: 480,
  aids: [
    { aid: 'A000000333010101', label: 'UnionPay Debit', contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 100000, ecTerminalLimit: 100000, zeroAmount: 'try-another-interface' },
    { aid: 'A000000333010102', label: 'UnionPay Credit', contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 100000, ecTerminalLimit: 100000, zeroAmount: 'try-another-interface' },
    { aid: 'A000000333010103', label: 'UnionPay Quasi-credit', contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 100000, ecTerminalLimit: 100000, zeroAmount: 'try-another-interface' },
    { aid: 'A000000333010106', label: 'UnionPay Electronic Cash', contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 100000, ecTerminalLimit: 100000, zeroAmount: 'try-another-interface' },
    { aid: 'A000000333010108', label: 'U.S. UnionPay Common Debit', contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 100000, ecTerminalLimit: 100000, zeroAmount: 'try-another-interface' },
  ],
  capks: [],
  smCapks: [],
  revocationList: [],
} as const;

/** The default configuration: an offline-only qPBOC reader accepting the UnionPay AIDs. */
export function defaultConfig(): TerminalConfig {
  return validateConfig(JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON)));
}
