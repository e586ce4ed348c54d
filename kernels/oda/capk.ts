/**
 * Certification Authority public keys (RSA) and the certificate revocation list.
 * EMV Book 2 §5.2 / §6.2: the terminal selects the CA key by RID (first 5 bytes of the AID) and
 * the CA Public Key Index (tag 8F). Keys are loaded once (configuration; allocation and exceptions
 * allowed there); `lookup`, `isExpired` and `RevocationList.isRevoked` allocate nothing.
 * The SM2 CA key store is separate (kernels/oda sm modules).
 */
import { ShanfuError } from '../util/errors.js';
import { bytesEqual, fromHex, toHex } from '../util/hex.js';
import { RsaKey } from './rsa.js';
import { Sha1 } from './sha1.js';

/** One RSA CA public key. */
export class CapkEntry {
  /** RID, 5 bytes. */
  readonly rid = new Uint8Array(5);
  readonly key: RsaKey;
  /** Expiry as yyyymmdd (inclusive), 0 when none. */
  expiry = 0;
  constructor(
    rid: Uint8Array,
    readonly index: number,
    key: RsaKey,
    expiry: number,
  ) {
    this.rid.set(rid.subarray(0, 5));
    this.key = key;
    this.expiry = expiry;
  }
  /** "A000000333/08" (allocates; messages and logs). */
  get name(): string {
    return `${toHex(this.rid)}/${this.index.toString(16).toUpperCase().padStart(2, '0')}`;
  }
}

export type CapkInput = {
  rid: string | Uint8Array;
  index: number | string;
  modulus: string | Uint8Array;
  exponent: string | Uint8Array;
  /** YYMMDD or YYYYMMDD (digits), or a number yyyymmdd. */
  expiry?: string | number;
  /** SHA-1(RID ‖ index ‖ modulus ‖ exponent), verified when given. */
  checksum?: string | Uint8Array;
};

const bytesOf = (v: string | Uint8Array, what: string) => (typeof v === 'string' ? fromHex(v, what) : v);

/** Parses "YYMMDD" / "YYYYMMDD" / yyyymmdd into yyyymmdd; RangeError naming `what` when invalid. */
export function parseExpiry(v: string | number, what: string): number {
  const s = String(v).trim();
  if (!/^(\d{6}|\d{8})$/.test(s)) throw new RangeError(`${what}: expiry must be YYMMDD or YYYYMMDD, got ${JSON.stringify(v)}`);
  const full = s.length === 6 ? (Number(s.slice(0, 2)) < 50 ? '20' : '19') + s : s;
  const mm = Number(full.slice(4, 6));
  const dd = Number(full.slice(6, 8));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new RangeError(`${what}: invalid expiry date ${JSON.stringify(v)}`);
  return Number(full);
}

/** SHA-1(RID ‖ index ‖ modulus ‖ exponent) — the CAPK check value (DF03). */
export function capkChecksum(rid: Uint8Array, index: number, modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const h = new Sha1();
  const idx = new Uint8Array([index]);
  h.update(rid, 0, rid.length).update(idx, 0, 1).update(modulus, 0, modulus.length).update(exponent, 0, exponent.length);
  const out = new Uint8Array(20);
  h.digestInto(out, 0);
  return out;
}

/** Small numeric bucket key (a Smi) from RID bytes 3–4 and the index. */
function bucketKey(rid: Uint8Array, ridOff: number, index: number): number {
  return ((rid[ridOff + 3]! << 16) | (rid[ridOff + 4]! << 8) | index) & 0xffffff;
}

export class CapkStore {
  private readonly buckets = new Map<number, CapkEntry[]>();
  private count = 0;

  constructor(readonly maxModulusBytes = 256) {}

  get size(): number {
    return this.count;
  }

  /**
   * Adds (or replaces) a key. Throws ShanfuError `config.capk-checksum` naming the key when the
   * checksum is wrong, RangeError/TypeError naming the field for malformed values.
   */
  add(input: CapkInput): CapkEntry {
    const rid = bytesOf(input.rid, 'capk.rid');
    if (rid.length !== 5) throw new RangeError(`capk.rid: must be 5 bytes, got ${rid.length}`);
    const index = typeof input.index === 'number' ? input.index : parseInt(input.index, 16);
    if (!Number.isInteger(index) || index < 0 || index > 255) throw new RangeError(`capk.index: must be one byte, got ${JSON.stringify(input.index)}`);
    const name = `${toHex(rid)}/${index.toString(16).toUpperCase().padStart(2, '0')}`;
    const modulus = bytesOf(input.modulus, `capk ${name} modulus`);
    const exponent = bytesOf(input.exponent, `capk ${name} exponent`);
    if (input.checksum !== undefined) {
      const want = bytesOf(input.checksum, `capk ${name} checksum`);
      const got = capkChecksum(rid, index, modulus, exponent);
      if (want.length !== 20 || !bytesEqual(want, 0, got, 0, 20))
        throw new ShanfuError('config.capk-checksum', `CA public key ${name}: checksum ${toHex(want)} does not match SHA-1(RID‖index‖modulus‖exponent) = ${toHex(got)}; the key data is corrupt or belongs to another key — reload it from the acquirer's key file`);
    }
    const key = new RsaKey(Math.max(this.maxModulusBytes, modulus.length));
    if (!key.set(modulus, 0, modulus.length, exponent, 0, exponent.length))
      throw new RangeError(`CA public key ${name}: unusable key (modulus ${modulus.length} bytes, exponent ${toHex(exponent)}); the modulus must be odd and at most ${this.maxModulusBytes} bytes, the exponent 03 or 010001`);
    const entry = new CapkEntry(rid, index, key, input.expiry === undefined ? 0 : parseExpiry(input.expiry, `CA public key ${name}`));
    const k = bucketKey(rid, 0, index);
    let bucket = this.buckets.get(k);
    if (!bucket) this.buckets.set(k, (bucket = []));
    for (let i = 0; i < bucket.length; i++) {
      if (bytesEqual(bucket[i]!.rid, 0, rid, 0, 5)) {
        bucket[i] = entry;
        return entry;
      }
    }
    bucket.push(entry);
    this.count++;
    return entry;
  }

  /** Loads a JSON list `[{rid,index,modulus,exponent,expiry?,checksum?}]` (string or parsed). */
  loadJson(json: string | unknown): number {
    const list = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    if (!Array.isArray(list)) throw new TypeError('CAPK list: expected a JSON array of {rid,index,modulus,exponent,expiry?,checksum?}');
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as CapkInput;
      if (!e || typeof e !== 'object' || e.rid === undefined || e.index === undefined || e.modulus === undefined || e.exponent === undefined)
        throw new TypeError(`CAPK list entry ${i}: needs rid, index, modulus and exponent`);
      this.add(e);
    }
    return list.length;
  }

  /** The key for RID `rid[ridOff, ridOff+5)` and index, or null. Allocation-free. */
  lookup(rid: Uint8Array, ridOff: number, index: number): CapkEntry | null {
    const bucket = this.buckets.get(bucketKey(rid, ridOff, index));
    if (bucket === undefined) return null;
    for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i]!;
      if (e.index === index && bytesEqual(e.rid, 0, rid, ridOff, 5)) return e;
    }
    return null;
  }

  /** True when the key has an expiry before the transaction date (yyyymmdd). */
  static isExpired(entry: CapkEntry, transactionDate: number): boolean {
    return entry.expiry !== 0 && transactionDate > entry.expiry;
  }
}

/**
 * Certification revocation list (EMV Book 2 §5.3 step 10): RID ‖ CA index ‖ certificate serial.
 * `isRevoked` is a Map lookup on a Smi key plus a short bucket scan; allocation-free.
 */
export class RevocationList {
  private readonly buckets = new Map<number, Uint8Array[]>();

  /** Adds RID (5 bytes, hex) + index + serial (3 bytes, hex). */
  add(rid: string | Uint8Array, index: number | string, serial: string | Uint8Array): void {
    const r = bytesOf(rid, 'revocation rid');
    const s = bytesOf(serial, 'revocation serial');
    const idx = typeof index === 'number' ? index : parseInt(index, 16);
    if (r.length !== 5 || s.length !== 3 || !(idx >= 0 && idx <= 255)) throw new RangeError('revocation entry: rid must be 5 bytes, index one byte, serial 3 bytes');
    const entry = new Uint8Array(9);
    entry.set(r, 0);
    entry[5] = idx;
    entry.set(s, 6);
    const k = revocationKey(idx, (s[0]! << 16) | (s[1]! << 8) | s[2]!);
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = []));
    b.push(entry);
  }

  /** True when RID `rid[ridOff, +5)`, `index` and the 24-bit `serial` are listed. */
  isRevoked(rid: Uint8Array, ridOff: number, index: number, serial: number): boolean {
    const b = this.buckets.get(revocationKey(index, serial));
    if (b === undefined) return false;
    for (let i = 0; i < b.length; i++) {
      const e = b[i]!;
      if (e[5] === index && ((e[6]! << 16) | (e[7]! << 8) | e[8]!) === serial && bytesEqual(e, 0, rid, ridOff, 5)) return true;
    }
    return false;
  }
}

function revocationKey(index: number, serial: number): number {
  return (((index & 0x3f) << 24) | serial) & 0x3fffffff;
}
