import { describe, expect, it } from 'vitest';
import { constants, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { RsaEngine, RsaKey, limbsFor } from './rsa.js';
import { bigIntToBytes, bytesToBigInt, modPow, rsaRecoverBigInt } from './rsa-bigint.js';
import { toHex } from '../util/hex.js';

type TestKey = { bits: number; e: number; privateKey: KeyObject; n: Uint8Array; exp: Uint8Array };

function makeKey(bits: number, e: number): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = publicKey.export({ format: 'jwk' });
  return { bits, e, privateKey, n: new Uint8Array(Buffer.from(jwk.n!, 'base64url')), exp: new Uint8Array(Buffer.from(jwk.e!, 'base64url')) };
}

/** A random value below n (first byte smaller than n's first byte). */
function randomBelow(n: Uint8Array): Uint8Array {
  const v = new Uint8Array(randomBytes(n.length));
  v[0] = v[0]! % n[0]!;
  return v;
}

const keys = [makeKey(1984, 3), makeKey(1408, 3), makeKey(1024, 3), makeKey(1024, 65537), makeKey(2048, 65537), makeKey(2048, 3), makeKey(1152, 3)];

describe('RsaEngine (Montgomery) vs BigInt modPow', () => {
  const engine = new RsaEngine(256);
  for (const k of keys) {
    it(`${k.bits}-bit e=${k.e}: 40 random signatures recover to the same bytes`, () => {
      const key = RsaKey.from(k.n, k.exp);
      expect(key.limbs).toBe(limbsFor(k.n.length));
      const out = new Uint8Array(k.n.length + 4);
      for (let i = 0; i < 40; i++) {
        const sig = randomBelow(k.n);
        const ref = rsaRecoverBigInt(sig, k.n, k.exp)!;
        out.fill(0xee);
        expect(engine.recover(sig, 0, sig.length, key, out, 2)).toBe(true);
        expect(toHex(out, 2, 2 + k.n.length)).toBe(toHex(ref));
        expect(out[0]).toBe(0xee); // nothing written outside [outOff, outOff + N)
        expect(out[k.n.length + 2]).toBe(0xee);
      }
    });

    it(`${k.bits}-bit e=${k.e}: recovers what node:crypto signed with RSA_NO_PADDING`, () => {
      const key = RsaKey.from(k.n, k.exp);
      const msg = randomBelow(k.n);
      msg[0] = 0x6a & (k.n[0]! - 1);
      const sig = new Uint8Array(privateEncrypt({ key: k.privateKey, padding: constants.RSA_NO_PADDING }, msg));
      const buf = new Uint8Array(sig.length + 3);
      buf.set(sig, 3);
      const out = new Uint8Array(k.n.length);
      expect(engine.recover(buf, 3, sig.length, key, out, 0)).toBe(true);
      expect(toHex(out)).toBe(toHex(msg));
    });
  }

  it('handles the edge values 0, 1 and n−1', () => {
    const k = keys[2]!;
    const key = RsaKey.from(k.n, k.exp);
    const out = new Uint8Array(k.n.length);
    const nMinus1 = bigIntToBytes(bytesToBigInt(k.n) - 1n, k.n.length);
    for (const s of [new Uint8Array(k.n.length), bigIntToBytes(1n, k.n.length), nMinus1]) {
      expect(engine.recover(s, 0, s.length, key, out, 0)).toBe(true);
      expect(toHex(out)).toBe(toHex(rsaRecoverBigInt(s, k.n, k.exp)!));
    }
  });

  it('rejects a signature ≥ n or of the wrong length, and an empty key', () => {
    const k = keys[2]!;
    const key = RsaKey.from(k.n, k.exp);
    const out = new Uint8Array(256);
    expect(engine.recover(k.n, 0, k.n.length, key, out, 0)).toBe(false); // S = n
    expect(engine.recover(new Uint8Array(k.n.length).fill(0xff), 0, k.n.length, key, out, 0)).toBe(false);
    expect(engine.recover(randomBelow(k.n), 0, k.n.length - 1, key, out, 0)).toBe(false);
    expect(engine.recover(randomBelow(k.n), 0, k.n.length, new RsaKey(), out, 0)).toBe(false);
    expect(rsaRecoverBigInt(k.n, k.n, k.exp)).toBeNull();
  });

  it('one engine and one key slot serve keys of different sizes in turn', () => {
    const slot = new RsaKey(256);
    const out = new Uint8Array(256);
    for (const k of [keys[0]!, keys[2]!, keys[4]!, keys[1]!]) {
      expect(slot.set(k.n, 0, k.n.length, k.exp, 0, k.exp.length)).toBe(true);
      const sig = randomBelow(k.n);
      expect(engine.recover(sig, 0, sig.length, slot, out, 0)).toBe(true);
      expect(toHex(out, 0, k.n.length)).toBe(toHex(rsaRecoverBigInt(sig, k.n, k.exp)!));
    }
  });

  it('RsaKey.set refuses an even modulus, a leading zero, a too long modulus and exponents other than 3 / 65537', () => {
    const k = keys[2]!;
    const slot = new RsaKey(128);
    const even = k.n.slice();
    even[even.length - 1]! &= 0xfe;
    expect(slot.set(even, 0, even.length, k.exp, 0, 1)).toBe(false);
    const lead = new Uint8Array([0, ...k.n.subarray(1)]);
    expect(slot.set(lead, 0, lead.length, k.exp, 0, 1)).toBe(false);
    expect(slot.set(keys[4]!.n, 0, 256, keys[4]!.exp, 0, 3)).toBe(false);
    expect(slot.set(k.n, 0, k.n.length, new Uint8Array([5]), 0, 1)).toBe(false);
    expect(slot.byteLength).toBe(0);
    expect(slot.set(k.n, 0, k.n.length, new Uint8Array([0, 0, 3]), 0, 3)).toBe(true);
    expect(slot.exponent).toBe(3);
    expect(() => RsaKey.from(even, k.exp)).toThrow(RangeError);
  });

  it('any odd modulus of 1..256 bytes (top limb empty, short moduli, top byte 01): agrees with BigInt', () => {
    const slot = new RsaKey(256);
    const out = new Uint8Array(256);
    const lengths = [1, 2, 3, 8, 11, 12, 33, 64, 65, 96, 127, 128, 144, 176, 200, 248, 255, 256];
    for (const len of lengths) {
      for (const top of [0x01, 0x02, 0x7f, 0x80, 0xff]) {
        const n = new Uint8Array(randomBytes(len));
        n[0] = top;
        n[len - 1]! |= 1;
        if (len === 1 && top === 0x01) continue; // n = 1 is not a modulus
        for (const e of [new Uint8Array([3]), new Uint8Array([1, 0, 1])]) {
          expect(slot.set(n, 0, len, e, 0, e.length), `len ${len} top ${top}`).toBe(true);
          const sig = randomBelow(n);
          if (len > 1) sig[0] = Math.min(sig[0]!, top - 1 >= 0 ? top - 1 : 0);
          if (bytesToBigInt(sig) >= bytesToBigInt(n)) continue;
          expect(engine.recover(sig, 0, len, slot, out, 0)).toBe(true);
          expect(toHex(out, 0, len), `len ${len} top ${top} e ${toHex(e)}`).toBe(toHex(rsaRecoverBigInt(sig, n, e)!));
        }
      }
    }
  });

  it('RsaKey.set(…, precompute = false): e = 3 is cubed without R² / R³ and agrees with BigInt (any odd modulus 1..256 bytes, 0, 1, n−1)', () => {
    const slot = new RsaKey(256);
    const out = new Uint8Array(256);
    const three = new Uint8Array([3]);
    for (const len of [1, 2, 3, 11, 12, 33, 64, 65, 96, 127, 128, 144, 176, 200, 248, 255, 256]) {
      for (const top of [0x01, 0x02, 0x7f, 0x80, 0xff]) {
        if (len === 1 && top === 0x01) continue;
        const n = new Uint8Array(randomBytes(len));
        n[0] = top;
        n[len - 1]! |= 1;
        expect(slot.set(n, 0, len, three, 0, 1, false)).toBe(true);
        // The plain path is taken from 4 limbs (12 bytes) up; below that the key is prepared as before.
        expect(slot.montgomery, `len ${len}`).toBe(len * 8 <= 66);
        const nMinus1 = bigIntToBytes(bytesToBigInt(n) - 1n, len);
        const sigs = [new Uint8Array(len), bigIntToBytes(1n, len), nMinus1];
        for (let i = 0; i < 6; i++) {
          const sig = randomBelow(n);
          if (len > 1) sig[0] = Math.min(sig[0]!, top - 1);
          if (bytesToBigInt(sig) < bytesToBigInt(n)) sigs.push(sig);
        }
        for (const sig of sigs) {
          expect(engine.recover(sig, 0, len, slot, out, 0)).toBe(true);
          expect(toHex(out, 0, len), `len ${len} top ${top} sig ${toHex(sig)}`).toBe(toHex(rsaRecoverBigInt(sig, n, three)!));
        }
      }
    }
    // e = 65537 ignores precompute = false (square-and-multiply needs R²); a later set() with the
    // default prepares the same slot again.
    const k = keys[3]!;
    expect(slot.set(k.n, 0, k.n.length, k.exp, 0, k.exp.length, false)).toBe(true);
    expect(slot.montgomery).toBe(true);
    const sig = randomBelow(k.n);
    expect(engine.recover(sig, 0, sig.length, slot, out, 0)).toBe(true);
    expect(toHex(out, 0, k.n.length)).toBe(toHex(rsaRecoverBigInt(sig, k.n, k.exp)!));
    const k3 = keys[2]!;
    expect(slot.set(k3.n, 0, k3.n.length, k3.exp, 0, 1, false)).toBe(true);
    expect(slot.montgomery).toBe(false);
    expect(slot.set(k3.n, 0, k3.n.length, k3.exp, 0, 1)).toBe(true);
    expect(slot.montgomery).toBe(true);
  });

  it('modPow agrees with known small values', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(7n, 0n, 13n)).toBe(1n);
  });
});
