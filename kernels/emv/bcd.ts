/**
 * BCD numbers, amounts and dates (EMV Book 3 §4.3 format n; Book 4 §6.7 dates). Allocation-free:
 * these run per APDU (amounts in PDOL data, 9F79 balance, 5F24 expiry checks).
 */

/** True when every nibble of `buf[off, off+len)` is a decimal digit (format n). */
export function isBcd(buf: Uint8Array, off: number, len: number): boolean {
  if (off < 0 || off + len > buf.length) return false;
  for (let i = off; i < off + len; i++) {
    const b = buf[i]!;
    if (b >> 4 > 9 || (b & 15) > 9) return false;
  }
  return true;
}

/**
 * Reads a BCD number (format n, e.g. Amount, Authorised 9F02 n12 = 6 bytes) as an integer: the
 * amount in minor units. Returns -1 when a nibble is not a digit or the bytes run past the buffer.
 * `len` ≤ 7 (14 digits stay exact in a double).
 */
export function readAmount(buf: Uint8Array, off: number, len = 6): number {
  if (len < 1 || len > 7) throw new RangeError('readAmount: len must be 1..7');
  if (off < 0 || off + len > buf.length) return -1;
  let v = 0;
  for (let i = off; i < off + len; i++) {
    const b = buf[i]!;
    const hi = b >> 4;
    const lo = b & 15;
    if (hi > 9 || lo > 9) return -1;
    v = v * 100 + hi * 10 + lo;
  }
  return v;
}

/** Writes a non-negative integer as `len` BCD bytes, right-justified with leading zeros (format n). */
export function writeAmount(value: number, buf: Uint8Array, off: number, len = 6): void {
  if (len < 1 || len > 7) throw new RangeError('writeAmount: len must be 1..7');
  if (!Number.isInteger(value) || value < 0 || value >= 100 ** len)
    throw new RangeError('writeAmount: value must be an integer in 0..10^(2*len)-1');
  if (off < 0 || off + len > buf.length) throw new RangeError('writeAmount: buf too short');
  let v = value;
  for (let i = off + len - 1; i >= off; i--) {
    const d = v % 100;
    v = (v - d) / 100;
    buf[i] = (((d / 10) | 0) << 4) | d % 10;
  }
}

/** Days in a month of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Two-digit year to four digits, EMV Book 4 §6.7.3 (date management): YY 00–49 → 20YY,
 * 50–99 → 19YY.
 */
export function expandYear(yy: number): number {
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

function bcdByte(b: number): number {
  const hi = b >> 4;
  const lo = b & 15;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

/**
 * Reads a YYMMDD date (n6: 9A transaction date, 5F24 expiry, 5F25 effective date) as the number
 * yyyymmdd (e.g. 20250601), or -1 when it is not BCD or not a calendar date.
 */
export function readYymmdd(buf: Uint8Array, off: number): number {
  if (off < 0 || off + 3 > buf.length) return -1;
  const yy = bcdByte(buf[off]!);
  const mm = bcdByte(buf[off + 1]!);
  const dd = bcdByte(buf[off + 2]!);
  if (yy < 0 || mm < 1 || mm > 12 || dd < 1) return -1;
  const year = expandYear(yy);
  if (dd > daysInMonth(year, mm)) return -1;
  return year * 10000 + mm * 100 + dd;
}

/** Writes yyyymmdd (years 1950–2049, the EMV window) as YYMMDD BCD. */
export function writeYymmdd(yyyymmdd: number, buf: Uint8Array, off: number): void {
  const year = Math.floor(yyyymmdd / 10000);
  const mm = Math.floor(yyyymmdd / 100) % 100;
  const dd = yyyymmdd % 100;
  if (!Number.isInteger(yyyymmdd) || year < 1950 || year > 2049 || mm < 1 || mm > 12 || dd < 1 || dd > daysInMonth(year, mm))
    throw new RangeError('writeYymmdd: not a date yyyymmdd in 1950..2049');
  if (off < 0 || off + 3 > buf.length) throw new RangeError('writeYymmdd: buf too short');
  const yy = year % 100;
  buf[off] = (((yy / 10) | 0) << 4) | yy % 10;
  buf[off + 1] = (((mm / 10) | 0) << 4) | mm % 10;
  buf[off + 2] = (((dd / 10) | 0) << 4) | dd % 10;
}

/**
 * A certificate expiration date MMYY (EMV Book 2 §5.3/§6.3: Issuer and ICC PK certificates) as the
 * yyyymmdd of the last day of that month: the certificate is valid through the end of the month.
 * -1 when not BCD or the month is not 1..12.
 */
export function mmyyToLastDay(buf: Uint8Array, off: number): number {
  if (off < 0 || off + 2 > buf.length) return -1;
  const mm = bcdByte(buf[off]!);
  const yy = bcdByte(buf[off + 1]!);
  if (mm < 1 || mm > 12 || yy < 0) return -1;
  const year = expandYear(yy);
  return year * 10000 + mm * 100 + daysInMonth(year, mm);
}
