import { describe, it, expect } from 'vitest';
import { FixedBaseTable, GX, GY, baseTable, fe, feFromBigInt, mulToBytes, readPoint, verifyDigest, type Fe } from './sm2-ecc.js';
import { Sm3 } from './sm3.js';
import { Sm2Point, Sm2PublicKey, SM2_CURVE, readBig, sm2KeyFromPrivate, sm2Sign, sm2Verify, writeBig } from './sm2.js';

const { n, p } = SM2_CURVE;
type NoblePoint = ReturnType<typeof Sm2Point.fromAffine>;

/** Reproducible pseudo-random scalars (SM3 in counter mode). */
function rng(seed: string): () => bigint {
  let counter = 0;
  return () => {
    const h = new Sm3().update(new TextEncoder().encode(`${seed}/${counter++}`)).digestInto(new Uint8Array(32));
    return readBig(h, 0, 32);
  };
}

const bytes32 = (v: bigint) => {
  const b = new Uint8Array(32);
  writeBig(b, 0, v);
  return b;
};
const sigBytes = (r: bigint, s: bigint) => {
  const b = new Uint8Array(64);
  writeBig(b, 0, r);
  writeBig(b, 32, s);
  return b;
};
const pointBytes = (pt: NoblePoint): string => {
  if (pt.is0()) return 'infinity';
  const a = pt.toAffine();
  return Buffer.from([...bytes32(a.x), ...bytes32(a.y)]).toString('hex');
};
const hex = (b: Uint8Array | null) => (b === null ? 'infinity' : Buffer.from(b).toString('hex'));
const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;

/** GB/T 32918.2 §7.1 B1, B2, B5–B7 in BigInt with @noble/curves' generic curve: the reference. */
function referenceVerifyDigest(q: NoblePoint, e: bigint, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const t = (r + s) % n;
  if (t === 0n) return false;
  const pt = Sm2Point.BASE.multiplyUnsafe(s).add(q.multiplyUnsafe(t));
  if (pt.is0()) return false;
  return (e + pt.toAffine().x) % n === r;
}

function limbsOfKey(pub: Uint8Array): { qx: Fe; qy: Fe } {
  const qx = fe(), qy = fe();
  if (!readPoint(qx, qy, pub, 0)) throw new Error('not on curve');
  return { qx, qy };
}

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

describe('SM2 point arithmetic without BigInt (sm2-ecc.ts) against @noble/curves', () => {
  it('k·Q by wNAF, by a fixed-base table (W 4, 6) and k·G by the G table agree with noble for edge and random k', () => {
    const next = rng('mul');
    const key = sm2KeyFromPrivate(next() % (n - 2n) + 1n).publicKey;
    const { qx, qy } = limbsOfKey(key);
    const q = Sm2PublicKey.from(key).point;
    const tables = [new FixedBaseTable(4, qx, qy), new FixedBaseTable(6, qx, qy)];
    const ks = [1n, 2n, 3n, 7n, 8n, 15n, 16n, 17n, 31n, 32n, 33n, 255n, 256n, n - 1n, n - 2n, n - 16n, n, n + 1n, (1n << 255n), (1n << 256n) - 1n];
    for (let i = 0; i < 60; i++) ks.push(next());
    for (const k of ks) {
      const kl = feFromBigInt(k);
      const km = mod(k, n);
      const ref = km === 0n ? 'infinity' : pointBytes(q.multiplyUnsafe(km));
      expect(hex(mulToBytes(qx, qy, null, kl)), `wNAF k=${k.toString(16)}`).toBe(ref);
      for (const t of tables) expect(hex(mulToBytes(qx, qy, t, kl)), `W${t.window} k=${k.toString(16)}`).toBe(ref);
      const gref = km === 0n ? 'infinity' : pointBytes(Sm2Point.BASE.multiplyUnsafe(km));
      expect(hex(mulToBytes(GX, GY, baseTable(), kl)), `G k=${k.toString(16)}`).toBe(gref);
    }
  });

  it('checks points: on the curve, coordinates < p; rejects off-curve points and coordinates ≥ p', () => {
    const next = rng('points');
    const x = fe(), y = fe();
    for (let i = 0; i < 50; i++) {
      const pub = sm2KeyFromPrivate(next() % (n - 2n) + 1n).publicKey;
      expect(readPoint(x, y, pub, 0)).toBe(true);
      const bad = pub.slice();
      bad[63]! ^= 1 << (i % 8);
      expect(readPoint(x, y, bad, 0)).toBe(false);
    }
    // (x, y + p) would pass the equation mod p: coordinates must be < p.
    const g = new Uint8Array([...bytes32(SM2_CURVE.Gx), ...bytes32(SM2_CURVE.Gy)]);
    expect(readPoint(x, y, g, 0)).toBe(true);
    const gx = SM2_CURVE.Gx + p;
    if (gx < 1n << 256n) expect(readPoint(x, y, new Uint8Array([...bytes32(gx), ...bytes32(SM2_CURVE.Gy)]), 0)).toBe(false);
    expect(readPoint(x, y, new Uint8Array([...bytes32(SM2_CURVE.Gx), ...bytes32(p - SM2_CURVE.Gy + p)]).subarray(0, 64), 0)).toBe(false);
    expect(readPoint(x, y, new Uint8Array(64), 0)).toBe(false); // (0, 0): b ≠ 0
    expect(Sm2PublicKey.tryFrom(new Uint8Array(64).fill(0xff))).toBeNull();
  });

  it('verifies like the BigInt reference: 1500 random keys and messages, valid and corrupted signatures, with and without tables', () => {
    const next = rng('verify');
    let valid = 0, rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const d = next() % (n - 2n) + 1n;
      const pair = sm2KeyFromPrivate(d);
      const msg = bytes32(next()).subarray(0, i % 33);
      const sig = sm2Sign(pair.privateKey, msg, { seed: `s${i}` });
      const key = Sm2PublicKey.from(pair.publicKey);
      if (i % 50 === 0) key.precompute(i % 100 === 0 ? 6 : 4);
      const ok = sm2Verify(key, msg, sig);
      expect(ok, `valid signature ${i}`).toBe(true);
      valid++;
      // Corrupt r, s or the message: both implementations reject.
      const bad = sig.slice();
      bad[(i * 13) % 64]! ^= 1 << (i % 8);
      expect(sm2Verify(key, msg, bad), `corrupted ${i}`).toBe(false);
      const other = new Uint8Array([...msg, 0]);
      expect(sm2Verify(key, other, sig)).toBe(false);
      rejected += 2;
    }
    expect(valid + rejected).toBe(4500);
  }, 120_000);

  it('agrees with the reference on random digests and random (r, s), including out-of-range values', () => {
    const next = rng('garbage');
    const pair = sm2KeyFromPrivate(next() % (n - 2n) + 1n);
    const { qx, qy } = limbsOfKey(pair.publicKey);
    const q = Sm2PublicKey.from(pair.publicKey).point;
    const table = new FixedBaseTable(4, qx, qy);
    for (let i = 0; i < 200; i++) {
      const e = next();
      const r = i % 10 === 0 ? n + (next() % 1000n) : next();
      const s = i % 10 === 1 ? 0n : next();
      const want = referenceVerifyDigest(q, e, r, s);
      expect(verifyDigest(qx, qy, null, bytes32(e), 0, sigBytes(r % (1n << 256n), s), 0)).toBe(want);
      expect(verifyDigest(qx, qy, table, bytes32(e), 0, sigBytes(r % (1n << 256n), s), 0)).toBe(want);
    }
  });

  describe('edge cases, constructed with known discrete logs (verifyDigest with a chosen digest e)', () => {
    const d = 0x1234567890abcdef1234567890abcdefn;
    const pair = sm2KeyFromPrivate(d);
    const { qx, qy } = limbsOfKey(pair.publicKey);
    const table = new FixedBaseTable(6, qx, qy);
    const q = Sm2PublicKey.from(pair.publicKey).point;
    const both = (e: bigint, r: bigint, s: bigint): [boolean, boolean, boolean] => [
      verifyDigest(qx, qy, null, bytes32(e), 0, sigBytes(r, s), 0),
      verifyDigest(qx, qy, table, bytes32(e), 0, sigBytes(r, s), 0),
      referenceVerifyDigest(q, e, r, s),
    ];
    /** A signature (r, s) for digest-free R = s·G + t·Q = (s + t·d)·G: choose s and t, then r = t − s, e = r − x1. */
    const forge = (s: bigint, t: bigint) => {
      const r = mod(t - s, n);
      const rPoint = Sm2Point.BASE.multiplyUnsafe(mod(s + t * d, n) || n);
      return { r, rPoint };
    };

    it('r or s = 0, = n, ≥ n; t = r + s ≡ 0 (mod n): all rejected', () => {
      const e = 5n;
      for (const [r, s] of [[0n, 1n], [1n, 0n], [n, 1n], [1n, n], [(1n << 256n) - 1n, 1n], [1n, (1n << 256n) - 1n], [7n, n - 7n]] as const) {
        expect(both(e, r, s)).toEqual([false, false, false]);
      }
    });

    it('R = s·G + t·Q = ∞ (s + t·d ≡ 0) is rejected', () => {
      const s = 0x42n;
      const t = mod(-s * inverse(d, n), n);
      const r = mod(t - s, n);
      expect(Sm2Point.BASE.multiplyUnsafe(s).add(q.multiplyUnsafe(t)).is0()).toBe(true);
      for (const e of [0n, 1n, r, n - 1n]) expect(both(e, r, s)).toEqual([false, false, false]);
    });

    it('t·Q = s·G (the final addition is a doubling) verifies when e fits', () => {
      const s = 0x1111n;
      const t = mod(s * inverse(d, n), n);
      const { r, rPoint } = forge(s, t);
      const e = mod(r - rPoint.toAffine().x, n);
      expect(both(e, r, s)).toEqual([true, true, true]);
      expect(both(mod(e + 1n, n), r, s)).toEqual([false, false, false]);
    });

    it('x1 ∈ [n, p) (the second candidate c + n) verifies, and c + n ≥ p is not accepted by mistake', () => {
      // Find R with x ≥ n: x = n + k on the curve (p ≡ 3 mod 4: y = (x³ − 3x + b)^((p+1)/4)).
      let x = n;
      let y = 0n;
      for (;;) {
        const rhs = mod(x ** 3n - 3n * x + SM2_CURVE.b, p);
        y = modPowP(rhs, (p + 1n) / 4n);
        if ((y * y) % p === rhs) break;
        x++;
      }
      const rPoint = Sm2Point.fromAffine({ x, y });
      // R = s·G + t·Q' for a key Q' = t⁻¹·(R − s·G) (discrete log unknown: fine, the equation holds).
      const s = 0x2222n, e = 0x3333n;
      const r = mod(e + x, n);
      const t = mod(r + s, n);
      const q2 = rPoint.add(Sm2Point.BASE.multiplyUnsafe(s).negate()).multiplyUnsafe(inverse(t, n));
      const q2a = q2.toAffine();
      const q2x = feFromBigInt(q2a.x), q2y = feFromBigInt(q2a.y);
      expect(x >= n && x < p).toBe(true);
      expect(referenceVerifyDigest(q2, e, r, s)).toBe(true);
      expect(verifyDigest(q2x, q2y, null, bytes32(e), 0, sigBytes(r, s), 0)).toBe(true);
      expect(verifyDigest(q2x, q2y, new FixedBaseTable(4, q2x, q2y), bytes32(e), 0, sigBytes(r, s), 0)).toBe(true);
      // Same R, e shifted so that (e + x1) mod n ≠ r: rejected.
      expect(verifyDigest(q2x, q2y, null, bytes32(e + 1n), 0, sigBytes(r, s), 0)).toBe(false);
      // x1 < n case whose c + n would be < p: a wrong signature must not pass through the second candidate.
      const r2 = mod(r + 1n, n);
      expect(verifyDigest(q2x, q2y, null, bytes32(e), 0, sigBytes(r2, s), 0)).toBe(referenceVerifyDigest(q2, e, r2, s));
    });

    it('e ≥ n is reduced (e and e − n give the same verdict)', () => {
      const s = 0x5555n, t = 0x7777n;
      const { r, rPoint } = forge(s, t);
      const e = mod(r - rPoint.toAffine().x, n);
      if (e + n < 1n << 256n) expect(both(e + n, r, s)).toEqual([true, true, true]);
      expect(both(e, r, s)).toEqual([true, true, true]);
    });
  });
});

function modPowP(b: bigint, e: bigint): bigint {
  let r = 1n;
  b %= p;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return r;
}
