/**
 * The 64-byte-block Merkle–Damgård framing that SHA-1 (FIPS 180-4 §5.1.1) and SM3 (GB/T 32905
 * §5.2) share: buffer the message into blocks, compress each whole block straight from the caller's
 * buffer (no copy), and pad with 0x80, zeros and the 64-bit big-endian bit length. A subclass
 * supplies its compression function and its chaining value. Allocation-free after construction.
 */
export abstract class MdBlockHash {
  /** Bytes of the current, not yet compressed block. */
  private readonly block = new Uint8Array(64);
  private blockLen = 0;
  /** Message length in bytes so far (a Number: exact up to 2^53). */
  private total = 0;

  /** Compresses `src[off, off+64)` into the chaining value. */
  protected abstract compress(src: Uint8Array, off: number): void;

  /** Forgets the buffered bytes and the length (the subclass resets its chaining value). */
  protected restart(): void {
    this.blockLen = 0;
    this.total = 0;
  }

  /** Absorbs `buf[off, off+len)`. */
  protected absorb(buf: Uint8Array, off: number, len: number): void {
    const block = this.block;
    this.total += len;
    let i = off;
    const end = off + len;
    if (this.blockLen > 0) {
      while (i < end && this.blockLen < 64) block[this.blockLen++] = buf[i++]!;
      if (this.blockLen < 64) return;
      this.compress(block, 0);
      this.blockLen = 0;
    }
    while (end - i >= 64) {
      this.compress(buf, i);
      i += 64;
    }
    while (i < end) block[this.blockLen++] = buf[i++]!;
  }

  /** Pads and compresses the last block(s); the chaining value is then the digest. */
  protected pad(): void {
    const block = this.block;
    const bitsHigh = Math.floor(this.total / 0x20000000); // total * 8 / 2^32
    const bitsLow = (this.total * 8) >>> 0;
    let n = this.blockLen;
    block[n++] = 0x80;
    if (n > 56) {
      while (n < 64) block[n++] = 0;
      this.compress(block, 0);
      n = 0;
    }
    while (n < 56) block[n++] = 0;
    writeU32(block, 56, bitsHigh);
    writeU32(block, 60, bitsLow);
    this.compress(block, 0);
  }
}

/** Big-endian 32-bit word `x` into `out[off, off+4)`. */
export function writeU32(out: Uint8Array, off: number, x: number): void {
  out[off] = x >>> 24;
  out[off + 1] = x >>> 16;
  out[off + 2] = x >>> 8;
  out[off + 3] = x;
}
