import { describe, expect, it } from 'vitest';
import { isBcd, readAmount, writeAmount, readYymmdd, writeYymmdd, mmyyToLastDay, daysInMonth, expandYear } from './bcd.js';
import { fromHex, toHex } from '../util/hex.js';

describe('amounts (format n12)', () => {
  it('reads BCD amounts in minor units', () => {
    expect(readAmount(fromHex('000000001234'), 0)).toBe(1234);
    expect(readAmount(fromHex('999999999999'), 0)).toBe(999999999999);
    expect(readAmount(fromHex('000000000000'), 0)).toBe(0);
    expect(readAmount(fromHex('FF000000000100'), 1)).toBe(100);
    expect(readAmount(fromHex('0100'), 0, 2)).toBe(100);
    expect(readAmount(fromHex('99999999999999'), 0, 7)).toBe(99999999999999);
  });
  it('returns -1 for non-BCD nibbles and for a value past the buffer', () => {
    expect(readAmount(fromHex('00000000123A'), 0)).toBe(-1);
    expect(readAmount(fromHex('A00000001234'), 0)).toBe(-1);
    expect(readAmount(fromHex('0000000012'), 0)).toBe(-1);
    expect(readAmount(fromHex('000000000012'), 1)).toBe(-1);
    expect(() => readAmount(new Uint8Array(8), 0, 8)).toThrow(RangeError);
  });
  it('writes amounts right-justified and round-trips', () => {
    const b = new Uint8Array(8).fill(0xee);
    writeAmount(1234, b, 1);
    expect(toHex(b)).toBe('EE000000001234EE');
    for (const v of [0, 1, 99, 100, 123456789012, 999999999999]) {
      writeAmount(v, b, 0);
      expect(readAmount(b, 0)).toBe(v);
    }
    expect(() => writeAmount(1e12, b, 0)).toThrow(RangeError);
    expect(() => writeAmount(-1, b, 0)).toThrow(RangeError);
    expect(() => writeAmount(1.5, b, 0)).toThrow(RangeError);
    expect(() => writeAmount(1, b, 4)).toThrow(RangeError);
  });
  it('isBcd checks every nibble', () => {
    expect(isBcd(fromHex('0123456789'), 0, 5)).toBe(true);
    expect(isBcd(fromHex('012345678A'), 0, 5)).toBe(false);
    expect(isBcd(fromHex('F0'), 0, 1)).toBe(false);
    expect(isBcd(fromHex('00'), 0, 2)).toBe(false);
  });
});

describe('dates (YYMMDD, EMV Book 4 §6.7.3 century window)', () => {
  it('reads valid dates with YY 00–49 → 20YY, 50–99 → 19YY', () => {
    expect(readYymmdd(fromHex('250601'), 0)).toBe(20250601);
    expect(readYymmdd(fromHex('000101'), 0)).toBe(20000101);
    expect(readYymmdd(fromHex('491231'), 0)).toBe(20491231);
    expect(readYymmdd(fromHex('500101'), 0)).toBe(19500101);
    expect(readYymmdd(fromHex('991231'), 0)).toBe(19991231);
  });
  it('checks month and day validity, including leap years', () => {
    expect(readYymmdd(fromHex('240229'), 0)).toBe(20240229);
    expect(readYymmdd(fromHex('250229'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('000229'), 0)).toBe(20000229); // 2000 is a leap year (÷400)
    expect(readYymmdd(fromHex('250431'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('250001'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('251301'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('250100'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('2501 1A'), 0)).toBe(-1);
    expect(readYymmdd(fromHex('2501'), 0)).toBe(-1);
    expect(daysInMonth(1900, 2)).toBe(28);
  });
  it('writes dates and round-trips', () => {
    const b = new Uint8Array(3);
    writeYymmdd(20250601, b, 0);
    expect(toHex(b)).toBe('250601');
    writeYymmdd(19991231, b, 0);
    expect(readYymmdd(b, 0)).toBe(19991231);
    expect(() => writeYymmdd(20250230, b, 0)).toThrow(RangeError);
    expect(() => writeYymmdd(20500101, b, 0)).toThrow(RangeError);
    expect(expandYear(49)).toBe(2049);
    expect(expandYear(50)).toBe(1950);
  });
  it('mmyyToLastDay gives the end of a certificate expiry month', () => {
    expect(mmyyToLastDay(fromHex('1230'), 0)).toBe(20301231);
    expect(mmyyToLastDay(fromHex('0224'), 0)).toBe(20240229);
    expect(mmyyToLastDay(fromHex('0225'), 0)).toBe(20250228);
    expect(mmyyToLastDay(fromHex('0499'), 0)).toBe(19990430);
    expect(mmyyToLastDay(fromHex('1330'), 0)).toBe(-1);
    expect(mmyyToLastDay(fromHex('0030'), 0)).toBe(-1);
    expect(mmyyToLastDay(fromHex('123A'), 0)).toBe(-1);
  });
});
