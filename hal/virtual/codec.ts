/**
 * Numeric encodings the card personalises and parses: n-format BCD amounts (EMV Book 3 §4.3),
 * dates, and big-endian counters.
 */
import { fromHex } from '../../kernels/util/hex.js';

/** Amount in minor units → n12 BCD (6 bytes), as 9F02 / 9F79 carry it. */
export function amountToBcd(minor: number, bytes = 6): Uint8Array {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`amount must be a non-negative integer, got ${minor}`);
  const digits = String(minor).padStart(bytes * 2, '0');
  if (digits.length > bytes * 2) throw new RangeError(`amount ${minor} does not fit n${bytes * 2}`);
  return fromHex(digits);
}

/** n-format BCD → number; NaN when a nibble is not a decimal digit. */
export function bcdToNumber(buf: Uint8Array, off = 0, len = buf.length - off): number {
  let v = 0;
  for (let i = off; i < off + len; i++) {
    const hi = buf[i]! >> 4;
    const lo = buf[i]! & 15;
    if (hi > 9 || lo > 9) return NaN;
    v = v * 100 + hi * 10 + lo;
  }
  return v;
}

/** Big-endian unsigned integer of `size` bytes. */
export function uintBytes(value: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

/** Card-side PAN encoding for 5A: cn, F-padded to an even number of digits. */
export function panToCn(pan: string, bytes?: number): Uint8Array {
  let s = pan;
  const len = bytes ?? Math.ceil(pan.length / 2);
  while (s.length < len * 2) s += 'F';
  return fromHex(s);
}
