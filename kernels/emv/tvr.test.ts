import { describe, expect, it } from 'vitest';
import * as T from './tvr.js';
import { toHex } from '../util/hex.js';

describe('TVR/TSI bits (EMV Book 3 Annex C5/C6)', () => {
  it('places bits at their byte and mask', () => {
    const tvr = new Uint8Array(5);
    T.setBit(tvr, 0, T.TVR_ODA_NOT_PERFORMED);
    T.setBit(tvr, 0, T.TVR_EXPIRED_APPLICATION);
    T.setBit(tvr, 0, T.TVR_ONLINE_PIN_ENTERED);
    T.setBit(tvr, 0, T.TVR_TX_EXCEEDS_FLOOR_LIMIT);
    T.setBit(tvr, 0, T.TVR_ISSUER_AUTH_FAILED);
    expect(toHex(tvr)).toBe('8040048040');
    expect(T.testBit(tvr, 0, T.TVR_EXPIRED_APPLICATION)).toBe(true);
    expect(T.testBit(tvr, 0, T.TVR_NEW_CARD)).toBe(false);
    T.clearBit(tvr, 0, T.TVR_EXPIRED_APPLICATION);
    expect(toHex(tvr)).toBe('8000048040');
  });
  it('works at an offset inside a larger buffer', () => {
    const b = new Uint8Array(8);
    T.setBit(b, 3, T.TSI_ODA_PERFORMED);
    T.setBit(b, 3, T.TSI_TERMINAL_RISK_MANAGEMENT_PERFORMED);
    expect(toHex(b)).toBe('0000008800000000');
  });
  it('has one name per bit, all distinct', () => {
    const bits = T.TVR_BITS.map((b) => b.bit);
    expect(new Set(bits).size).toBe(bits.length);
    expect(T.bitName(T.TVR_BITS, T.TVR_CDA_FAILED)).toBe('CDA failed');
    expect(T.bitName(T.TSI_BITS, T.TSI_CVM_PERFORMED)).toBe('Cardholder verification was performed');
    expect(T.bitName(T.TVR_BITS, 0x0401)).toBeUndefined();
    for (const b of [...T.TVR_BITS, ...T.TSI_BITS]) expect(b.bit >>> 8).toBeLessThan(5);
  });
});
