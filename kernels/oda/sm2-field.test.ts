import { describe, it, expect } from 'vitest';
import {
  fe, feAdd, feCanon, feEqual, feFromBigInt, feInv, feIsZero, feMul, feMulSmall, feSqr, feSub, feToBigInt, type Fe,
} from './sm2-ecc.js';
import { SM2_CURVE } from './sm2.js';

const { p } = SM2_CURVE;
const mod = (v: bigint) => ((v % p) + p) % p;

/** Reproducible pseudo-random 256-bit values (xorshift-style LCG over bigint). */
function* randoms(seed: bigint, count: number): Generator<bigint> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 0x5851f42d4c957f2dn + 0x14057b7ef767814fn) & ((1n << 256n) - 1n);
    x ^= x >> 97n;
    yield x;
  }
}

/** Loose limbs for v with large, mixed-sign limbs: v = Σ limb·2^(16i) with |limb| up to `max`. */
function looseLimbs(v: bigint, max: number, seed: number): Fe {
  const a = feFromBigInt(v);
  // Move value between limbs: limb i += k·2^16, limb i+1 −= k (value unchanged).
  let s = seed;
  for (let i = 0; i < 15; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const k = (s % (Math.floor(max / 65536) - 1)) * (s & 1 ? 1 : -1);
    if (Math.abs(a[i]! + k * 65536) <= max && Math.abs(a[i + 1]! - k) <= max) {
      a[i] = a[i]! + k * 65536;
      a[i + 1] = a[i + 1]! - k;
    }
  }
  return a;
}

describe('sm2p256v1 field arithmetic on 16-bit limbs (cross-checked with BigInt)', () => {
  it('multiplies, squares, adds, subtracts and inverts like BigInt mod p', () => {
    const vals = [0n, 1n, 2n, p - 1n, p - 2n, (1n << 255n), (1n << 256n) - 1n - p, 0xffffn, ...randoms(7n, 300)].map(mod);
    const a = fe(), b = fe(), out = fe();
    for (let i = 0; i < vals.length; i++) {
      const x = vals[i]!, y = vals[(i * 7 + 3) % vals.length]!;
      feFromBigInt(x, a);
      feFromBigInt(y, b);
      feMul(out, a, b);
      expect(feToBigInt(out), `mul ${i}`).toBe(mod(x * y));
      feSqr(out, a);
      expect(feToBigInt(out), `sqr ${i}`).toBe(mod(x * x));
      feAdd(out, a, b);
      expect(feToBigInt(out)).toBe(mod(x + y));
      feSub(out, a, b);
      expect(feToBigInt(out)).toBe(mod(x - y));
      feMulSmall(out, a, 8);
      expect(feToBigInt(out)).toBe(mod(8n * x));
      if (i < 20) {
        feInv(out, a);
        expect(feToBigInt(out)).toBe(x === 0n ? 0n : modPow(x, p - 2n));
      }
    }
  });

  it('stays exact for inputs with limbs up to ±2^21 (the documented bound), including values ≥ p and < 0', () => {
    const out = fe();
    let i = 0;
    let largest = 0;
    for (const v of randoms(99n, 200)) {
      const x = v, y = (v * 3n + 5n) & ((1n << 256n) - 1n);
      const a = looseLimbs(x, 2 ** 21, i + 1), b = looseLimbs(y, 2 ** 21, i + 7);
      // a's value is x exactly (limbs only moved); negate half of them limb-wise.
      const neg = (i & 1) === 1;
      if (neg) for (let l = 0; l < 16; l++) a[l] = -a[l]!;
      const xv = neg ? -x : x;
      for (let l = 0; l < 16; l++) largest = Math.max(largest, Math.abs(a[l]!), Math.abs(b[l]!));
      feMul(out, a, b);
      expect(feToBigInt(out), `mul ${i}`).toBe(mod(xv * y));
      for (let l = 0; l < 16; l++) expect(out[l]! >= -17 && out[l]! <= 65536 + 17, `loose limb ${l} = ${out[l]}`).toBe(true);
      feSqr(out, a);
      expect(feToBigInt(out), `sqr ${i}`).toBe(mod(xv * xv));
      for (let l = 0; l < 16; l++) expect(out[l]! >= -17 && out[l]! <= 65536 + 17, `loose limb ${l} = ${out[l]}`).toBe(true);
      i++;
    }
    expect(largest).toBeGreaterThan(2 ** 20.9); // the inputs did reach the bound
  });

  it('the fold of columns 30..16 grows a column bound by less than 2^5.2 (why ±2^21 limbs are safe)', () => {
    // Column i ≥ 16 adds into i−2, i−10, i−12 (negated) and i−16; worst case: all columns at the bound.
    const m = new Array<number>(31).fill(1);
    for (let i = 30; i >= 16; i--) for (const d of [2, 10, 12, 16]) m[i - d]! += m[i]!;
    const growth = Math.max(...m);
    expect(Math.log2(growth)).toBeLessThan(5.2);
    // 16 products of two 21-bit limbs (2^46) times the growth, plus carries, stays below 2^53.
    expect(46 + Math.log2(growth)).toBeLessThan(52);
  });

  it('canonicalises: p ≡ 0, p + 1 ≡ 1, equality mod p', () => {
    const a = feFromBigInt(p);
    expect(feIsZero(a)).toBe(true);
    const b = feFromBigInt(p + 1n); // p + 1 < 2^256
    feCanon(b);
    expect(feToBigInt(b)).toBe(1n);
    expect(feEqual(feFromBigInt(5n), feFromBigInt(p + 5n))).toBe(true);
    expect(feEqual(feFromBigInt(5n), feFromBigInt(6n))).toBe(false);
  });
});

function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return r;
}
