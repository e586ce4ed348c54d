/**
 * SM3 cryptographic hash (GB/T 32905-2016; also GM/T 0004-2012, ISO/IEC 10118-3:2018).
 *
 * 256-bit digest, 64-byte blocks, Merkle–Damgård with SHA-256-style padding (§5.3).
 * `Sm3` is allocation-free after construction: the chaining value, the message expansion
 * W[0..67] (§5.3.2) and the partial block live in preallocated typed arrays and are reused
 * across messages, so the ODA hot path can hash certificate ‖ static data without garbage.
 * @noble/hashes has no SM3, hence this implementation.
 */

import { MdBlockHash, writeU32 } from './md-block.js';

/** Initial value IV (GB/T 32905 §4.1). */
const IV = Int32Array.from([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);

/** T_j <<< (j mod 32) (§4.2, §5.3.3), precomputed once. */
const T_ROT = new Int32Array(64);
for (let j = 0; j < 64; j++) {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
  const r = j % 32;
  T_ROT[j] = r === 0 ? t : (t << r) | (t >>> (32 - r));
}

export const SM3_DIGEST_LENGTH = 32;
export const SM3_BLOCK_LENGTH = 64;

export class Sm3 extends MdBlockHash {
  /** Chaining value V_i = A..H. */
  private readonly v = new Int32Array(8);
  /** Message expansion W_0..W_67 (§5.3.2); W'_j = W_j ^ W_{j+4} is computed inline. */
  private readonly w = new Int32Array(68);

  constructor() {
    super();
    this.reset();
  }

  /** Starts a new message. */
  reset(): this {
    this.v.set(IV);
    this.restart();
    return this;
  }

  /** Absorbs `buf[off, off+len)`. */
  update(buf: Uint8Array, off = 0, len = buf.length - off): this {
    if (off < 0 || len < 0 || off + len > buf.length) throw new RangeError(`Sm3.update: range [${off}, ${off + len}) outside buffer of ${buf.length}`);
    this.absorb(buf, off, len);
    return this;
  }

  /**
   * Pads (§5.2), writes the 32-byte digest to `out[off, off+32)` and resets, so the object is
   * ready for the next message.
   */
  digestInto(out: Uint8Array, off = 0): Uint8Array {
    if (off < 0 || off + 32 > out.length) throw new RangeError(`Sm3.digestInto: need 32 bytes at offset ${off}, buffer has ${out.length}`);
    this.pad(); // §5.2
    const v = this.v;
    for (let i = 0; i < 8; i++) writeU32(out, off + 4 * i, v[i]!);
    this.reset();
    return out;
  }

  /** Compression function CF(V, B) (§5.3.3) on `src[off, off+64)`. */
  protected compress(src: Uint8Array, off: number): void {
    const w = this.w;
    for (let j = 0; j < 16; j++) {
      const o = off + 4 * j;
      w[j] = (src[o]! << 24) | (src[o + 1]! << 16) | (src[o + 2]! << 8) | src[o + 3]!;
    }
    for (let j = 16; j < 68; j++) {
      // W_j = P1(W_{j-16} ^ W_{j-9} ^ (W_{j-3} <<< 15)) ^ (W_{j-13} <<< 7) ^ W_{j-6}
      const x = w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15);
      w[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!;
    }
    const v = this.v;
    let a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
    // Rounds 0..15: FF = GG = X ^ Y ^ Z.
    for (let j = 0; j < 16; j++) {
      const a12 = rotl(a, 12);
      const ss1 = rotl((a12 + e + T_ROT[j]!) | 0, 7);
      const ss2 = ss1 ^ a12;
      const tt1 = ((a ^ b ^ c) + d + ss2 + (w[j]! ^ w[j + 4]!)) | 0;
      const tt2 = ((e ^ f ^ g) + h + ss1 + w[j]!) | 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17); // P0
    }
    // Rounds 16..63: FF = majority, GG = choose.
    for (let j = 16; j < 64; j++) {
      const a12 = rotl(a, 12);
      const ss1 = rotl((a12 + e + T_ROT[j]!) | 0, 7);
      const ss2 = ss1 ^ a12;
      const tt1 = (((a & b) | (a & c) | (b & c)) + d + ss2 + (w[j]! ^ w[j + 4]!)) | 0;
      const tt2 = (((e & f) | (~e & g)) + h + ss1 + w[j]!) | 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
    }
    v[0] ^= a; v[1] ^= b; v[2] ^= c; v[3] ^= d;
    v[4] ^= e; v[5] ^= f; v[6] ^= g; v[7] ^= h;
  }
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

const shared = new Sm3();

/** SM3 digest of `bytes` (allocates the 32-byte result; for setup, CLI and tests). */
export function sm3(bytes: Uint8Array): Uint8Array {
  return shared.reset().update(bytes, 0, bytes.length).digestInto(new Uint8Array(32), 0);
}
