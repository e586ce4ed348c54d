/**
 * Human-readable meanings of values (amounts, dates, bit maps such as TTQ/CTQ/AIP/TVR), for the CLI,
 * trace rendering and reports. Allocates; not for the hot path.
 */
import { tagInfo, type TagContext } from './tags.js';
import { TVR_BITS, TSI_BITS, type NamedBit } from '../emv/tvr.js';
import { readAmount, readYymmdd } from '../emv/bcd.js';
import { toHex } from '../util/hex.js';

export type { NamedBit } from '../emv/tvr.js';
export { TVR_BITS, TSI_BITS } from '../emv/tvr.js';

/** Names of the bits set in `bytes` (bit = (byte index << 8) | mask), in table order. */
export function describeBits(table: readonly NamedBit[], bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (const { bit, name } of table) {
    const i = bit >>> 8;
    if (i < bytes.length && (bytes[i]! & bit & 0xff) !== 0) out.push(name);
  }
  return out;
}

/** TTQ 9F66, qPBOC meaning (qpboc-facts §1.5). */
export const TTQ_BITS: readonly NamedBit[] = [
  { bit: 0x0040, name: 'Contactless PBOC (full) supported' },
  { bit: 0x0020, name: 'qPBOC supported' },
  { bit: 0x0010, name: 'Contact PBOC supported' },
  { bit: 0x0008, name: 'Offline-only reader' },
  { bit: 0x0004, name: 'Online PIN supported' },
  { bit: 0x0002, name: 'Signature supported' },
  { bit: 0x0180, name: 'Online cryptogram required' },
  { bit: 0x0140, name: 'CVM required' },
  { bit: 0x0380, name: 'fDDA version 01 supported' },
];

/** CTQ 9F6C (qpboc-facts §1.8). */
export const CTQ_BITS: readonly NamedBit[] = [
  { bit: 0x0080, name: 'Online PIN required' },
  { bit: 0x0040, name: 'Signature required' },
  { bit: 0x0020, name: 'Go online if ODA fails' },
  { bit: 0x0010, name: 'Switch interface if ODA fails' },
  { bit: 0x0008, name: 'Go online if application expired' },
  { bit: 0x0004, name: 'Switch interface for cash' },
  { bit: 0x0002, name: 'Switch interface for cashback' },
  { bit: 0x0180, name: 'Consumer device CVM performed' },
  { bit: 0x0140, name: 'Card supports issuer update processing' },
];

/** AIP 82 (EMV Book 3 Annex C1; byte 2 b8 per qpboc-facts §1.7). */
export const AIP_BITS: readonly NamedBit[] = [
  { bit: 0x0040, name: 'SDA supported' },
  { bit: 0x0020, name: 'DDA supported' },
  { bit: 0x0010, name: 'Cardholder verification is supported' },
  { bit: 0x0008, name: 'Terminal risk management is to be performed' },
  { bit: 0x0004, name: 'Issuer authentication is supported' },
  { bit: 0x0002, name: 'On device cardholder verification supported' },
  { bit: 0x0001, name: 'CDA supported' },
  { bit: 0x0180, name: 'Mag-stripe / contactless mode supported' },
];

/** AUC 9F07 (EMV Book 3 Annex C2). */
export const AUC_BITS: readonly NamedBit[] = [
  { bit: 0x0080, name: 'Valid for domestic cash transactions' },
  { bit: 0x0040, name: 'Valid for international cash transactions' },
  { bit: 0x0020, name: 'Valid for domestic goods' },
  { bit: 0x0010, name: 'Valid for international goods' },
  { bit: 0x0008, name: 'Valid for domestic services' },
  { bit: 0x0004, name: 'Valid for international services' },
  { bit: 0x0002, name: 'Valid at ATMs' },
  { bit: 0x0001, name: 'Valid at terminals other than ATMs' },
  { bit: 0x0180, name: 'Domestic cashback allowed' },
  { bit: 0x0140, name: 'International cashback allowed' },
];

/**
 * CVR bytes 2–4 inside a PBOC IAD (9F10 bytes 3..6 = 03 + 3 bytes; qpboc-facts §1.9). Byte index 0
 * here is CVR byte 2. The cryptogram-type fields (masks C0 and 30) are decoded separately; the single
 * bits follow the VIS-style CVR PBOC derives from [GK].
 */
export const CVR_BITS: readonly NamedBit[] = [
  { bit: 0x0008, name: 'Issuer authentication performed and failed' },
  { bit: 0x0004, name: 'Offline PIN verification performed' },
  { bit: 0x0002, name: 'Offline PIN verification failed' },
  { bit: 0x0001, name: 'Unable to go online' },
  { bit: 0x0180, name: 'Last online transaction not completed' },
  { bit: 0x0140, name: 'PIN try limit exceeded' },
  { bit: 0x0120, name: 'Exceeded velocity checking counters' },
  { bit: 0x0110, name: 'New card' },
  { bit: 0x0108, name: 'Issuer authentication failure on last online transaction' },
  { bit: 0x0104, name: 'Issuer authentication not performed after online authorisation' },
  { bit: 0x0102, name: 'Application blocked: PIN try limit exceeded' },
  { bit: 0x0101, name: 'Offline static data authentication failed on last transaction' },
  { bit: 0x0208, name: 'Issuer script processing failed' },
  { bit: 0x0204, name: 'Offline dynamic data authentication failed on last transaction' },
  { bit: 0x0202, name: 'Offline dynamic data authentication performed' },
];

/** ISO 4217 numeric currency codes (a few). */
const CURRENCIES: Record<number, string> = {
  156: 'CNY', 344: 'HKD', 446: 'MOP', 901: 'TWD', 840: 'USD', 978: 'EUR', 826: 'GBP', 392: 'JPY',
  410: 'KRW', 702: 'SGD', 764: 'THB', 458: 'MYR', 643: 'RUB', 36: 'AUD', 124: 'CAD', 756: 'CHF',
};
/** ISO 3166 numeric country codes (a few). */
const COUNTRIES: Record<number, string> = {
  156: 'China', 344: 'Hong Kong', 446: 'Macao', 158: 'Taiwan', 840: 'United States', 826: 'United Kingdom',
  392: 'Japan', 410: 'Korea', 702: 'Singapore', 764: 'Thailand', 458: 'Malaysia', 643: 'Russia',
  250: 'France', 276: 'Germany', 528: 'Netherlands', 36: 'Australia', 124: 'Canada', 756: 'Switzerland',
};

/** AIDs (qpboc-facts §1.1 and the major international RIDs); the longest matching prefix wins. */
const AIDS: [string, string][] = [
  ['A000000333010101', 'UnionPay Debit'],
  ['A000000333010102', 'UnionPay Credit'],
  ['A000000333010103', 'UnionPay Quasi-credit'],
  ['A000000333010106', 'UnionPay Electronic Cash'],
  ['A000000333010108', 'U.S. UnionPay Common Debit'],
  ['A000000333', 'China UnionPay'],
  ['A000000632010105', 'China T-Union transit e-purse'],
  ['A000000632010106', 'China T-Union transit'],
  ['A000000632', 'China T-Union'],
  ['A0000000031010', 'Visa Debit/Credit'],
  ['A0000000032010', 'Visa Electron'],
  ['A0000000038010', 'Visa Plus'],
  ['A000000003', 'Visa'],
  ['A0000000041010', 'Mastercard Credit/Debit'],
  ['A0000000043060', 'Maestro'],
  ['A000000004', 'Mastercard'],
  ['A000000025', 'American Express'],
  ['A000000065', 'JCB'],
  ['A000000152', 'Discover'],
];

/** Transaction types 9C (ISO 8583 processing code, first two digits; PBOC load types). */
const TX_TYPES: Record<string, string> = {
  '00': 'Purchase of goods or services',
  '01': 'Cash',
  '09': 'Purchase with cashback',
  '20': 'Refund',
  '30': 'Balance inquiry',
  '31': 'Balance inquiry',
  '60': 'Electronic cash load (designated account)',
  '62': 'Electronic cash load (non-designated account)',
  '63': 'Electronic cash load (cash)',
};

/** The CAPP transaction indicator DF60 (qpboc-facts §4.2). */
const CAPP_INDICATOR: Record<number, string> = {
  0: 'Normal transaction',
  1: 'Segmented deduction (SP)',
  2: 'Offline pre-authorisation (OP)',
  3: 'Pre-authorisation completion (OPC)',
};

const AMOUNT_TAGS = new Set([0x9f02, 0x9f03, 0x9f79, 0x9f5d, 0x9f77, 0x9f78, 0x9f6d, 0xdf62, 0xdf63, 0x9f7b, 0x9f6b, 0xdf79, 0x9f54, 0x9f5c, 0x9f75, 0xdf19, 0xdf20, 0xdf21]);
const DATE_TAGS = new Set([0x9a, 0x5f24, 0x5f25]);
const CURRENCY_TAGS = new Set([0x5f2a, 0x9f42, 0x9f51, 0x9f3b, 0x9f3c, 0x9f76]);
const COUNTRY_TAGS = new Set([0x9f1a, 0x5f28, 0x9f57]);
const TEXT_TAGS = new Set([0x50, 0x9f12, 0x5f20, 0x84, 0x5f2d, 0x9f4e, 0x5f50, 0x9f0b, 0x9f1c, 0x9f1e, 0x9f16, 0x89, 0x8a, 0x9f74, 0x5f55, 0x5f56]);
const AID_TAGS = new Set([0x4f, 0x84, 0x9f06]);

/** "12.34" from minor units (exponent 2, as CNY). */
export function formatAmount(minor: number): string {
  const units = Math.floor(minor / 100);
  const cents = minor % 100;
  return `${units}.${cents < 10 ? '0' : ''}${cents}`;
}

function printable(v: Uint8Array): string | undefined {
  if (v.length === 0) return undefined;
  for (const b of v) if (b < 0x20 || b > 0x7e) return undefined;
  return String.fromCharCode(...v);
}

function bcdNumber(v: Uint8Array): number | undefined {
  if (v.length === 0 || v.length > 7) return undefined;
  const n = readAmount(v, 0, v.length);
  return n < 0 ? undefined : n;
}

function aidName(v: Uint8Array): string | undefined {
  const hex = toHex(v);
  let best: [string, string] | undefined;
  for (const e of AIDS) if (hex.startsWith(e[0]) && (!best || e[0].length > best[0].length)) best = e;
  return best?.[1];
}

function bitsOrNone(names: string[]): string {
  return names.length ? names.join('\n') : 'no bits set';
}

function describeIad(v: Uint8Array): string | undefined {
  // PBOC IAD: 07 | DKI | CVN | CVR (03 + 3 bytes) | algorithm id | … (qpboc-facts §1.9).
  if (v.length < 7 || v[0] !== 0x07 || v[3] !== 0x03) return undefined;
  const cvr2 = v[4]!;
  const first = (cvr2 & 0x30) === 0x20 ? 'ARQC' : (cvr2 & 0x30) === 0x10 ? 'TC' : (cvr2 & 0x30) === 0 ? 'AAC' : 'RFU';
  const second = (cvr2 & 0xc0) === 0x80 ? 'not requested' : (cvr2 & 0xc0) === 0x40 ? 'TC' : (cvr2 & 0xc0) === 0 ? 'AAC' : 'RFU';
  const lines = [`PBOC IAD: DKI ${toHex(v, 1, 2)}, CVN ${toHex(v, 2, 3)}, CVR ${toHex(v, 3, 7)}`, `GPO/1st GEN AC: ${first}; 2nd GEN AC: ${second}`];
  lines.push(...describeBits(CVR_BITS, v.subarray(4, 7)));
  if (v.length > 7) lines.push(`algorithm id ${toHex(v, 7, 8)}`);
  return lines.join('\n');
}

function describeCid(v: Uint8Array): string | undefined {
  if (v.length !== 1) return undefined;
  const b = v[0]!;
  const type = ['AAC', 'TC', 'ARQC', 'RFU (AAR)'][b >> 6]!;
  const lines = [type];
  if (b & 0x08) lines.push('Advice required');
  const reason = ['', 'Service not allowed', 'PIN try limit exceeded', 'Issuer authentication failed'][b & 0x07];
  if (reason) lines.push(reason);
  return lines.join('\n');
}

function describeAfl(v: Uint8Array): string | undefined {
  if (v.length === 0 || v.length % 4 !== 0) return undefined;
  const lines: string[] = [];
  for (let i = 0; i < v.length; i += 4)
    lines.push(`SFI ${v[i]! >> 3}: records ${v[i + 1]}–${v[i + 2]}, ${v[i + 3]} for ODA`);
  return lines.join('\n');
}

/** A short description of a value, or undefined when there is nothing more to say than its hex. */
export function describeValue(tag: number, value: Uint8Array, context: TagContext = 'qpboc'): string | undefined {
  // Collision tags (qpboc-facts §9) mean something else outside qPBOC: only describe qPBOC meanings.
  if (context !== 'qpboc' && tagInfo(tag, 'qpboc')?.other?.[context]) return undefined;
  const v = value;
  if (AMOUNT_TAGS.has(tag)) {
    const n = bcdNumber(v);
    return n === undefined ? undefined : formatAmount(n);
  }
  if (DATE_TAGS.has(tag)) {
    const d = v.length === 3 ? readYymmdd(v, 0) : -1;
    if (d < 0) return undefined;
    const s = String(d);
    return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  }
  if (CURRENCY_TAGS.has(tag)) {
    const n = v.length === 2 ? bcdNumber(v) : undefined;
    return n === undefined ? undefined : CURRENCIES[n];
  }
  if (COUNTRY_TAGS.has(tag)) {
    const n = v.length === 2 ? bcdNumber(v) : undefined;
    return n === undefined ? undefined : COUNTRIES[n];
  }
  if (AID_TAGS.has(tag)) {
    const name = aidName(v);
    if (name) return name;
  }
  if (TEXT_TAGS.has(tag)) {
    const t = printable(v);
    return t === undefined ? undefined : t.trim() === '' ? '(blank)' : t.trimEnd();
  }
  switch (tag) {
    case 0x9f66:
      return v.length === 4 ? bitsOrNone(describeBits(TTQ_BITS, v)) : undefined;
    case 0x9f6c:
      return v.length === 2 ? bitsOrNone(describeBits(CTQ_BITS, v)) : undefined;
    case 0x82:
      return v.length === 2 ? bitsOrNone(describeBits(AIP_BITS, v)) : undefined;
    case 0x95:
      return v.length === 5 ? bitsOrNone(describeBits(TVR_BITS, v)) : undefined;
    case 0x9b:
      return v.length === 2 ? bitsOrNone(describeBits(TSI_BITS, v)) : undefined;
    case 0x9f07:
      return v.length === 2 ? bitsOrNone(describeBits(AUC_BITS, v)) : undefined;
    case 0x9f27:
      return describeCid(v);
    case 0x9f10:
      return describeIad(v);
    case 0x94:
      return describeAfl(v);
    case 0x9c:
      return v.length === 1 ? TX_TYPES[toHex(v)] : undefined;
    case 0x9f36:
      return v.length === 2 ? `ATC ${(v[0]! << 8) | v[1]!}` : undefined;
    case 0x5a: {
      const pan = toHex(v).replace(/F+$/, '');
      return /^\d+$/.test(pan) ? pan : undefined;
    }
    case 0x57: {
      const m = /^(\d{12,19})D(\d{4})(\d{3})/.exec(toHex(v));
      return m ? `PAN ${m[1]}, expiry ${m[2]!.slice(0, 2)}/${m[2]!.slice(2)} (YY/MM), service code ${m[3]}` : undefined;
    }
    case 0x9f4d:
    case 0xdf4d:
      return v.length === 2 ? `SFI ${v[0]}, ${v[1]} records` : undefined;
    case 0xdf60:
      return v.length === 1 ? CAPP_INDICATOR[v[0]!] : undefined;
    case 0xdf69:
      return v.length === 1 ? (v[0] === 1 ? 'SM algorithms supported' : v[0] === 0 ? 'DES/RSA only' : undefined) : undefined;
    case 0x9f7a:
      return v.length === 1 ? (v[0] === 1 ? 'Electronic cash allowed' : v[0] === 0 ? 'Electronic cash not allowed' : undefined) : undefined;
    case 0x9f69:
      // JCA layout: fDDA version | card UN (4) | CTQ (2) | DF61 (qpboc-facts §1.11).
      return v.length >= 7 ? `fDDA version ${toHex(v, 0, 1)}, card unpredictable number ${toHex(v, 1, 5)}, CTQ ${toHex(v, 5, 7)}` : undefined;
    case 0x9f21: {
      if (v.length !== 3 || bcdNumber(v) === undefined) return undefined;
      const t = toHex(v);
      return `${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`;
    }
  }
  return undefined;
}
