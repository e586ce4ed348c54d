/**
 * Builds BER-TLV into a preallocated buffer. Templates are opened and closed; a template's length
 * is back-patched on close (the value is shifted right when its length needs the long form).
 * Overflowing the buffer throws RangeError: buffers are sized at construction, so that is a
 * programming error, not card behaviour.
 */
import { tagByteLength } from './cursor.js';

/** Bytes a BER length field takes for `len` (EMV: at most 3 length bytes after 8x). */
export function lengthFieldSize(len: number): number {
  return len < 0x80 ? 1 : len <= 0xff ? 2 : len <= 0xffff ? 3 : 4;
}

export class TlvWriter {
  buf: Uint8Array;
  /** Bytes written so far (the next write position). */
  length = 0;
  private readonly open_: Int32Array;
  private depth = 0;

  constructor(buf: Uint8Array | number, maxDepth = 8) {
    this.buf = typeof buf === 'number' ? new Uint8Array(buf) : buf;
    this.open_ = new Int32Array(maxDepth);
  }

  /** Starts again at `start` (of the same or another buffer). */
  reset(buf: Uint8Array = this.buf, start = 0): this {
    this.buf = buf;
    this.length = start;
    this.depth = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.length + n > this.buf.length)
      throw new RangeError(`TlvWriter: buffer of ${this.buf.length} bytes is too small (need ${this.length + n})`);
  }

  /** Writes a tag (1–3 bytes). */
  tag(tag: number): this {
    const n = tagByteLength(tag);
    this.ensure(n);
    const b = this.buf;
    if (n === 3) b[this.length++] = (tag >>> 16) & 0xff;
    if (n >= 2) b[this.length++] = (tag >>> 8) & 0xff;
    b[this.length++] = tag & 0xff;
    return this;
  }

  /** Writes a length field. */
  len(len: number): this {
    if (len < 0 || len > 0xffffff) throw new RangeError(`TLV length out of range: ${len}`);
    const n = lengthFieldSize(len);
    this.ensure(n);
    const b = this.buf;
    if (n === 1) b[this.length++] = len;
    else {
      b[this.length++] = 0x80 | (n - 1);
      for (let i = n - 2; i >= 0; i--) b[this.length++] = (len >>> (8 * i)) & 0xff;
    }
    return this;
  }

  /** Writes raw bytes. */
  raw(src: Uint8Array, off = 0, len = src.length - off): this {
    this.ensure(len);
    const b = this.buf;
    const o = this.length;
    // A plain loop: `subarray` would allocate a view per call.
    for (let i = 0; i < len; i++) b[o + i] = src[off + i]!;
    this.length = o + len;
    return this;
  }

  /** Writes a primitive object with a value copied from `src[off, off+len)`. */
  put(tag: number, src: Uint8Array, off = 0, len = src.length - off): this {
    return this.tag(tag).len(len).raw(src, off, len);
  }

  /** Writes a primitive object of one byte. */
  putByte(tag: number, value: number): this {
    this.tag(tag).len(1);
    this.ensure(1);
    this.buf[this.length++] = value & 0xff;
    return this;
  }

  /** Writes a primitive object holding `value` as a big-endian unsigned integer of `size` bytes. */
  putUint(tag: number, value: number, size: number): this {
    this.tag(tag).len(size);
    this.ensure(size);
    for (let i = size - 1; i >= 0; i--) this.buf[this.length++] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    return this;
  }

  /** Opens a constructed template; close it with `close()`. */
  open(tag: number): this {
    if (this.depth >= this.open_.length) throw new RangeError('TlvWriter: templates nested too deep');
    this.tag(tag);
    this.ensure(1);
    this.open_[this.depth++] = this.length; // where the length byte goes
    this.buf[this.length++] = 0;
    return this;
  }

  /** Closes the innermost open template, back-patching its length. */
  close(): this {
    if (this.depth === 0) throw new RangeError('TlvWriter: close() without open()');
    const at = this.open_[--this.depth]!;
    const valueStart = at + 1;
    const len = this.length - valueStart;
    const n = lengthFieldSize(len);
    if (n > 1) {
      // Shift the value right to make room for the long form.
      this.ensure(n - 1);
      this.buf.copyWithin(valueStart + n - 1, valueStart, this.length);
      this.length += n - 1;
      this.buf[at] = 0x80 | (n - 1);
      for (let i = 0; i < n - 1; i++) this.buf[at + 1 + i] = (len >>> (8 * (n - 2 - i))) & 0xff;
    } else this.buf[at] = len;
    return this;
  }

  /** A copy of what was written (allocates; for setup and tests). */
  toBytes(start = 0): Uint8Array {
    if (this.depth !== 0) throw new RangeError('TlvWriter: a template is still open');
    return this.buf.slice(start, this.length);
  }
}
