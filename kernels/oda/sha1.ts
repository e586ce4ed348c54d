/**
 * SHA-1 (FIPS 180-4 §6.1) for the ODA hot path: one instance is created with the kernel and reused;
 * `reset` / `update(buf, off, len)` / `digestInto(out, off)` allocate nothing.
 *
 * Why not `@noble/hashes/legacy.js` `sha1.create()`: in noble 2.4 `update(data)` takes a whole
 * Uint8Array (a slice of the response buffer would need `subarray`, one allocation per call) and
 * `digestInto(out)` wraps `out` in a new DataView (`createView(out)`), so every certificate check
 * would allocate. noble stays the reference in the tests (sha1.test.ts).
 */
export class Sha1 {
  private readonly w = new Int32Array(80);
  private readonly block = new Uint8Array(64);
  private h0 = 0;
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;
  private blockLen = 0;
  /** Total message length in bytes (a Number: exact up to 2^53). */
  private total = 0;

  constructor() {
    this.reset();
  }

  reset(): this {
    this.h0 = 0x67452301;
    this.h1 = 0xefcdab89 | 0;
    this.h2 = 0x98badcfe | 0;
    this.h3 = 0x10325476;
    this.h4 = 0xc3d2e1f0 | 0;
    this.blockLen = 0;
    this.total = 0;
    return this;
  }

  /** Absorbs `buf[off, off+len)`. */
  update(buf: Uint8Array, off: number, len: number): this {
    const block = this.block;
    this.total += len;
    let i = off;
    const end = off + len;
    if (this.blockLen > 0) {
      while (i < end && this.blockLen < 64) block[this.blockLen++] = buf[i++]!;
      if (this.blockLen < 64) return this;
      this.compress(block, 0);
      this.blockLen = 0;
    }
    while (end - i >= 64) {
      this.compress(buf, i);
      i += 64;
    }
    while (i < end) block[this.blockLen++] = buf[i++]!;
    return this;
  }

  /** Writes the 20-byte digest to `out[off, off+20)`; the instance must be `reset` before reuse. */
  digestInto(out: Uint8Array, off: number): void {
    const block = this.block;
    const bits = this.total * 8;
    let n = this.blockLen;
    block[n++] = 0x80;
    if (n > 56) {
      while (n < 64) block[n++] = 0;
      this.compress(block, 0);
      n = 0;
    }
    while (n < 56) block[n++] = 0;
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    block[56] = hi >>> 24;
    block[57] = hi >>> 16;
    block[58] = hi >>> 8;
    block[59] = hi;
    block[60] = lo >>> 24;
    block[61] = lo >>> 16;
    block[62] = lo >>> 8;
    block[63] = lo;
    this.compress(block, 0);
    writeWord(out, off, this.h0);
    writeWord(out, off + 4, this.h1);
    writeWord(out, off + 8, this.h2);
    writeWord(out, off + 12, this.h3);
    writeWord(out, off + 16, this.h4);
  }

  private compress(buf: Uint8Array, p: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++, p += 4) w[t] = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = this.h0, b = this.h1, c = this.h2, d = this.h3, e = this.h4;
    for (let t = 0; t < 80; t++) {
      let f: number, k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    this.h0 = (this.h0 + a) | 0;
    this.h1 = (this.h1 + b) | 0;
    this.h2 = (this.h2 + c) | 0;
    this.h3 = (this.h3 + d) | 0;
    this.h4 = (this.h4 + e) | 0;
  }
}

function writeWord(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}

/** One-shot SHA-1 (allocates the result; for setup, CLI and tests). */
export function sha1(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  new Sha1().update(data, 0, data.length).digestInto(out, 0);
  return out;
}
