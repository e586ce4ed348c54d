/**
 * SM2 certification-authority public keys and the certificate revocation list for the PBOC
 * "national algorithm" ODA (JR/T 0025.17; qpboc-facts §3.1).
 *
 * SM CA keys live in a store separate from the RSA CAPKs (QK EMVParam keeps a separate
 * `capk_sm.app`): the same RID and index may name an RSA key and an SM2 key. Keys are
 * validated and precomputed when added (configuration time), so look-ups on the tap path are a
 * linear scan over a handful of entries with no allocation.
 */
import { Sm2PublicKey } from './sm2.js';
import { fromHex, bytesEqual } from '../util/hex.js';

export type SmCapk = {
  /** Registered application provider identifier, 5 bytes (A000000333 for UnionPay). */
  readonly rid: Uint8Array;
  /** CA public key index (8F), 0..255. */
  readonly index: number;
  /** The CA key (precomputed unless added with `precompute: false`). */
  readonly key: Sm2PublicKey;
  /** Expiry as YYYYMMDD (e.g. 20301231), or 0 when none was given. */
  readonly expiry: number;
};

export type SmCapkInput = {
  rid: Uint8Array | string;
  index: number | string;
  /** x ‖ y (64 bytes) or 04 ‖ x ‖ y, bytes or hex. */
  publicKey: Uint8Array | string;
  /** YYMMDD or YYYYMMDD (digits), optional. */
  expiry?: string;
  /** Build the W = 8 fixed-base table now (270 KB, ~30–50 ms once; default true). False for one-shot use (CLI). */
  precompute?: boolean;
};

export class SmCapkStore {
  private readonly keys: SmCapk[] = [];

  /** Adds (or replaces) a CA key. Throws TypeError/RangeError for unusable configuration. */
  add(input: SmCapkInput): SmCapk {
    const rid = typeof input.rid === 'string' ? fromHex(input.rid, 'rid') : input.rid.slice();
    if (rid.length !== 5) throw new TypeError(`rid: expected 5 bytes, got ${rid.length}`);
    const index = parseIndex(input.index);
    const key = Sm2PublicKey.from(input.publicKey, 'publicKey');
    if (input.precompute !== false) key.precompute();
    const capk: SmCapk = { rid, index, key, expiry: input.expiry === undefined ? 0 : parseCapkExpiry(input.expiry) };
    const at = this.find(rid, 0, index);
    if (at >= 0) this.keys[at] = capk;
    else this.keys.push(capk);
    return capk;
  }

  /** The key for RID `rid[ridOff, +5)` and `index`, or null. Allocation-free. */
  get(rid: Uint8Array, ridOff: number, index: number): SmCapk | null {
    const at = this.find(rid, ridOff, index);
    return at >= 0 ? this.keys[at]! : null;
  }

  remove(rid: Uint8Array, ridOff: number, index: number): boolean {
    const at = this.find(rid, ridOff, index);
    if (at < 0) return false;
    this.keys.splice(at, 1);
    return true;
  }

  get size(): number {
    return this.keys.length;
  }

  private find(rid: Uint8Array, ridOff: number, index: number): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.index === index && bytesEqual(k.rid, 0, rid, ridOff, 5)) return i;
    }
    return -1;
  }
}

/** True when the CA key has expired at `transactionDate` (YYMMDD as a number, e.g. 250101). */
export function smCapkExpired(capk: SmCapk, transactionDate: number): boolean {
  return capk.expiry !== 0 && fullDate(transactionDate) > capk.expiry;
}

/**
 * Certification revocation list: RID (5) ‖ CA index (1) ‖ certificate serial number (3)
 * (EMV Book 2 §5.3 step 10 / §6.3; the PBOC SM issuer certificate carries the same serial).
 */
export class SmRevocationList {
  /** Entries packed 9 bytes each. */
  private entries = new Uint8Array(0);
  private count = 0;

  add(rid: Uint8Array | string, index: number | string, serial: Uint8Array | string): void {
    const r = typeof rid === 'string' ? fromHex(rid, 'rid') : rid;
    const s = typeof serial === 'string' ? fromHex(serial, 'serial') : serial;
    if (r.length !== 5) throw new TypeError(`rid: expected 5 bytes, got ${r.length}`);
    if (s.length !== 3) throw new TypeError(`serial: expected 3 bytes, got ${s.length}`);
    const idx = parseIndex(index);
    if (this.has(r, 0, idx, s, 0)) return;
    const grown = new Uint8Array((this.count + 1) * 9);
    grown.set(this.entries.subarray(0, this.count * 9));
    grown.set(r, this.count * 9);
    grown[this.count * 9 + 5] = idx;
    grown.set(s, this.count * 9 + 6);
    this.entries = grown;
    this.count++;
  }

  /** True when RID ‖ index ‖ serial is listed. Allocation-free. */
  has(rid: Uint8Array, ridOff: number, index: number, serial: Uint8Array, serialOff: number): boolean {
    const e = this.entries;
    for (let i = 0; i < this.count; i++) {
      const o = i * 9;
      if (e[o + 5] === index && bytesEqual(e, o, rid, ridOff, 5) && bytesEqual(e, o + 6, serial, serialOff, 3)) return true;
    }
    return false;
  }

  get size(): number {
    return this.count;
  }
}

function parseIndex(index: number | string): number {
  const n = typeof index === 'string' ? parseInt(index, 16) : index;
  if (!Number.isInteger(n) || n < 0 || n > 255 || (typeof index === 'string' && !/^[0-9a-fA-F]{1,2}$/.test(index))) {
    throw new RangeError(`index: expected one byte (0..255 or 2 hex digits), got ${JSON.stringify(index)}`);
  }
  return n;
}

function parseCapkExpiry(s: string): number {
  if (!/^(\d{6}|\d{8})$/.test(s)) throw new TypeError(`expiry: expected YYMMDD or YYYYMMDD, got ${JSON.stringify(s)}`);
  return s.length === 8 ? Number(s) : fullDate(Number(s));
}

/** YYMMDD → YYYYMMDD with the EMV century window (YY < 50 → 20YY). */
function fullDate(yymmdd: number): number {
  const yy = Math.floor(yymmdd / 10000);
  return (yy < 50 ? 20000000 : 19000000) + yymmdd;
}
