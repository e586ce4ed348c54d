/**
 * TagStore: the kernel's data-element store, a map from numeric tag to a value slice held in the
 * store's own backing buffer. Everything is preallocated at construction; `set`, `has`, `offset`
 * and `storeTlv` allocate nothing (DESIGN: hot-path rules).
 *
 * Layout: an open-addressing hash table (linear probing) of Int32Arrays — key, value offset, value
 * length — sized to a power of two ≥ 2 × maxTags, so probes stay short. Values are appended to `buf`;
 * a value replaced by a longer one is appended again (the old bytes are abandoned until `clear()`),
 * which is fine for one transaction's worth of data.
 */
import { TlvCursor, TlvError, type TlvErrorCode } from '../tlv/cursor.js';

/** `storeTlv` result when the store ran out of room (bytes or tags): not a TLV error. */
export const TAG_STORE_FULL = 100;

const EMPTY_KEY = -1;

export class TagStore {
  /** The backing buffer: a tag's value is `buf[offset(tag), offset(tag) + length(tag))`. */
  readonly buf: Uint8Array;
  readonly maxTags: number;
  /** Number of distinct tags stored. */
  count = 0;
  /** Bytes of `buf` in use. */
  used = 0;
  /** Set by `storeTlv` when a primitive tag was already in the store (first value kept). */
  duplicate = false;
  /** The first duplicated tag seen by the last `storeTlv`, or -1. */
  duplicateTag = -1;

  private readonly keys: Int32Array;
  private readonly offs: Int32Array;
  private readonly lens: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacityBytes = 4096, maxTags = 128) {
    if (!Number.isInteger(capacityBytes) || capacityBytes < 1) throw new RangeError(`capacityBytes must be a positive integer, got ${capacityBytes}`);
    if (!Number.isInteger(maxTags) || maxTags < 1 || maxTags > 65536) throw new RangeError(`maxTags must be an integer in 1..65536, got ${maxTags}`);
    this.buf = new Uint8Array(capacityBytes);
    this.maxTags = maxTags;
    let size = 4;
    let bits = 2;
    while (size < maxTags * 2) {
      size *= 2;
      bits++;
    }
    this.mask = size - 1;
    this.shift = 32 - bits;
    this.keys = new Int32Array(size).fill(EMPTY_KEY);
    this.offs = new Int32Array(size);
    this.lens = new Int32Array(size);
  }

  /** Forgets every tag (start of a transaction). */
  clear(): void {
    this.keys.fill(EMPTY_KEY);
    this.count = 0;
    this.used = 0;
    this.duplicate = false;
    this.duplicateTag = -1;
  }

  /** Slot index holding `tag`, or the empty slot where it would go. */
  private slot(tag: number): number {
    // Fibonacci hashing spreads the clustered EMV tag values (9F02, 9F03, …) over the table.
    let i = Math.imul(tag, 0x9e3779b1) >>> this.shift;
    const keys = this.keys;
    for (;;) {
      const k = keys[i]!;
      if (k === tag || k === EMPTY_KEY) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** True when `tag` is stored. */
  has(tag: number): boolean {
    return this.keys[this.slot(tag)] === tag;
  }

  /** Offset of `tag`'s value in `buf`, or -1 when absent. */
  offset(tag: number): number {
    const i = this.slot(tag);
    return this.keys[i] === tag ? this.offs[i]! : -1;
  }

  /** Length of `tag`'s value, or -1 when absent. */
  length(tag: number): number {
    const i = this.slot(tag);
    return this.keys[i] === tag ? this.lens[i]! : -1;
  }

  /** First byte of `tag`'s value, or -1 when absent or empty. */
  byte(tag: number, index = 0): number {
    const i = this.slot(tag);
    if (this.keys[i] !== tag || index >= this.lens[i]!) return -1;
    return this.buf[this.offs[i]! + index]!;
  }

  /** Reserves `len` bytes for `tag` and returns their offset in `buf`, or -1 when the store is full. */
  reserve(tag: number, len: number): number {
    const i = this.slot(tag);
    const known = this.keys[i] === tag;
    if (known && len <= this.lens[i]!) {
      this.lens[i] = len; // shorter or equal: reuse the old bytes
      return this.offs[i]!;
    }
    if (!known && this.count >= this.maxTags) return -1;
    if (this.used + len > this.buf.length) return -1;
    if (!known) {
      this.keys[i] = tag;
      this.count++;
    }
    this.offs[i] = this.used;
    this.lens[i] = len;
    this.used += len;
    return this.offs[i]!;
  }

  /** Stores `src[off, off+len)` as `tag`'s value (replacing any old value). False when full. */
  set(tag: number, src: Uint8Array, off: number, len: number): boolean {
    const o = this.reserve(tag, len);
    if (o < 0) return false;
    const b = this.buf;
    for (let i = 0; i < len; i++) b[o + i] = src[off + i]!;
    return true;
  }

  /** Stores a one-byte value. */
  setByte(tag: number, value: number): boolean {
    const o = this.reserve(tag, 1);
    if (o < 0) return false;
    this.buf[o] = value;
    return true;
  }

  /** Stores `value` as a big-endian unsigned integer of `size` bytes (1–6). */
  setUint(tag: number, value: number, size: number): boolean {
    const o = this.reserve(tag, size);
    if (o < 0) return false;
    let v = value;
    for (let i = o + size - 1; i >= o; i--) {
      const b = v % 256;
      this.buf[i] = b;
      v = (v - b) / 256;
    }
    return true;
  }

  /** Copies `tag`'s value to `out[outOff…]`; returns the bytes copied or -1 when absent. */
  copyTo(tag: number, out: Uint8Array, outOff: number): number {
    const i = this.slot(tag);
    if (this.keys[i] !== tag) return -1;
    const o = this.offs[i]!;
    const n = this.lens[i]!;
    for (let k = 0; k < n; k++) out[outOff + k] = this.buf[o + k]!;
    return n;
  }

  /**
   * Walks the TLV region `buf[off, off+len)` with `cursor`, entering every template, and stores every
   * primitive object. Returns TlvError.None, a TlvError code for malformed data, or TAG_STORE_FULL.
   *
   * Duplicates: EMV Book 3 §10.2 makes a data object that occurs twice (within a record, or a record
   * repeating one already read) a reason to terminate; the first value is kept and `duplicate` /
   * `duplicateTag` report it, so the kernel decides.
   */
  storeTlv(buf: Uint8Array, off: number, len: number, cursor: TlvCursor): TlvErrorCode | typeof TAG_STORE_FULL {
    this.duplicate = false;
    this.duplicateTag = -1;
    const c = cursor;
    c.reset(buf, off, off + len);
    for (;;) {
      if (c.next()) {
        if (c.constructed) {
          if (!c.enter()) return c.error;
          continue;
        }
        if (this.has(c.tag)) {
          if (!this.duplicate) {
            this.duplicate = true;
            this.duplicateTag = c.tag;
          }
          continue;
        }
        if (!this.set(c.tag, buf, c.valueOffset, c.length)) return TAG_STORE_FULL;
        continue;
      }
      if (c.error !== TlvError.None) return c.error;
      if (c.depth === 0) return TlvError.None;
      c.leave();
    }
  }
}
