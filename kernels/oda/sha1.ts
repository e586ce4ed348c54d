/**
 * SHA-1 (FIPS 180-4 §6.1) for the ODA hot path: one instance is created with the kernel and reused;
 * `reset` / `update(buf, off, len)` / `digestInto(out, off)` allocate nothing.
 *
 * Why not `@noble/hashes/legacy.js` `sha1.create()`: in noble 2.4 `update(data)` takes a whole
 * Uint8Array (a slice of the response buffer would need `subarray`, one allocation per call) and
 * `digestInto(out)` wraps `out` in a new DataView (`createView(out)`), so every certificate check
 * would allocate. noble stays the reference in the tests (sha1.test.ts).
 */
import { MdBlockHash, writeU32 } from './md-block.js';

export class Sha1 extends MdBlockHash {
  private readonly w = new Int32Array(80);
  private h0 = 0;
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;

  constructor() {
    super();
    this.reset();
  }

  reset(): this {
    this.h0 = 0x67452301;
    this.h1 = 0xefcdab89 | 0;
    this.h2 = 0x98badcfe | 0;
    this.h3 = 0x10325476;
    this.h4 = 0xc3d2e1f0 | 0;
    this.restart();
    return this;
  }

  /** Absorbs `buf[off, off+len)`. */
  update(buf: Uint8Array, off: number, len: number): this {
    this.absorb(buf, off, len);
    return this;
  }

  /** Writes the 20-byte digest to `out[off, off+20)`; the instance must be `reset` before reuse. */
  digestInto(out: Uint8Array, off: number): void {
    this.pad();
    writeU32(out, off, this.h0);
    writeU32(out, off + 4, this.h1);
    writeU32(out, off + 8, this.h2);
    writeU32(out, off + 12, this.h3);
    writeU32(out, off + 16, this.h4);
  }

  protected compress(buf: Uint8Array, p: number): void {
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

/** One-shot SHA-1 (allocates the result; for setup, CLI and tests). */
export function sha1(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  new Sha1().update(data, 0, data.length).digestInto(out, 0);
  return out;
}
