import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { ANY_PSN, EntryHasher, NO_PSN, hashEntry, panTo5A, psnCode } from './entry-hash.js';
import { fromHex } from '../../kernels/util/hex.js';

const salt = fromHex('00112233445566778899AABBCCDDEEFF');
const ascii = (s: string) => new TextEncoder().encode(s);
/** The documented definition, computed independently with @noble/hashes. */
const reference = (pan: string, psn: string) => sha256(new Uint8Array([...salt, ...ascii(pan + psn)])).slice(0, 8);

describe('entry hash = SHA-256(salt ‖ PAN digits ‖ 2-char PSN)[0..8]', () => {
  it('hashEntry matches the definition for exact, any and 2-digit PSNs', () => {
    expect(hashEntry(salt, '6228480000000000018', 1)).toEqual(reference('6228480000000000018', '01'));
    expect(hashEntry(salt, '6228480000000000018', '10')).toEqual(reference('6228480000000000018', '10'));
    expect(hashEntry(salt, '6228480000000000018', 99)).toEqual(reference('6228480000000000018', '99'));
    expect(hashEntry(salt, '6228480000000000018')).toEqual(reference('6228480000000000018', '**'));
    expect(hashEntry(salt, '6228 4800 0000 0000 018', '*')).toEqual(reference('6228480000000000018', '**'));
    expect(hashEntry(salt, '1', 0)).toEqual(reference('1', '00'));
  });

  it('the PAN as the kernel passes it (5A: BCD, F-padded, odd lengths, offset) hashes like its digits', () => {
    const h = new EntryHasher(salt);
    const word = (i: number) => (h.out[i]! >>> 0).toString(16).padStart(8, '0');
    for (const pan of ['6212345678901234', '621234567890123', '6228480000000000018', '123456789012', '4']) {
      const a = panTo5A(pan);
      const framed = new Uint8Array(a.length + 5).fill(0x99); // PAN in the middle of a bigger buffer
      framed.set(a, 3);
      expect(h.hashPan5A(framed, 3, a.length, 0x01)).toBe(true);
      expect(fromHex(word(0) + word(1)), pan).toEqual(reference(pan, '01'));
      // Extra F padding bytes (a 10-byte 5A field with a 16-digit PAN) do not change the PAN.
      const padded = new Uint8Array(10).fill(0xff);
      padded.set(a);
      h.hashPan5A(padded, 0, padded.length, 0x01);
      expect(fromHex(word(0) + word(1)), pan + ' padded').toEqual(reference(pan, '01'));
    }
  });

  it('PSN codes: the 5F34 byte as two hex digits, no PSN ≡ 00, any PSN = "**"', () => {
    const h = new EntryHasher(salt);
    const pan = panTo5A('6212345678901234');
    const hashOf = (psn: number) => {
      h.hashPan5A(pan, 0, pan.length, psn);
      return [h.out[0], h.out[1]];
    };
    expect(hashOf(NO_PSN)).toEqual(hashOf(0x00));
    expect(hashOf(0x10)).not.toEqual(hashOf(10)); // 5F34 = 10 is the byte 0x10, not 0x0A
    h.hashDigits('6212345678901234', 0x10);
    expect([h.out[0], h.out[1]]).toEqual(hashOf(0x10));
    expect(hashOf(ANY_PSN)).not.toEqual(hashOf(0xff));
    expect(psnCode(10)).toBe(0x10);
    expect(psnCode('07')).toBe(0x07);
    expect(psnCode(null)).toBe(ANY_PSN);
    expect(psnCode(undefined)).toBe(ANY_PSN);
  });

  it('unusable PANs hash nothing and report false: no digit, more than 19 digits', () => {
    const h = new EntryHasher(salt);
    expect(h.hashPan5A(fromHex('FF'), 0, 1, 1)).toBe(false);
    expect(h.hashPan5A(new Uint8Array(0), 0, 0, 1)).toBe(false);
    expect(h.hashPan5A(fromHex('12345678901234567890'), 0, 10, 1)).toBe(false); // 20 digits
    expect(h.hashPan5A(fromHex('1234567890123456789F'), 0, 10, 1)).toBe(true); // 19 digits
  });

  it('bad back-office input is a RangeError/TypeError naming it', () => {
    expect(() => hashEntry(salt, '62A8')).toThrow(/pan: expected 1–19 digits/);
    expect(() => hashEntry(salt, '12345678901234567890')).toThrow(/pan/);
    expect(() => hashEntry(salt, '')).toThrow(/pan/);
    expect(() => hashEntry(salt, '6212', 100)).toThrow(/psn: expected 0–99/);
    expect(() => hashEntry(salt, '6212', '1a')).toThrow(/psn/);
    expect(() => hashEntry(salt, '6212', 1.5)).toThrow(/psn/);
    expect(() => hashEntry(new Uint8Array(8), '6212', 1)).toThrow(/salt: expected 16 bytes/);
  });

  it('panTo5A: BCD, F-padded', () => {
    expect(Buffer.from(panTo5A('621234567890123')).toString('hex')).toBe('621234567890123f');
    expect(Buffer.from(panTo5A('6212345678901234')).toString('hex')).toBe('6212345678901234');
  });
});
