/**
 * A BER-TLV cursor (EMV Book 3 Annex B) that walks a byte buffer by (tag, offset, length)
 * without creating objects or copying. One cursor is allocated up front and reused; `reset`
 * points it at a buffer, `next` steps over the objects of the current level, `enter`/`leave`
 * descend into and climb out of constructed templates.
 *
 * Card behaviour is data, not an exception: a malformed buffer makes `next()` return false with
 * `error` set to one of the TlvError codes and `errorOffset` at the offending byte.
 */

export const TlvError = {
  None: 0,
  /** A tag's subsequent bytes run past the end of the enclosing object. */
  TruncatedTag: 1,
  /** A tag longer than 3 bytes (EMV tags are at most 3 bytes here; see `maxTagBytes`). */
  TagTooLong: 2,
  /** The length field is missing or its long form runs past the end. */
  TruncatedLength: 3,
  /** Indefinite length (80) or a long form of more than 3 length bytes (84…). */
  BadLength: 4,
  /** The value runs past the end of the buffer or the enclosing template. */
  LengthOverrun: 5,
  /** Templates nested deeper than the cursor's limit. */
  TooDeep: 6,
  /** `enter()` called on a primitive object (a programming error in the caller). */
  NotConstructed: 7,
} as const;
export type TlvErrorCode = (typeof TlvError)[keyof typeof TlvError];

const ERROR_TEXT = [
  'no error',
  'truncated tag',
  'tag longer than 3 bytes',
  'truncated length',
  'unsupported length form',
  'length overruns the enclosing data',
  'nesting deeper than the limit',
  'not a constructed object',
] as const;

/** A readable reason for a TlvError code. */
export function tlvErrorText(code: number): string {
  return ERROR_TEXT[code] ?? `error ${code}`;
}

const EMPTY = new Uint8Array(0);
/** Default nesting limit: EMV responses nest 3–4 deep (6F > A5 > BF0C > 61); 16 leaves room. */
export const DEFAULT_MAX_DEPTH = 16;

export class TlvCursor {
  /** The buffer being walked. */
  buf: Uint8Array = EMPTY;
  /** The current object's tag as a number: 0x9F02, 0xDFDF39. */
  tag = 0;
  /** Offset of the current object's first tag byte. */
  tagOffset = 0;
  /** Offset of the current object's value. */
  valueOffset = 0;
  /** Length of the current object's value. */
  length = 0;
  /** True when the current object is a constructed template. */
  constructed = false;
  /** Why the last `next()` failed (TlvError.None when it did not). */
  error: TlvErrorCode = TlvError.None;
  /** Offset of the byte that caused `error`, or -1. */
  errorOffset = -1;
  /** Current nesting depth (0 = top level). */
  depth = 0;

  private pos = 0;
  private end = 0;
  private readonly ends: Int32Array;
  private readonly maxDepth: number;

  constructor(maxDepth = DEFAULT_MAX_DEPTH) {
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 255)
      throw new RangeError(`maxDepth must be an integer in 1..255, got ${maxDepth}`);
    this.maxDepth = maxDepth;
    this.ends = new Int32Array(maxDepth + 1);
  }

  /** Points the cursor at `buf[start, end)`, top level. */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end > buf.length ? buf.length : end;
    this.depth = 0;
    this.tag = 0;
    this.tagOffset = start;
    this.valueOffset = start;
    this.length = 0;
    this.constructed = false;
    this.error = TlvError.None;
    this.errorOffset = -1;
    return this;
  }

  /** End offset (exclusive) of the current object's value. */
  get valueEnd(): number {
    return this.valueOffset + this.length;
  }

  /**
   * Moves to the next object at the current level, skipping 00/FF padding (Book 3 Annex B).
   * Returns false at the end of the level, or on malformed data (then `error` is set).
   */
  next(): boolean {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    // Padding before, between and after objects: 00 (EMV Book 3 Annex B) and FF (ISO 7816-4).
    while (p < end && (buf[p] === 0x00 || buf[p] === 0xff)) p++;
    if (p >= end) {
      this.pos = end;
      return false;
    }
    this.tagOffset = p;
    const first = buf[p++]!;
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      // Subsequent tag bytes: b8 set means another byte follows. Tags of up to 3 bytes.
      let n = 1;
      for (;;) {
        if (p >= end) return this.fail(TlvError.TruncatedTag, p);
        const b = buf[p++]!;
        tag = (tag << 8) | b;
        n++;
        if ((b & 0x80) === 0) break;
        if (n >= 3) return this.fail(TlvError.TagTooLong, this.tagOffset);
      }
    }
    if (p >= end) return this.fail(TlvError.TruncatedLength, p);
    let len = buf[p++]!;
    if (len & 0x80) {
      const k = len & 0x7f;
      if (k === 0 || k > 3) return this.fail(TlvError.BadLength, p - 1);
      if (p + k > end) return this.fail(TlvError.TruncatedLength, p);
      len = 0;
      for (let i = 0; i < k; i++) len = len * 256 + buf[p++]!;
    }
    if (len > end - p) return this.fail(TlvError.LengthOverrun, this.tagOffset);
    this.tag = tag;
    this.constructed = (first & 0x20) !== 0;
    this.valueOffset = p;
    this.length = len;
    this.pos = p + len;
    return true;
  }

  /** Descends into the current constructed object; its children are walked by `next()`. */
  enter(): boolean {
    if (!this.constructed) return this.fail(TlvError.NotConstructed, this.tagOffset);
    if (this.depth >= this.maxDepth) return this.fail(TlvError.TooDeep, this.tagOffset);
    this.ends[this.depth++] = this.end;
    this.end = this.valueOffset + this.length;
    this.pos = this.valueOffset;
    return true;
  }

  /** Climbs back to the parent level, after the template last entered. */
  leave(): void {
    if (this.depth === 0) return;
    this.pos = this.end;
    this.end = this.ends[--this.depth]!;
  }

  private fail(code: TlvErrorCode, offset: number): false {
    this.error = code;
    this.errorOffset = offset;
    this.pos = this.end;
    return false;
  }

  /**
   * Depth-first search from the current position for the first object with `tag`, descending into
   * templates. On success the cursor is on that object (possibly nested); `depth` tells how deep.
   */
  find(tag: number): boolean {
    for (;;) {
      if (this.next()) {
        if (this.tag === tag) return true;
        if (this.constructed && !this.enter()) return false;
        continue;
      }
      if (this.error !== TlvError.None || this.depth === 0) return false;
      this.leave();
    }
  }

  /**
   * Walks the whole of `buf[start, end)` and every template in it; returns TlvError.None when all of it
   * is well-formed, else the error (with `errorOffset`).
   */
  validate(buf: Uint8Array, start = 0, end = buf.length): TlvErrorCode {
    this.reset(buf, start, end);
    for (;;) {
      if (this.next()) {
        if (this.constructed && !this.enter()) return this.error;
        continue;
      }
      if (this.error !== TlvError.None) return this.error;
      if (this.depth === 0) return TlvError.None;
      this.leave();
    }
  }
}

/** Number of bytes in a numeric tag (1–3). */
export function tagByteLength(tag: number): number {
  return tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
}

/** Uppercase hex of a numeric tag: 0x9F02 → "9F02". */
export function tagHex(tag: number): string {
  const s = tag.toString(16).toUpperCase();
  return s.length % 2 ? '0' + s : s;
}

/** True when a numeric tag's first byte marks a constructed object. */
export function isConstructedTag(tag: number): boolean {
  const first = tag > 0xffff ? tag >>> 16 : tag > 0xff ? tag >>> 8 : tag;
  return (first & 0x20) !== 0;
}

/** Parses "9F02" into 0x9F02; throws TypeError for anything that is not a 1–3 byte tag. */
export function parseTag(hex: string): number {
  if (!/^([0-9a-fA-F]{2}){1,3}$/.test(hex)) throw new TypeError(`not a tag: ${JSON.stringify(hex)}`);
  return parseInt(hex, 16);
}
