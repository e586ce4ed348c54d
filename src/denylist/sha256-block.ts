/**
 * SHA-256 (FIPS 180-4 §6.2) of a message that fits one 64-byte block (≤ 55 bytes), allocation-free:
 * the deny-list lookup hashes salt ‖ PAN ‖ PSN (≤ 37 bytes) on every tap, so it works over
 * preallocated buffers (DESIGN.md hot-path rules). Checked against @noble/hashes sha256 in
 * sha256-block.test.ts. Bulk hashing (file checksums) uses node:crypto instead.
 */

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: initial hash value. */
const H0 = 0x6a09e667, H1 = 0xbb67ae85, H2 = 0x3c6ef372, H3 = 0xa54ff53a;
const H4 = 0x510e527f, H5 = 0x9b05688c, H6 = 0x1f83d9ab, H7 = 0x5be0cd19;

/** Longest message that fits one block with its padding (1 byte 0x80 + 8-byte length). */
export const ONE_BLOCK_MAX = 55;

/**
 * Hashes `block[0, len)` (len ≤ 55) and writes the first `words` 32-bit words of the digest
 * (big-endian words, as FIPS 180-4 §6.2.2 step 4 produces them) to `out[0, words)`. Pads `block`
 * in place (bytes len..63 are overwritten). `w` is a 64-word scratch schedule.
 */
export function sha256OneBlock(block: Uint8Array, len: number, w: Uint32Array, out: Uint32Array | Int32Array, words: number): void {
  // Padding (§5.1.1): 0x80, zeros, the bit length as a 64-bit big-endian integer (< 2^16 here).
  block[len] = 0x80;
  for (let i = len + 1; i < 62; i++) block[i] = 0;
  const bits = len * 8;
  block[62] = bits >>> 8;
  block[63] = bits & 0xff;
  // Message schedule (§6.2.2 step 1).
  for (let t = 0; t < 16; t++) {
    const j = t * 4;
    w[t] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  // Compression (§6.2.2 steps 2–3); int32 arithmetic throughout (| 0), so V8 keeps every value unboxed.
  let a = H0 | 0, b = H1 | 0, c = H2 | 0, d = H3 | 0, e = H4 | 0, f = H5 | 0, g = H6 | 0, h = H7 | 0;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  // Step 4, only the words asked for (the deny list keeps 2 of the 8).
  out[0] = a + H0;
  if (words > 1) out[1] = b + H1;
  if (words > 2) out[2] = c + H2;
  if (words > 3) out[3] = d + H3;
  if (words > 4) out[4] = e + H4;
  if (words > 5) out[5] = f + H5;
  if (words > 6) out[6] = g + H6;
  if (words > 7) out[7] = h + H7;
}
