/**
 * RSA public operation for ODA (EMV Book 2 Annex A2.1: X = S^e mod n, e ∈ {3, 2^16+1}, n ≤ 2048
 * bits) with Montgomery multiplication on preallocated limb arrays: `RsaEngine.recover` allocates
 * nothing.
 *
 * Limbs are 26 bits stored in Float64Arrays, least significant first. Why 26: a limb product is
 * < 2^52 and `t + a·b + carry` stays < 2^53, so plain double arithmetic is exact and V8 keeps every
 * value an unboxed double (no BigInt, no 32×32→64 emulation). 2048 bits = 79 limbs. The carry split
 * is `Math.floor(x * 2^-26)` (exact: multiplying by a power of two). Low-limb products mod 2^26 use
 * `Math.imul` (both operands < 2^26, so the low 26 bits are exact). Measured figures: see
 * bench/oda.bench.ts.
 *
 * `RsaKey` holds everything that depends only on the modulus — n in limbs, n' = −n⁻¹ mod 2^26 and
 * R² mod n (R = 2^(26·s)) — computed once in `set()` (also allocation-free), so a CA key or a cached
 * issuer key costs nothing extra per tap.
 */

const LIMB_BITS = 26;
const BASE = 0x4000000; // 2^26
const MASK = BASE - 1;
const INV_BASE = 1 / BASE; // 2^-26, exact

/** 2^k for k in [0, 40). */
const POW2 = new Float64Array(40);
for (let k = 0; k < 40; k++) POW2[k] = 2 ** k;

/** Limb count for a modulus of `bytes` bytes. */
export function limbsFor(bytes: number): number {
  return Math.ceil((bytes * 8) / LIMB_BITS);
}

/** Big-endian `buf[off, off+len)` → `s` little-endian 26-bit limbs. */
function loadLimbs(buf: Uint8Array, off: number, len: number, limbs: Float64Array, s: number): void {
  let v = 0;
  let bits = 0;
  let k = 0;
  for (let i = off + len - 1; i >= off; i--) {
    v += buf[i]! * POW2[bits]!;
    bits += 8;
    if (bits >= LIMB_BITS) {
      limbs[k++] = v & MASK; // v < 2^34; ToInt32 keeps the low 26 bits
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
 * out = a·b·R⁻¹ mod n (CIOS, Koç–Acar–Kaliski 1996). `t` is scratch of s+2 limbs; `out` may alias
 * `a` or `b`. Inputs < n, output < n.
 */
function montMul(a: Float64Array, b: Float64Array, n: Float64Array, s: number, nPrime: number, t: Float64Array, out: Float64Array): void {
  for (let k = 0; k < s + 2; k++) t[k] = 0;
  for (let i = 0; i < s; i++) {
    const bi = b[i]!;
    let c = 0;
    let x: number;
    for (let j = 0; j < s; j++) {
      x = t[j]! + a[j]! * bi + c;
      c = Math.floor(x * INV_BASE);
      t[j] = x - c * BASE;
    }
    x = t[s]! + c;
    c = Math.floor(x * INV_BASE);
    t[s] = x - c * BASE;
    t[s + 1] = c;
    const m = Math.imul(t[0]!, nPrime) & MASK;
    x = t[0]! + m * n[0]!;
    c = Math.floor(x * INV_BASE);
    for (let j = 1; j < s; j++) {
      x = t[j]! + m * n[j]! + c;
      c = Math.floor(x * INV_BASE);
      t[j - 1] = x - c * BASE;
    }
    x = t[s]! + c;
    c = Math.floor(x * INV_BASE);
    t[s - 1] = x - c * BASE;
    t[s] = t[s + 1]! + c;
  }
  if (t[s] !== 0 || geq(t, n, s)) subInPlace(t, n, s);
  for (let k = 0; k < s; k++) out[k] = t[k]!;
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

/** x = x/2 mod n (x < n, n odd). */
function halveMod(x: Float64Array, n: Float64Array, s: number): void {
  let c = 0;
  if (x[0]! % 2 === 1) {
    for (let i = 0; i < s; i++) {
      const v = x[i]! + n[i]! + c;
      c = v >= BASE ? 1 : 0;
      x[i] = v - c * BASE;
    }
  }
  // shift right by one, bringing in the carry at the top
  for (let i = 0; i < s; i++) {
    const hi = i + 1 < s ? x[i + 1]! % 2 : c;
    x[i] = Math.floor(x[i]! / 2) + hi * (BASE / 2);
  }
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
  /** n' = −n⁻¹ mod 2^26. */
  nPrime = 0;
  readonly n: Float64Array;
  /** R² mod n, R = 2^(26·s). */
  readonly r2: Float64Array;
  private readonly scratch: Float64Array;

  constructor(readonly maxBytes = 256) {
    const maxLimbs = limbsFor(maxBytes);
    this.modulus = new Uint8Array(maxBytes);
    this.n = new Float64Array(maxLimbs);
    this.r2 = new Float64Array(maxLimbs);
    this.scratch = new Float64Array(maxLimbs + 2);
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
  }

  /**
   * Loads modulus `mod[mOff, mOff+mLen)` and exponent `exp[eOff, eOff+eLen)`; precomputes n' and
   * R² mod n. Returns false (key cleared) when the modulus is empty, even, longer than maxBytes, has
   * a leading zero byte, or the exponent is not 3 or 65537 (EMV Book 2 §5.1, §6.1).
   */
  set(mod: Uint8Array, mOff: number, mLen: number, exp: Uint8Array, eOff: number, eLen: number): boolean {
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
    this.nPrime = negInverse26(this.n[0]!);
    this.computeR2(s, mod[mOff]!, mLen);
    this.limbs = s;
    this.exponent = e;
    this.byteLength = mLen;
    return true;
  }

  /**
   * R² mod n without BigInt: x = 2^(nb−1) (< n), doubled up to 2^k0 with k0 = L + ⌈L/32⌉ (L = 26·s);
   * in Montgomery form that is R·2^(k0−L), and each Montgomery squaring maps 2^k to 2^(2k−L), so
   * five squarings give 2^(2L+δ) with 0 ≤ δ < 32; δ halvings leave R² = 2^(2L). About 60 linear
   * passes + 5 multiplications instead of 2L doublings.
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
    const SQUARINGS = 5;
    const k0 = L + Math.ceil(L / 32);
    for (let k = b; k < k0; k++) doubleMod(x, n, s);
    for (let i = 0; i < SQUARINGS; i++) montMul(x, x, n, s, this.nPrime, this.scratch, x);
    const delta = 32 * Math.ceil(L / 32) - L;
    for (let i = 0; i < delta; i++) halveMod(x, n, s);
  }
}

/** −n0⁻¹ mod 2^26 for odd n0 (Newton: each step doubles the correct low bits, 3 → 48). */
function negInverse26(n0: number): number {
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
  private readonly t: Float64Array;
  private readonly one: Float64Array;

  constructor(readonly maxBytes = 256) {
    const maxLimbs = limbsFor(maxBytes);
    this.a = new Float64Array(maxLimbs);
    this.aM = new Float64Array(maxLimbs);
    this.x = new Float64Array(maxLimbs);
    this.t = new Float64Array(maxLimbs + 2);
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
    const t = this.t;
    const aM = this.aM;
    const x = this.x;
    const np = key.nPrime;
    montMul(a, key.r2, n, s, np, t, aM); // S·R mod n
    for (let i = 0; i < s; i++) x[i] = aM[i]!;
    const e = key.exponent;
    let top = 31 - Math.clz32(e);
    for (let bit = top - 1; bit >= 0; bit--) {
      montMul(x, x, n, s, np, t, x);
      if ((e >>> bit) & 1) montMul(x, aM, n, s, np, t, x);
    }
    const one = this.one;
    one[0] = 1;
    for (let i = 1; i < s; i++) one[i] = 0;
    montMul(x, one, n, s, np, t, x); // leave Montgomery form
    storeLimbs(x, s, out, outOff, sigLen);
    return true;
  }
}
