/**
 * The SM2 verification equation (GB/T 32918.2 §7.1 B5–B7) on sm2p256v1 without BigInt and without
 * allocation: field elements from sm2-field.ts, Jacobian points in preallocated buffers, fixed-base
 * signed-window tables (for G and for keys used many times: CA keys, cached issuer keys) and
 * width-5 wNAF for keys seen once (ICC keys).
 *
 * Costs (field multiplications/squarings; a = −3 so doubling is 3M + 5S, dbl-2001-b; mixed
 * addition 7M + 4S, madd-2007-bl; full addition 11M + 5S, add-2007-bl; formulas from the
 * Explicit-Formulas Database "g1p/shortw/jacobian-3"):
 * - s·G: one mixed addition per window of the G table (W = 8: 33 windows, ~33 additions);
 * - t·Q, table: the same for Q's table (W = 6: 43 windows);
 * - t·Q, no table: 7 additions for Q, 3Q, …, 15Q, then ~256 doublings and ~43 full additions.
 * The result is not made affine: x1 = X/Z² is checked as X ≡ c·Z² for the one or two candidates
 * c ≡ r − e (mod n) with c < p, which saves the inversion (as libsecp256k1's ECDSA verify does).
 *
 * Public scalars only (signature verification): not constant-time.
 */
import {
  compareLimbs, fe, feAdd, feCanon, feCopy, feEqual, feFromBytes, feInv, feIsZero, feMul, feMulSmall, feSet1, feSqr, feSub, feToBytes,
  type Fe,
} from './sm2-field.js';

const LIMBS = 16;

/** Group order n (GB/T 32918.5), 16-bit limbs, least significant first. */
const N = limbsOf('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');
/** Field prime p. */
const P = limbsOf('fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff');
/** Curve coefficient b (a = −3). */
const B = limbsOf('28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93');
const GX = limbsOf('32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7');
const GY = limbsOf('bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0');

function limbsOf(hex: string): Float64Array {
  const out = new Float64Array(LIMBS);
  for (let i = 0; i < LIMBS; i++) out[i] = parseInt(hex.slice(60 - 4 * i, 64 - 4 * i), 16);
  return out;
}

/** Jacobian point (X : Y : Z) ↔ affine (X/Z², Y/Z³); `inf` marks the point at infinity. */
export class Jac {
  readonly x = fe();
  readonly y = fe();
  readonly z = fe();
  inf = true;
}

// ---------------------------------------------------------------- point formulas (in place)

const t1 = fe(), t2 = fe(), t3 = fe(), t4 = fe(), t5 = fe(), t6 = fe(), t7 = fe();

/** p = 2p (dbl-2001-b, a = −3). sm2p256v1 has prime order, so no affine point has y = 0. */
export function jacDouble(p: Jac): void {
  if (p.inf) return;
  const delta = t1, gamma = t2, beta = t3, alpha = t4;
  feSqr(delta, p.z);
  feSqr(gamma, p.y);
  feMul(beta, p.x, gamma);
  feSub(t5, p.x, delta);
  feAdd(t6, p.x, delta);
  feMul(alpha, t5, t6);
  feMulSmall(alpha, alpha, 3);
  // Z3 = (Y + Z)² − gamma − delta (before Y changes)
  feAdd(t5, p.y, p.z);
  feSqr(t5, t5);
  feSub(t5, t5, gamma);
  feSub(p.z, t5, delta);
  // X3 = alpha² − 8·beta
  feSqr(t5, alpha);
  feMulSmall(t6, beta, 8);
  feSub(p.x, t5, t6);
  // Y3 = alpha·(4·beta − X3) − 8·gamma²
  feMulSmall(t6, beta, 4);
  feSub(t6, t6, p.x);
  feMul(t6, alpha, t6);
  feSqr(t5, gamma);
  feMulSmall(t5, t5, 8);
  feSub(p.y, t6, t5);
}

/** p += (x2, y2) affine (madd-2007-bl); handles p = ∞, p = (x2, y2) and p = −(x2, y2). */
export function jacAddAffine(p: Jac, x2: Fe, y2: Fe): void {
  if (p.inf) {
    feCopy(p.x, x2);
    feCopy(p.y, y2);
    feSet1(p.z);
    p.inf = false;
    return;
  }
  const z1z1 = t1, h = t2, r = t3, hh = t4;
  feSqr(z1z1, p.z);
  feMul(h, x2, z1z1); // U2
  feSub(h, h, p.x); // H = U2 − X1
  feMul(r, y2, p.z);
  feMul(r, r, z1z1); // S2
  feSub(r, r, p.y); // S2 − Y1
  if (feIsZero(h)) {
    if (feIsZero(r)) jacDouble(p);
    else p.inf = true;
    return;
  }
  feAdd(r, r, r); // r = 2·(S2 − Y1)
  feSqr(hh, h);
  const i = t5, j = t6, v = t7;
  feMulSmall(i, hh, 4);
  feMul(j, h, i);
  feMul(v, p.x, i);
  // Z3 = (Z1 + H)² − Z1Z1 − HH
  feAdd(p.z, p.z, h);
  feSqr(p.z, p.z);
  feSub(p.z, p.z, z1z1);
  feSub(p.z, p.z, hh);
  // Y1·J before Y1 changes
  feMul(t4, p.y, j);
  // X3 = r² − J − 2V
  feSqr(p.x, r);
  feSub(p.x, p.x, j);
  feSub(p.x, p.x, v);
  feSub(p.x, p.x, v);
  // Y3 = r·(V − X3) − 2·Y1·J
  feSub(v, v, p.x);
  feMul(v, r, v);
  feSub(v, v, t4);
  feSub(p.y, v, t4);
}

const u1 = fe(), s1 = fe(), z2z2 = fe();

/** p += q (add-2007-bl); q's Y may be negated on the fly. Handles ∞ and p = ±q. */
export function jacAdd(p: Jac, q: Jac, negateQ = false): void {
  if (q.inf) return;
  if (p.inf) {
    feCopy(p.x, q.x);
    if (negateQ) feSub(p.y, ZERO, q.y);
    else feCopy(p.y, q.y);
    feCopy(p.z, q.z);
    p.inf = false;
    return;
  }
  const z1z1 = t1, h = t2, r = t3;
  feSqr(z1z1, p.z);
  feSqr(z2z2, q.z);
  feMul(u1, p.x, z2z2);
  feMul(h, q.x, z1z1); // U2
  feSub(h, h, u1); // H
  feMul(s1, p.y, q.z);
  feMul(s1, s1, z2z2); // S1
  feMul(r, q.y, p.z);
  feMul(r, r, z1z1); // S2 (of q, before negation)
  if (negateQ) feSub(r, ZERO, r);
  feSub(r, r, s1);
  if (feIsZero(h)) {
    if (feIsZero(r)) jacDouble(p);
    else p.inf = true;
    return;
  }
  feAdd(r, r, r);
  const i = t4, j = t5, v = t6;
  feAdd(i, h, h);
  feSqr(i, i);
  feMul(j, h, i);
  feMul(v, u1, i);
  // Z3 = ((Z1 + Z2)² − Z1Z1 − Z2Z2)·H
  feAdd(p.z, p.z, q.z);
  feSqr(p.z, p.z);
  feSub(p.z, p.z, z1z1);
  feSub(p.z, p.z, z2z2);
  feMul(p.z, p.z, h);
  // X3 = r² − J − 2V
  feSqr(p.x, r);
  feSub(p.x, p.x, j);
  feSub(p.x, p.x, v);
  feSub(p.x, p.x, v);
  // Y3 = r·(V − X3) − 2·S1·J
  feMul(s1, s1, j);
  feSub(v, v, p.x);
  feMul(v, r, v);
  feSub(v, v, s1);
  feSub(p.y, v, s1);
}

const ZERO = fe();

// ---------------------------------------------------------------- points and keys

const cx = fe(), cy = fe();

/**
 * Reads x ‖ y (64 bytes at buf[off]) into `x`, `y` and checks GB/T 32918.1 §6.2.2: both
 * coordinates < p and y² = x³ − 3x + b. Returns false for an invalid point.
 */
export function readPoint(x: Fe, y: Fe, buf: Uint8Array, off: number): boolean {
  feFromBytes(x, buf, off);
  feFromBytes(y, buf, off + 32);
  if (compareLimbs(x, P) >= 0 || compareLimbs(y, P) >= 0) return false;
  feSqr(cx, x);
  feMul(cx, cx, x);
  feMulSmall(cy, x, 3);
  feSub(cx, cx, cy);
  feAdd(cx, cx, B);
  feSqr(cy, y);
  return feEqual(cx, cy);
}

// ---------------------------------------------------------------- fixed-base tables

/**
 * Signed-window table for a fixed point Q: for window j and k = 1 … 2^(W−1), the affine point
 * k·2^(W·j)·Q, stored as canonical 16-bit limbs (x ‖ y, 32 limbs, in a Uint16Array: 4× smaller
 * than doubles; W = 8 is 270 KB, W = 6 88 KB, W = 4 33 KB). A scalar < 2^256 is recoded into
 * ⌈257/W⌉ digits in [−2^(W−1), 2^(W−1)], so k·Q costs one mixed addition per nonzero digit and no
 * doubling.
 */
export class FixedBaseTable {
  readonly windows: number;
  readonly data: Uint16Array;

  constructor(readonly window: number, qx: Fe, qy: Fe) {
    if (!Number.isInteger(window) || window < 2 || window > 8) throw new RangeError(`window: expected an integer 2..8, got ${window}`);
    const half = 1 << (window - 1);
    this.windows = Math.ceil(257 / window);
    const count = this.windows * half;
    this.data = new Uint16Array(count * 32);
    // All multiples in Jacobian first, then one batched inversion (Montgomery's trick).
    const jx = new Float64Array(count * LIMBS), jy = new Float64Array(count * LIMBS), jz = new Float64Array(count * LIMBS);
    const base = new Jac(), cur = new Jac();
    feCopy(base.x, qx);
    feCopy(base.y, qy);
    feSet1(base.z);
    base.inf = false;
    for (let w = 0; w < this.windows; w++) {
      feCopy(cur.x, base.x);
      feCopy(cur.y, base.y);
      feCopy(cur.z, base.z);
      cur.inf = false;
      for (let k = 0; k < half; k++) {
        // k·2^(Wj)·Q is never ∞: n is prime and does not divide (k+1)·2^(Wj).
        const o = (w * half + k) * LIMBS;
        jx.set(cur.x, o);
        jy.set(cur.y, o);
        jz.set(cur.z, o);
        if (k + 1 < half) jacAdd(cur, base);
      }
      for (let d = 0; d < window; d++) jacDouble(base);
    }
    // prefix[i] = z0·…·z(i−1)
    const prefix = new Float64Array(count * LIMBS);
    const acc = fe(), zi = fe(), zinv = fe(), zinv2 = fe(), tmp = fe();
    feSet1(acc);
    for (let i = 0; i < count; i++) {
      prefix.set(acc, i * LIMBS);
      feMul(acc, acc, jz.subarray(i * LIMBS, (i + 1) * LIMBS));
    }
    feInv(acc, acc);
    for (let i = count - 1; i >= 0; i--) {
      const o = i * LIMBS;
      feCopy(zi, jz.subarray(o, o + LIMBS));
      feMul(zinv, acc, prefix.subarray(o, o + LIMBS));
      feMul(acc, acc, zi);
      feSqr(zinv2, zinv);
      feMul(tmp, jx.subarray(o, o + LIMBS), zinv2);
      feCanon(tmp);
      for (let l = 0; l < LIMBS; l++) this.data[i * 32 + l] = tmp[l]!;
      feMul(tmp, jy.subarray(o, o + LIMBS), zinv2);
      feMul(tmp, tmp, zinv);
      feCanon(tmp);
      for (let l = 0; l < LIMBS; l++) this.data[i * 32 + 16 + l] = tmp[l]!;
    }
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.data.byteLength;
  }
}

const ax = fe(), ay = fe();

/** acc += k·Q with Q's table; k canonical limbs < 2^256. */
function addFixedBase(acc: Jac, table: FixedBaseTable, k: Float64Array): void {
  const w = table.window;
  const half = 1 << (w - 1);
  const full = 1 << w;
  const data = table.data;
  let carry = 0;
  for (let j = 0; j < table.windows; j++) {
    let d = bits(k, j * w, w) + carry;
    if (d > half) {
      d -= full;
      carry = 1;
    } else carry = 0;
    if (d === 0) continue;
    const o = (j * half + (d < 0 ? -d : d) - 1) * 32;
    for (let l = 0; l < LIMBS; l++) {
      ax[l] = data[o + l]!;
      ay[l] = data[o + 16 + l]!;
    }
    if (d < 0) feSub(ay, ZERO, ay);
    jacAddAffine(acc, ax, ay);
  }
}

/** `count` (≤ 16) bits of the 16-bit-limb number k from bit `pos` (bits past 255 are 0). */
function bits(k: Float64Array, pos: number, count: number): number {
  const i = pos >>> 4;
  if (i >= LIMBS) return 0;
  const lo = k[i]!;
  const hi = i + 1 < LIMBS ? k[i + 1]! : 0;
  return (((hi * 65536 + lo) / (1 << (pos & 15))) >>> 0) & ((1 << count) - 1);
}

// ---------------------------------------------------------------- wNAF for keys seen once

const WNAF_W = 5;
const ODD = Array.from({ length: 1 << (WNAF_W - 2) }, () => new Jac()); // Q, 3Q, …, 15Q
const twoQ = new Jac();
const wnaf = new Int8Array(258);

/** acc = k·(qx, qy) by width-5 wNAF (left to right, full Jacobian additions: no inversion). */
function mulWnaf(acc: Jac, qx: Fe, qy: Fe, k: Float64Array): void {
  const q = ODD[0]!;
  feCopy(q.x, qx);
  feCopy(q.y, qy);
  feSet1(q.z);
  q.inf = false;
  feCopy(twoQ.x, qx);
  feCopy(twoQ.y, qy);
  feSet1(twoQ.z);
  twoQ.inf = false;
  jacDouble(twoQ);
  for (let i = 1; i < ODD.length; i++) {
    const o = ODD[i]!, prev = ODD[i - 1]!;
    feCopy(o.x, prev.x);
    feCopy(o.y, prev.y);
    feCopy(o.z, prev.z);
    o.inf = prev.inf;
    jacAdd(o, twoQ);
  }
  // wNAF digits (libsecp256k1's secp256k1_ecmult_wnaf, without its sign trick)
  wnaf.fill(0);
  let carry = 0, bit = 0, top = -1;
  const full = 1 << WNAF_W;
  while (bit < 257) {
    if (bits(k, bit, 1) === carry) {
      bit++;
      continue;
    }
    let word = bits(k, bit, WNAF_W) + carry;
    carry = (word >> (WNAF_W - 1)) & 1;
    word -= carry * full;
    wnaf[bit] = word;
    top = bit;
    bit += WNAF_W;
  }
  acc.inf = true;
  for (let i = top; i >= 0; i--) {
    jacDouble(acc);
    const d = wnaf[i]!;
    if (d > 0) jacAdd(acc, ODD[(d - 1) >> 1]!);
    else if (d < 0) jacAdd(acc, ODD[(-d - 1) >> 1]!, true);
  }
}

// ---------------------------------------------------------------- scalars mod n

function isZeroLimbs(a: Float64Array): boolean {
  for (let i = 0; i < LIMBS; i++) if (a[i] !== 0) return false;
  return true;
}

/** out = a + b − (n if a + b ≥ n); a, b < n. */
function addModN(out: Float64Array, a: Float64Array, b: Float64Array): void {
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = a[i]! + b[i]! + c;
    c = v >= 65536 ? 1 : 0;
    out[i] = v - c * 65536;
  }
  if (c === 1 || compareLimbs(out, N) >= 0) subLimbs(out, out, N);
}

/** out = a − b mod 2^256 (limb-wise with borrow). */
function subLimbs(out: Float64Array, a: Float64Array, b: Float64Array): number {
  let borrow = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = a[i]! - b[i]! - borrow;
    borrow = v < 0 ? 1 : 0;
    out[i] = v + borrow * 65536;
  }
  return borrow;
}

/** out = a + b mod 2^256; returns the carry. */
function addLimbs(out: Float64Array, a: Float64Array, b: Float64Array): number {
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const v = a[i]! + b[i]! + c;
    c = v >= 65536 ? 1 : 0;
    out[i] = v - c * 65536;
  }
  return c;
}

// ---------------------------------------------------------------- verification

let gTable: FixedBaseTable | null = null;
/** Window of the G table: 270 KB, built once per process (~30–50 ms measured), 33 additions per s·G. */
export const G_WINDOW = 8;

/** The table for the base point G (built on first use, or by `sm2Warm()`). */
export function baseTable(): FixedBaseTable {
  if (gTable === null) gTable = new FixedBaseTable(G_WINDOW, GX, GY);
  return gTable;
}

const r_ = fe(), s_ = fe(), t_ = fe(), e_ = fe(), c_ = fe(), zz = fe(), cand = fe();
const acc = new Jac(), acc2 = new Jac();

/**
 * GB/T 32918.2 §7.1 B1, B2, B5–B7 for the digest e (32 bytes at eBuf[eOff]) and the signature
 * r ‖ s (64 bytes at sig[sigOff]) under the public key (qx, qy) (a valid point: see `readPoint`),
 * with `table` = the key's fixed-base table or null. Allocates nothing.
 */
export function verifyDigest(
  qx: Fe, qy: Fe, table: FixedBaseTable | null, eBuf: Uint8Array, eOff: number, sig: Uint8Array, sigOff: number,
): boolean {
  feFromBytes(r_, sig, sigOff);
  feFromBytes(s_, sig, sigOff + 32);
  // B1, B2: r, s ∈ [1, n−1]
  if (isZeroLimbs(r_) || compareLimbs(r_, N) >= 0 || isZeroLimbs(s_) || compareLimbs(s_, N) >= 0) return false;
  // B5: t = (r + s) mod n ≠ 0
  addModN(t_, r_, s_);
  if (isZeroLimbs(t_)) return false;
  // B6: (x1, y1) = s·G + t·Q
  acc.inf = true;
  addFixedBase(acc, baseTable(), s_);
  if (table !== null) addFixedBase(acc, table, t_);
  else {
    mulWnaf(acc2, qx, qy, t_);
    jacAdd(acc, acc2);
  }
  if (acc.inf) return false;
  // B7: (e + x1) mod n == r  ⇔  x1 ≡ c = (r − e) mod n, x1 ∈ [0, p) ⇒ x1 = c or c + n (if < p);
  // x1 = X/Z² ⇔ X ≡ x1·Z² (mod p).
  feFromBytes(e_, eBuf, eOff);
  if (compareLimbs(e_, N) >= 0) subLimbs(e_, e_, N); // e < 2^256 < 2n
  if (subLimbs(c_, r_, e_) === 1) addLimbs(c_, c_, N);
  feSqr(zz, acc.z);
  feMul(cand, c_, zz);
  if (feEqual(cand, acc.x)) return true;
  if (addLimbs(c_, c_, N) === 1 || compareLimbs(c_, P) >= 0) return false;
  feMul(cand, c_, zz);
  return feEqual(cand, acc.x);
}

/** t·(qx, qy) as affine bytes x ‖ y, or null for ∞ (tests: cross-check with a BigInt curve). */
export function mulToBytes(qx: Fe, qy: Fe, table: FixedBaseTable | null, k: Float64Array): Uint8Array | null {
  const p = new Jac();
  if (table !== null) addFixedBase(p, table, k);
  else mulWnaf(p, qx, qy, k);
  return jacToBytes(p);
}

/** Affine x ‖ y of a Jacobian point, or null for ∞ (tests; allocates). */
export function jacToBytes(p: Jac): Uint8Array | null {
  if (p.inf) return null;
  const zi = fe(), zi2 = fe(), x = fe(), y = fe();
  feInv(zi, p.z);
  feSqr(zi2, zi);
  feMul(x, p.x, zi2);
  feMul(y, p.y, zi2);
  feMul(y, y, zi);
  const out = new Uint8Array(64);
  feToBytes(out, 0, x);
  feToBytes(out, 32, y);
  return out;
}

export { GX, GY };
