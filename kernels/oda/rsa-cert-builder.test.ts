import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { rsaPrivateKeyFromJwk, rsaSign } from './rsa-cert-builder.js';
import { bigIntToBytes, bytesToBigInt, modPow, rsaRecoverBigInt } from './rsa-bigint.js';

describe('rsaSign (test builder private operation)', () => {
  it('the CRT fast path gives exactly X^d mod n, for e = 3 and 65537, and recovers to X', () => {
    for (const publicExponent of [3, 65537]) {
      const jwk = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent }).privateKey.export({ format: 'jwk' });
      const key = rsaPrivateKeyFromJwk(jwk);
      const n = bytesToBigInt(key.modulus);
      for (let i = 0; i < 5; i++) {
        const x = new Uint8Array(key.modulus.length);
        x[0] = 0x6a;
        for (let j = 1; j < x.length; j++) x[j] = (j * 31 + i * 7) & 0xff;
        const s = rsaSign(key, x);
        expect(s).toEqual(bigIntToBytes(modPow(bytesToBigInt(x), key.d, n), key.modulus.length));
        expect(rsaRecoverBigInt(s, key.modulus, key.exponent)).toEqual(x);
      }
    }
  });
});
