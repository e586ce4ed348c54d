/**
 * Variable-base scalar multiplication t·P on sm2p256v1 for keys seen once (the ICC key of each
 * card), in Jacobian coordinates with the a = −3 doubling formula (sm2p256v1 has a = p − 3).
 *
 * Why: noble's generic Weierstrass uses complete projective formulas valid for any a (doubling
 * ≈ 13 field multiplications); a = −3 Jacobian doubling needs 8 (dbl-2001-b) and mixed
 * addition 11 (madd-2007-bl). Measured (quiet machine): t·P ≈ 2.3 ms with noble's
 * multiplyUnsafe vs ≈ 0.7 ms here, which is what brings an SM2 fDDA chain under 2 ms. Fixed keys
 * (CA, cached issuer keys) keep using noble's precomputed wNAF tables.
 *
 * Public scalars only (signature verification): not constant-time.
 * Formulas: Explicit-Formulas Database, "g1p/shortw/jacobian-3".
 */
/** sm2p256v1 field prime (GB/T 32918.5; same as SM2_CURVE.p in sm2.ts, kept here to avoid an import cycle). */
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const WINDOW = 5; // odd multiples P, 3P, …, 15P

/** Jacobian point (X : Y : Z) ↔ affine (X/Z², Y/Z³); Z = 0 is infinity. */
type Jac = { x: bigint; y: bigint; z: bigint };

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

/** Modular inverse by Fermat would cost ~256 multiplications; extended Euclid is faster in BigInt. */
export function invertP(a: bigint): bigint {
  let lo = mod(a), hi = P, x0 = 1n, x1 = 0n;
  while (lo > 1n) {
    const q = hi / lo;
    [hi, lo] = [lo, hi - q * lo];
    [x1, x0] = [x0, x1 - q * x0];
  }
  if (lo === 0n) throw new RangeError('invertP: zero has no inverse');
  return x0 < 0n ? x0 + P : x0;
}

/** 2·(X : Y : Z), a = −3 (dbl-2001-b). In place. */
function double(p: Jac): void {
  if (p.z === 0n || p.y === 0n) {
    p.z = 0n;
    return;
  }
  const delta = (p.z * p.z) % P;
  const gamma = (p.y * p.y) % P;
  const beta = (p.x * gamma) % P;
  let t = p.x - delta;
  if (t < 0n) t += P;
  let u = p.x + delta;
  if (u >= P) u -= P;
  const alpha = (3n * t * u) % P;
  const x3 = mod(alpha * alpha - 8n * beta);
  let zsum = p.y + p.z;
  zsum = mod(zsum * zsum - gamma - delta);
  p.y = mod(alpha * (4n * beta - x3) - 8n * ((gamma * gamma) % P));
  p.x = x3;
  p.z = zsum;
}

/** (X1 : Y1 : Z1) + (x2, y2) with (x2, y2) affine (madd-2007-bl). In place. */
function addAffine(p: Jac, x2: bigint, y2: bigint): void {
  if (p.z === 0n) {
    p.x = x2;
    p.y = y2;
    p.z = 1n;
    return;
  }
  const z1z1 = (p.z * p.z) % P;
  const u2 = (x2 * z1z1) % P;
  const s2 = (((y2 * p.z) % P) * z1z1) % P;
  let h = u2 - p.x;
  if (h < 0n) h += P;
  let r = s2 - p.y;
  if (r < 0n) r += P;
  if (h === 0n) {
    if (r === 0n) double(p);
    else p.z = 0n; // P + (−P)
    return;
  }
  r = (2n * r) % P;
  const hh = (h * h) % P;
  const i = (4n * hh) % P;
  const j = (h * i) % P;
  const v = (p.x * i) % P;
  const x3 = mod(r * r - j - 2n * v);
  const y3 = mod(r * (v - x3) - 2n * ((p.y * j) % P));
  let z = p.z + h;
  z = mod(z * z - z1z1 - hh);
  p.x = x3;
  p.y = y3;
  p.z = z;
}

/** Odd multiples P, 3P, …, (2^(W−1)−1)·P as affine coordinates (one batched inversion). */
function oddMultiples(x: bigint, y: bigint): { xs: bigint[]; ys: bigint[] } {
  const n = 1 << (WINDOW - 2);
  const jac: Jac[] = [{ x, y, z: 1n }];
  const twoP: Jac = { x, y, z: 1n };
  double(twoP);
  // 2P to affine so the chain uses mixed additions
  const zi = invertP(twoP.z);
  const zi2 = (zi * zi) % P;
  const x2 = (twoP.x * zi2) % P;
  const y2 = (((twoP.y * zi2) % P) * zi) % P;
  for (let k = 1; k < n; k++) {
    const prev = jac[k - 1]!;
    const q: Jac = { x: prev.x, y: prev.y, z: prev.z };
    addAffine(q, x2, y2);
    jac.push(q);
  }
  // Batch inversion (Montgomery's trick). Points at infinity cannot occur: the order n is prime
  // and k < n for every multiple here.
  const prefix: bigint[] = new Array(n);
  let acc = 1n;
  for (let k = 0; k < n; k++) {
    prefix[k] = acc;
    acc = (acc * jac[k]!.z) % P;
  }
  let inv = invertP(acc);
  const xs: bigint[] = new Array(n);
  const ys: bigint[] = new Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const zInv = (inv * prefix[k]!) % P;
    inv = (inv * jac[k]!.z) % P;
    const zInv2 = (zInv * zInv) % P;
    xs[k] = (jac[k]!.x * zInv2) % P;
    ys[k] = (((jac[k]!.y * zInv2) % P) * zInv) % P;
  }
  return { xs, ys };
}

/**
 * t·(x, y) for an affine point on the curve and 0 ≤ t < n, returned as affine (x, y) or null for
 * infinity. Width-5 wNAF, left to right.
 */
export function mulJacobian(x: bigint, y: bigint, t: bigint): { x: bigint; y: bigint } | null {
  if (t === 0n) return null;
  const { xs, ys } = oddMultiples(x, y);
  // wNAF digits, least significant first
  const digits: number[] = [];
  const full = 1 << WINDOW;
  const half = full >> 1;
  let k = t;
  while (k > 0n) {
    if ((k & 1n) === 1n) {
      let d = Number(k & BigInt(full - 1));
      if (d >= half) d -= full;
      digits.push(d);
      k -= BigInt(d);
    } else digits.push(0);
    k >>= 1n;
  }
  const acc: Jac = { x: 0n, y: 1n, z: 0n };
  for (let i = digits.length - 1; i >= 0; i--) {
    double(acc);
    const d = digits[i]!;
    if (d > 0) addAffine(acc, xs[(d - 1) >> 1]!, ys[(d - 1) >> 1]!);
    else if (d < 0) addAffine(acc, xs[(-d - 1) >> 1]!, P - ys[(-d - 1) >> 1]!);
  }
  return toAffine(acc);
}

/** (X : Y : Z) + (x2, y2) affine, as affine; null for infinity. */
export function addAffinePoints(a: { x: bigint; y: bigint } | null, b: { x: bigint; y: bigint } | null): { x: bigint; y: bigint } | null {
  if (a === null) return b;
  if (b === null) return a;
  const j: Jac = { x: a.x, y: a.y, z: 1n };
  addAffine(j, b.x, b.y);
  return toAffine(j);
}

function toAffine(p: Jac): { x: bigint; y: bigint } | null {
  if (p.z === 0n) return null;
  const zi = invertP(p.z);
  const zi2 = (zi * zi) % P;
  return { x: (p.x * zi2) % P, y: (((p.y * zi2) % P) * zi) % P };
}
