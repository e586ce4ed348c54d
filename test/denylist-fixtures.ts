/**
 * Deny-list test and bench inputs: `n` distinct entry hashes without hashing `n` PANs (10M SHA-256
 * runs would dominate the test). Hash i is drawn uniformly from the i-th of n equal slices of the
 * 64-bit space, so the list is sorted, unique and uniformly spread, as real SHA-256 hashes are.
 */
import { prng } from './prng.js';

/** `n` sorted, distinct 8-byte big-endian hashes from a seeded PRNG. */
export function sortedRandomHashes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n * 8);
  const v = new DataView(out.buffer);
  let ph = -1, pl = 0;
  for (let i = 0; i < n; i++) {
    let hi = Math.floor(((i + r()) / n) * 4294967296);
    let lo = Math.floor(r() * 4294967296);
    if (hi > 0xffffffff) hi = 0xffffffff;
    if (hi < ph || (hi === ph && lo <= pl)) {
      // Rounding put this draw at or below its predecessor: take the next value up.
      hi = ph;
      lo = pl + 1;
      if (lo > 0xffffffff) { hi++; lo = 0; }
    }
    v.setUint32(i * 8, hi);
    v.setUint32(i * 8 + 4, lo);
    ph = hi;
    pl = lo;
  }
  return out;
}
