/**
 * RSA public operation for ODA (EMV Book 2 Annex A2.1: X = S^e mod n, e ∈ {3, 2^16+1}, n ≤ 2048
 * bits) with Montgomery multiplication on preallocated limb arrays: `RsaEngine.recover` allocates
 * nothing.
 *
 * Limbs are 22 bits stored in Float64Arrays, least significant first. Why 22: a limb product is
 * < 2^44, so a whole product-scanning column (≤ 2·94 products for 2048 bits) sums exactly in one
 * double (< 2^53) and the inner loop has no carry handling at all; carries are split once per column
 * with `Math.floor(x * 2^-22)` (exact: multiplying by a power of two). Low-limb products mod 2^22 use
 * `Math.imul` (operands < 2^22, so the low bits are exact). No BigInt, no 32×32→64 emulation; V8
 * keeps every value an unboxed double. Measured figures: bench/oda.bench.ts.
 *
 * `RsaKey` holds everything that depends only on the modulus — n in limbs, n' = −n⁻¹ mod 2^22,
 * R² and R³ mod n (R = 2^(22·s)) — computed once in `set()` (also allocation-free), so a CA key or
 * a cached issuer key costs nothing extra per tap.
 */

const LIMB_BITS = 22;
const BASE = 0x400000; // 2^22
const MASK = BASE - 1;
const INV_BASE = 1 / BASE; // 2^-22, exact

/** 2^k for k in [0, 40). */
const POW2 = new Float64Array(40);
for (let k = 0; k < 40; k++) POW2[k] = 2 ** k;

/** Limb count for a modulus of `bytes` bytes. */
export function limbsFor(bytes: number): number {
  return Math.ceil((bytes * 8) / LIMB_BITS);
}

/** Big-endian `buf[off, off+len)` → `s` little-endian limbs. */
function loadLimbs(buf: Uint8Array, off: number, len: number, limbs: Float64Array, s: number): void {
  let v = 0;
  let bits = 0;
  let k = 0;
  for (let i = off + len - 1; i >= off; i--) {
    v += buf[i]! * POW2[bits]!;
    bits += 8;
    if (bits >= LIMB_BITS) {
      limbs[k++] = v & MASK; // v < 2^30
      v = Math.floor(v * INV_BASE);
      bits -= LIMB_BITS;
    }
  }
  if (k < s) limbs[k++] = v;
  while (k < s) limbs[k++] = 0;
}

/** `s` limbs → big-endian `out[off, off+len)` (the value must fit). */
function storeLimbs(limbs: Float64Array, s: number, out: Uint8Array, off: number, len: number): void {
  let acc = 0;
  let accBits = 0;
  let k = 0;
  for (let i = off + len - 1; i >= off; i--) {
    if (accBits < 8) {
      acc += (k < s ? limbs[k]! : 0) * POW2[accBits]!;
      k++;
      accBits += LIMB_BITS;
    }
    out[i] = acc & 0xff;
    acc = Math.floor(acc / 256);
    accBits -= 8;
  }
}

/** a ≥ b over `s` limbs. */
function geq(a: Float64Array, b: Float64Array, s: number): boolean {
  for (let i = s - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i]! > b[i]!;
  }
  return true;
}

/** a −= b over `s` limbs (a ≥ b, or a has a carry limb the caller drops). */
function subInPlace(a: Float64Array, b: Float64Array, s: number): void {
  let borrow = 0;
  for (let i = 0; i < s; i++) {
    let d = a[i]! - b[i]! - borrow;
    if (d < 0) {
      d += BASE;
      borrow = 1;
    } else borrow = 0;
    a[i] = d;
  }
}

/**
 * out = a·b·R⁻¹ mod n, product-scanning Montgomery ("FIPS", Koç–Acar–Kaliski 1996 §4.5). Each
 * column sums up to 2s limb products (< 2·94·2^44 < 2^52 for 2048 bits) in one double with no carry
 * split inside the inner loop; the carry is taken once per column. `m` (s limbs) and `u` (s+1
 * limbs) are scratch; `out` may alias `a` or `b`. Inputs < n, output < n.
 *
 * Measured (bench/oda.bench.ts, Node 20.20 x64): the first version, operand-scanning CIOS on 26-bit
 * limbs with a carry split after every multiply, took 193 µs for a 1984-bit e=3 recovery, 82 µs
 * for 1408, 51 µs for 1024 — 2–4× slower than BigInt. This layout removes the per-multiply split.
 */
function montMul(a: Float64Array, b: Float64Array, n: Float64Array, s: number, nPrime: number, m: Float64Array, u: Float64Array, out: Float64Array): void {
  let acc = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < i; j++) acc += a[j]! * b[i - j]! + m[j]! * n[i - j]!;
    acc += a[i]! * b[0]!;
    const lo = acc - Math.floor(acc * INV_BASE) * BASE;
    const mi = Math.imul(lo, nPrime) & MASK;
    m[i] = mi;
    acc = (acc + mi * n[0]!) * INV_BASE; // exact: the low limb is now zero
  }
  for (let i = s; i < 2 * s; i++) {
    for (let j = i - s + 1; j < s; j++) acc += a[j]! * b[i - j]! + m[j]! * n[i - j]!;
    const c = Math.floor(acc * INV_BASE);
    u[i - s] = acc - c * BASE;
    acc = c;
  }
  u[s] = acc;
  if (acc !== 0 || geq(u, n, s)) subInPlace(u, n, s);
  for (let k = 0; k < s; k++) out[k] = u[k]!;
}

/** a[off, off+s) ≥ b[0, s). */
function geqAt(a: Float64Array, off: number, b: Float64Array, s: number): boolean {
  for (let i = s - 1; i >= 0; i--) {
    if (a[off + i] !== b[i]) return a[off + i]! > b[i]!;
  }
  return true;
}

/**
 * out = a·b mod n without Montgomery form (a, b < n, s ≥ 4): a product-scanning schoolbook product
 * into `p` (2s+1 limbs scratch), then s reduction steps from the top, each removing one limb with a
 * quotient estimated from the top four limbs in floating point (as in `shiftMod`: the (s+1)-limb
 * window is < n·B, so the estimate is off by at most one; fix-ups handle that). `out` may alias `a`
 * or `b`. Needs nothing precomputed but n, so a key that is used once (the ICC key: one SDAD per
 * tap) skips R² and R³ entirely — see `RsaKey.set(…, precompute)`.
 */
function mulModPlain(a: Float64Array, b: Float64Array, n: Float64Array, s: number, p: Float64Array, out: Float64Array): void {
  // Product: column i sums ≤ s products < 2^44 (< 2^51 for s ≤ 94) plus a carry < 2^30: exact.
  let acc = 0;
  for (let i = 0; i < 2 * s - 1; i++) {
    const lo = i < s ? 0 : i - s + 1;
    const hi = i < s ? i : s - 1;
    for (let j = lo; j <= hi; j++) acc += a[j]! * b[i - j]!;
    const c = Math.floor(acc * INV_BASE);
    p[i] = acc - c * BASE;
    acc = c;
  }
  p[2 * s - 1] = acc; // a·b < n² < B^(2s)
  p[2 * s] = 0;
  const nTop = ((n[s - 1]! * BASE + n[s - 2]!) * BASE + n[s - 3]!) * BASE + n[s - 4]!;
  // Window p[w, w+s] (s+1 limbs) < n·B: true for w = s−1 since a·b/B^(s−1) < n·(n/B^(s−1)) < n·B,
  // and each step leaves a remainder < n in p[w, w+s) before the next lower limb joins it.
  for (let w = s - 1; w >= 0; w--) {
    const yTop = ((p[w + s]! * BASE + p[w + s - 1]!) * BASE + p[w + s - 2]!) * BASE + p[w + s - 3]!;
    const q = Math.floor((yTop * BASE) / nTop);
    let top = p[w + s]!;
    if (q > 0) {
      let borrow = 0;
      for (let i = 0; i < s; i++) {
        const v = p[w + i]! - q * n[i]! + borrow;
        borrow = Math.floor(v * INV_BASE);
        p[w + i] = v - borrow * BASE;
      }
      top += borrow;
    }
    while (top < 0) {
      let cc = 0;
      for (let i = 0; i < s; i++) {
        const v = p[w + i]! + n[i]! + cc;
        cc = v >= BASE ? 1 : 0;
        p[w + i] = v - cc * BASE;
      }
      top += cc;
    }
    while (top > 0 || geqAt(p, w, n, s)) {
      let bb = 0;
      for (let i = 0; i < s; i++) {
        let d = p[w + i]! - n[i]! - bb;
        if (d < 0) {
          d += BASE;
          bb = 1;
        } else bb = 0;
        p[w + i] = d;
      }
      top -= bb;
    }
    p[w + s] = 0;
  }
  for (let k = 0; k < s; k++) out[k] = p[k]!;
}

/** x = 2x mod n (x < n). */
function doubleMod(x: Float64Array, n: Float64Array, s: number): void {
  let c = 0;
  for (let i = 0; i < s; i++) {
    const v = x[i]! * 2 + c;
    c = v >= BASE ? 1 : 0;
    x[i] = v - c * BASE;
  }
  if (c !== 0 || geq(x, n, s)) subInPlace(x, n, s);
}

/**
 * x = x·2^k mod n for 1 ≤ k ≤ 22 (x < n, s ≥ 4), with `t` scratch of s+1 limbs. One shift pass,
 * one multiply-subtract pass with the quotient estimated from the top four limbs in floating point
 * (relative error ~2^-50, so the estimate is off by at most one), then a rare fix-up.
 */
function shiftMod(x: Float64Array, n: Float64Array, s: number, k: number, t: Float64Array): void {
  // Computed here, not passed in: a double argument to a call that is not inlined is boxed (16 B).
  const nTop = ((n[s - 1]! * BASE + n[s - 2]!) * BASE + n[s - 3]!) * BASE + n[s - 4]!;
  const f = POW2[k]!;
  let c = 0;
  for (let i = 0; i < s; i++) {
    const v = x[i]! * f + c;
    c = Math.floor(v * INV_BASE);
    t[i] = v - c * BASE;
  }
  t[s] = c;
  const yTop = ((t[s]! * BASE + t[s - 1]!) * BASE + t[s - 2]!) * BASE + t[s - 3]!;
  // y / n ≈ (yTop·B^(s−3)) / (nTop·B^(s−4))
  const q = Math.floor((yTop * BASE) / nTop);
  let top = t[s]!;
  if (q > 0) {
    let borrow = 0;
    for (let i = 0; i < s; i++) {
      const v = t[i]! - q * n[i]! + borrow;
      borrow = Math.floor(v * INV_BASE);
      t[i] = v - borrow * BASE;
    }
    top += borrow;
  }
  while (top < 0) {
    // q was one too large: add n back
    let cc = 0;
    for (let i = 0; i < s; i++) {
      const v = t[i]! + n[i]! + cc;
      cc = v >= BASE ? 1 : 0;
      t[i] = v - cc * BASE;
    }
    top += cc;
  }
  while (top > 0 || geq(t, n, s)) {
    // q was too small: subtract n
    let b = 0;
    for (let i = 0; i < s; i++) {
      let d = t[i]! - n[i]! - b;
      if (d < 0) {
        d += BASE;
        b = 1;
      } else b = 0;
      t[i] = d;
    }
    top -= b;
  }
  for (let i = 0; i < s; i++) x[i] = t[i]!;
}

/**
 * A public key prepared for Montgomery exponentiation. Preallocate one per slot (CA key, issuer
 * key, ICC key, cache entry) and `set()` it; `set` allocates nothing.
 */
export class RsaKey {
  /** Modulus length in bytes (N_CA, N_I, N_IC); 0 when empty. */
  byteLength = 0;
  /** Public exponent (3 or 65537). */
  exponent = 0;
  /** Modulus bytes, big-endian, in `modulus[0, byteLength)`. */
  readonly modulus: Uint8Array;
  /** Exponent bytes as given (1 or 3 bytes) in `exponentBytes[0, exponentLength)`. */
  readonly exponentBytes = new Uint8Array(4);
  exponentLength = 0;
  /** Limb count s. */
  limbs = 0;
  /** n' = −n⁻¹ mod 2^22. */
  nPrime = 0;
  readonly n: Float64Array;
  /** R² mod n, R = 2^(22·s). */
  readonly r2: Float64Array;
  /** R³ mod n (lets e = 3 skip the conversion into Montgomery form). */
  readonly r3: Float64Array;
  /**
   * True when R² (and R³ for e = 3) are ready, i.e. `recover` uses Montgomery products; false for a
   * key set with `precompute = false` (e = 3 only), which `recover` cubes with `mulModPlain`.
   */
  montgomery = false;
  private readonly m: Float64Array;
  private readonly u: Float64Array;

  constructor(readonly maxBytes = 256) {
    const maxLimbs = limbsFor(maxBytes);
    this.modulus = new Uint8Array(maxBytes);
    this.n = new Float64Array(maxLimbs);
    this.r2 = new Float64Array(maxLimbs);
    this.r3 = new Float64Array(maxLimbs);
    this.m = new Float64Array(maxLimbs);
    this.u = new Float64Array(maxLimbs + 1);
  }

  /** Convenience: a key from hex or bytes (allocates; setup and CLI). Throws on a bad key. */
  static from(modulus: Uint8Array, exponent: Uint8Array, maxBytes = Math.max(256, modulus.length)): RsaKey {
    const k = new RsaKey(maxBytes);
    if (!k.set(modulus, 0, modulus.length, exponent, 0, exponent.length)) throw new RangeError('RsaKey.from: modulus must be odd and ≤ maxBytes, exponent 3 or 65537');
    return k;
  }

  clear(): void {
    this.byteLength = 0;
    this.exponent = 0;
    this.limbs = 0;
    this.montgomery = false;
  }

  /**
   * Loads modulus `mod[mOff, mOff+mLen)` and exponent `exp[eOff, eOff+eLen)`; precomputes n' and
   * R² mod n. Returns false (key cleared) when the modulus is empty, even, longer than maxBytes, has
   * a leading zero byte, or the exponent is not 3 or 65537 (EMV Book 2 §5.1, §6.1).
   *
   * `precompute = false` skips R² / R³ for e = 3 (ignored for e = 65537 and moduli under 4 limbs):
   * for a key used for one signature, as the ICC key is (one SDAD per tap). Measured (2-core machine,
   * Node 20.20, load ~2.5, same process, same 1024-bit e = 3 key): set with R² + R³ 24.4 µs + Montgomery
   * recovery 30.9 µs = 55 µs, vs set without 0.8 µs + plain recovery 46.3 µs = 47 µs. A plain recovery
   * alone is slower than a Montgomery one (1408: 68 vs 48 µs), so keys reused across taps (CA keys,
   * cached issuer keys) keep the default. In the kernel (bench/kernel.bench.ts, debit-ec fDDA,
   * alternating runs): 6.3k / 7.2k taps/s before, 9.7k / 10.1k after.
   */
  set(mod: Uint8Array, mOff: number, mLen: number, exp: Uint8Array, eOff: number, eLen: number, precompute = true): boolean {
    this.clear();
    if (mLen < 1 || mLen > this.maxBytes || mod[mOff] === 0 || (mod[mOff + mLen - 1]! & 1) === 0) return false;
    if (eLen < 1 || eLen > 3) return false;
    let e = 0;
    for (let i = 0; i < eLen; i++) e = e * 256 + exp[eOff + i]!;
    if (e !== 3 && e !== 65537) return false;
    for (let i = 0; i < mLen; i++) this.modulus[i] = mod[mOff + i]!;
    for (let i = 0; i < eLen; i++) this.exponentBytes[i] = exp[eOff + i]!;
    this.exponentLength = eLen;
    const s = limbsFor(mLen);
    loadLimbs(mod, mOff, mLen, this.n, s);
    this.nPrime = negInverse(this.n[0]!);
    if (precompute || e !== 3 || s < 4) {
      this.computeR2(s, mod[mOff]!, mLen);
      if (e === 3) montMul(this.r2, this.r2, this.n, s, this.nPrime, this.m, this.u, this.r3); // R⁴/R = R³
      this.montgomery = true;
    }
    this.limbs = s;
    this.exponent = e;
    this.byteLength = mLen;
    return true;
  }

  /**
   * R² mod n = 2^(2L) mod n (L = 22·s) without BigInt: x = 2^(nb−1) (< n), then shifted left
   * 22 bits at a time mod n (`shiftMod`, one estimated quotient per step): about s+1 steps of ~2
   * linear passes. Measured (RsaKey.set, 1984 / 1024 bits): the previous method — single-bit
   * doublings to 2^(L+L/8), three Montgomery squarings, then halvings (the best of 1, 2, 3 and 5
   * squarings) — took 169 / 73 µs; figures for this one in bench/oda.bench.ts (oda-key).
   */
  private computeR2(s: number, topByte: number, mLen: number): void {
    const x = this.r2;
    const n = this.n;
    const L = LIMB_BITS * s;
    let topBits = 8;
    while ((topByte & 0x80) === 0) {
      topByte <<= 1;
      topBits--;
    }
    const nb = (mLen - 1) * 8 + topBits;
    for (let i = 0; i < s; i++) x[i] = 0;
    const b = nb - 1;
    x[Math.floor(b / LIMB_BITS)] = POW2[b % LIMB_BITS]!;
    let remaining = 2 * L - b;
    if (s < 4) {
      for (; remaining > 0; remaining--) doubleMod(x, n, s);
      return;
    }
    while (remaining > 0) {
      const k = remaining > LIMB_BITS ? LIMB_BITS : remaining;
      shiftMod(x, n, s, k, this.u);
      remaining -= k;
    }
  }
}

/** −n0⁻¹ mod 2^22 for odd n0 (Newton: each step doubles the correct low bits, 3 → 48). */
function negInverse(n0: number): number {
  let x = n0; // n0·n0 ≡ 1 mod 8
  for (let i = 0; i < 4; i++) x = Math.imul(x, 2 - Math.imul(n0, x));
  return (BASE - (x & MASK)) & MASK;
}

/**
 * Raw RSA public operation with preallocated scratch. One engine per kernel; `recover` allocates
 * nothing and is synchronous.
 */
export class RsaEngine {
  private readonly a: Float64Array;
  private readonly aM: Float64Array;
  private readonly x: Float64Array;
  private readonly m: Float64Array;
  private readonly u: Float64Array;
  private readonly one: Float64Array;
  private readonly p: Float64Array;

  constructor(readonly maxBytes = 256) {
    const maxLimbs = limbsFor(maxBytes);
    this.p = new Float64Array(2 * maxLimbs + 1);
    this.a = new Float64Array(maxLimbs);
    this.aM = new Float64Array(maxLimbs);
    this.x = new Float64Array(maxLimbs);
    this.m = new Float64Array(maxLimbs);
    this.u = new Float64Array(maxLimbs + 1);
    this.one = new Float64Array(maxLimbs);
  }

  /**
   * X = S^e mod n into `out[outOff, outOff + key.byteLength)`. Returns false (out untouched) when
   * the key is empty, |S| ≠ |n| (EMV Book 2 §5.3 step 1, §6.3 step 1) or S ≥ n.
   */
  recover(sig: Uint8Array, sigOff: number, sigLen: number, key: RsaKey, out: Uint8Array, outOff: number): boolean {
    const s = key.limbs;
    if (s === 0 || sigLen !== key.byteLength || sigLen > this.maxBytes) return false;
    const n = key.n;
    const a = this.a;
    loadLimbs(sig, sigOff, sigLen, a, s);
    if (geq(a, n, s)) return false;
    const m = this.m;
    const u = this.u;
    const x = this.x;
    const np = key.nPrime;
    const e = key.exponent;
    if (!key.montgomery) {
      // e = 3 without R² / R³ (RsaKey.set precompute = false): S·S mod n, then ·S mod n.
      mulModPlain(a, a, n, s, this.p, x);
      mulModPlain(x, a, n, s, this.p, x);
    } else if (e === 3) {
      // Three products instead of four: S·S/R, ·S/R → S³/R², ·R³/R → S³.
      montMul(a, a, n, s, np, m, u, x);
      montMul(x, a, n, s, np, m, u, x);
      montMul(x, key.r3, n, s, np, m, u, x);
    } else {
      const aM = this.aM;
      montMul(a, key.r2, n, s, np, m, u, aM); // S·R mod n
      for (let i = 0; i < s; i++) x[i] = aM[i]!;
      for (let bit = 30 - Math.clz32(e); bit >= 0; bit--) {
        montMul(x, x, n, s, np, m, u, x);
        if ((e >>> bit) & 1) montMul(x, aM, n, s, np, m, u, x);
      }
      const one = this.one;
      one[0] = 1;
      for (let i = 1; i < s; i++) one[i] = 0;
      montMul(x, one, n, s, np, m, u, x); // leave Montgomery form
    }
    storeLimbs(x, s, out, outOff, sigLen);
    return true;
  }
}
