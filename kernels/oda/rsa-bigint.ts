/**
 * RSA public operation with BigInt: the simple reference the Montgomery engine (rsa.ts) is checked
 * against, and the private-key operation of the test certificate builder. Allocates freely; not
 * for the per-tap path.
 */

/** Big-endian unsigned bytes → BigInt. */
export function bytesToBigInt(bytes: Uint8Array, off = 0, len = bytes.length - off): bigint {
  let x = 0n;
  for (let i = off; i < off + len; i++) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** BigInt → big-endian bytes of exactly `len` bytes (RangeError when it does not fit). */
export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  if (x < 0n) throw new RangeError('bigIntToBytes: negative value');
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`bigIntToBytes: value does not fit in ${len} bytes`);
  return out;
}

/** base^exp mod m (square-and-multiply, left to right). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let result = 1n;
  base %= m;
  // The exponent's bits as a string once: testing `(exp >> BigInt(i)) & 1n` per bit costs O(bits²).
  const bits = exp.toString(2);
  for (let i = 0; i < bits.length; i++) {
    result = (result * result) % m;
    if (bits.charCodeAt(i) === 49) result = (result * base) % m;
  }
  return result;
}

/**
 * Raw RSA (EMV Book 2 §5.1 / Annex A2.1: X = S^e mod n, no padding). Returns null when the
 * signature is not the modulus length or not below the modulus.
 */
export function rsaRecoverBigInt(signature: Uint8Array, modulus: Uint8Array, exponent: Uint8Array | bigint | number): Uint8Array | null {
  if (signature.length !== modulus.length) return null;
  const n = bytesToBigInt(modulus);
  const s = bytesToBigInt(signature);
  if (s >= n) return null;
  const e = typeof exponent === 'bigint' ? exponent : typeof exponent === 'number' ? BigInt(exponent) : bytesToBigInt(exponent);
  return bigIntToBytes(modPow(s, e, n), modulus.length);
}
