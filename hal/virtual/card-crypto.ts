/**
 * The card's cryptography: application cryptograms (AES-CMAC, RFC 4493, via @noble/ciphers), the
 * extended app's MACs, and the card's RSA key type (signing: rsa-signing.ts, facts §2).
 */
import { cmac } from '@noble/ciphers/aes.js';
import { createHash } from 'node:crypto';

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

// BigInt helpers for the card's keys: one implementation, in kernels/oda.
export { bytesToBigInt, bigIntToBytes, modPow } from '../../kernels/oda/rsa-bigint.js';
