/**
 * The card's cryptography: application cryptograms (AES-CMAC, RFC 4493, via @noble/ciphers), the
 * extended app's MACs, and raw RSA private-key operations (EMV Book 2 signatures are raw
 * X^d mod N over a formatted block; facts §2).
 */
import { cmac } from '@noble/ciphers/aes.js';
import { createHash } from 'node:crypto';
import { fromHex, toHex } from '../../kernels/util/hex.js';

export type RsaPrivateKey = { n: bigint; e: bigint; d: bigint; bytes: number };

export function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** AES-CMAC (RFC 4493) truncated to `len` leftmost bytes. */
export function aesCmac(key: Uint8Array, data: Uint8Array, len = 16): Uint8Array {
  return cmac(data, key).slice(0, len);
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b));
}

export function bigIntToBytes(v: bigint, len: number): Uint8Array {
  return fromHex(v.toString(16).padStart(len * 2, '0'));
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

/** Signs an already formatted Book 2 block (6A … BC, |block| = |N|): S = X^d mod N. */
export function rsaSignBlock(key: RsaPrivateKey, block: Uint8Array): Uint8Array {
  if (block.length !== key.bytes) throw new RangeError(`RSA block is ${block.length} bytes, key modulus is ${key.bytes}`);
  return bigIntToBytes(modPow(bytesToBigInt(block), key.d, key.n), key.bytes);
}

/** Raw public operation X = S^e mod N (for tests and self-checks). */
export function rsaRecover(key: { n: bigint; e: bigint; bytes: number }, sig: Uint8Array): Uint8Array {
  return bigIntToBytes(modPow(bytesToBigInt(sig), key.e, key.n), key.bytes);
}
