import { describe, it, expect } from 'vitest';
import { addAffinePoints, invertP, mulJacobian } from './sm2-jacobian.js';
import { Sm2PublicKey, SM2_CURVE, sm2TestKeyPair } from './sm2.js';

const { n, p } = SM2_CURVE;

describe('a = −3 Jacobian scalar multiplication (cross-checked with noble)', () => {
  const key = Sm2PublicKey.from(sm2TestKeyPair('jacobian').publicKey);
  const noble = (t: bigint) => key.point.multiplyUnsafe(t).toAffine();

  it('agrees with noble on edge and pseudo-random scalars', () => {
    const scalars = [1n, 2n, 3n, 15n, 16n, 17n, 31n, 32n, 33n, n - 1n, n - 2n, (1n << 255n) + 12345n];
    let x = 0x243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89n;
    for (let i = 0; i < 40; i++) {
      x = (x * 0x5851f42d4c957f2dn + 0x14057b7ef767814fn) % n; // LCG: reproducible
      scalars.push(x === 0n ? 1n : x);
    }
    for (const t of scalars) expect(mulJacobian(key.x, key.y, t), `t = ${t.toString(16)}`).toEqual(noble(t));
  });

  it('returns null for t = 0 and handles P + P and P + (−P)', () => {
    expect(mulJacobian(key.x, key.y, 0n)).toBeNull();
    const a = { x: key.x, y: key.y };
    expect(addAffinePoints(a, a)).toEqual(noble(2n));
    expect(addAffinePoints(a, { x: key.x, y: p - key.y })).toBeNull();
    expect(addAffinePoints(null, a)).toEqual(a);
  });

  it('inverts modulo p', () => {
    const a = 0x1234567890abcdefn;
    expect((invertP(a) * a) % p).toBe(1n);
    expect(() => invertP(0n)).toThrow(RangeError);
  });
});
