import { describe, expect, it } from 'vitest';
import { describeValue, describeBits, formatAmount, TTQ_BITS, CTQ_BITS, TVR_BITS } from './describe.js';
import { fromHex } from '../util/hex.js';

const d = (tag: number, hex: string, ctx?: 'qpboc' | 'visa' | 'mastercard') => describeValue(tag, fromHex(hex), ctx);

describe('describeValue', () => {
  it('formats amounts as units.cents', () => {
    expect(d(0x9f02, '000000001234')).toBe('12.34');
    expect(d(0x9f03, '000000000000')).toBe('0.00');
    expect(d(0x9f79, '000000100005')).toBe('1000.05');
    for (const t of [0x9f5d, 0x9f77, 0x9f78, 0x9f6d, 0xdf62, 0xdf63, 0x9f7b]) expect(d(t, '000000000200')).toBe('2.00');
    expect(d(0x9f02, '00000000123A')).toBeUndefined();
    expect(formatAmount(5)).toBe('0.05');
  });
  it('formats dates YYMMDD as YYYY-MM-DD, with the EMV century window', () => {
    expect(d(0x9a, '250601')).toBe('2025-06-01');
    expect(d(0x5f24, '491231')).toBe('2049-12-31');
    expect(d(0x5f25, '991231')).toBe('1999-12-31');
    expect(d(0x9a, '251301')).toBeUndefined();
  });
  it('names currencies and countries', () => {
    expect(d(0x5f2a, '0156')).toBe('CNY');
    expect(d(0x9f1a, '0156')).toBe('China');
    expect(d(0x5f28, '0344')).toBe('Hong Kong');
    expect(d(0x9f42, '0978')).toBe('EUR');
    expect(d(0x5f2a, '0999')).toBeUndefined();
  });
  it('lists TTQ bits (qPBOC meanings)', () => {
    expect(d(0x9f66, '28000080')!.split('\n')).toEqual(['qPBOC supported', 'Offline-only reader', 'fDDA version 01 supported']);
    expect(d(0x9f66, '26800000')!.split('\n')).toEqual(['qPBOC supported', 'Online PIN supported', 'Signature supported', 'Online cryptogram required']);
    expect(d(0x9f66, '00000000')).toBe('no bits set');
  });
  it('lists CTQ, AIP, TVR, TSI and AUC bits', () => {
    expect(d(0x9f6c, '2000')).toBe('Go online if ODA fails');
    expect(d(0x9f6c, '8080')!.split('\n')).toEqual(['Online PIN required', 'Consumer device CVM performed']);
    expect(d(0x82, '7C00')!.split('\n')).toContain('DDA supported');
    expect(d(0x95, '8000048000')!.split('\n')).toEqual(['Offline data authentication was not performed', 'Online PIN entered', 'Transaction exceeds floor limit']);
    expect(d(0x9b, 'E800')!.split('\n')).toEqual([
      'Offline data authentication was performed', 'Cardholder verification was performed', 'Card risk management was performed', 'Terminal risk management was performed',
    ]);
    expect(d(0x9f07, 'FF00')!.split('\n')).toHaveLength(8);
  });
  it('decodes the CID and the PBOC IAD with its CVR', () => {
    expect(d(0x9f27, '80')).toBe('ARQC');
    expect(d(0x9f27, '40')).toBe('TC');
    expect(d(0x9f27, '09')).toBe('AAC\nAdvice required\nService not allowed');
    const iad = d(0x9f10, '07010103A00000010A01000000000079B28199')!;
    expect(iad).toContain('CVN 01');
    expect(iad).toContain('GPO/1st GEN AC: ARQC; 2nd GEN AC: not requested');
    expect(d(0x9f10, '07010103900000')).toContain('GPO/1st GEN AC: TC');
    expect(d(0x9f10, '06010A03A00000')).toBeUndefined(); // Visa-style IAD: not PBOC
  });
  it('names transaction types, AIDs and text fields', () => {
    expect(d(0x9c, '00')).toBe('Purchase of goods or services');
    expect(d(0x9c, '20')).toBe('Refund');
    expect(d(0x4f, 'A000000333010101')).toBe('UnionPay Debit');
    expect(d(0x84, 'A000000333010106')).toBe('UnionPay Electronic Cash');
    expect(d(0x9f06, 'A000000333010199')).toBe('China UnionPay');
    expect(d(0x84, '325041592E5359532E4444463031')).toBe('2PAY.SYS.DDF01');
    expect(d(0x50, '50424F43204445424954')).toBe('PBOC DEBIT');
    expect(d(0x5f20, '2020')).toBe('(blank)');
    expect(d(0x9f12, '50424F4300')).toBeUndefined();
  });
  it('describes AFL, log entries, DF60 and DF69', () => {
    expect(d(0x94, '0801010010010301')).toBe('SFI 1: records 1–1, 0 for ODA\nSFI 2: records 1–3, 1 for ODA');
    expect(d(0x9f4d, '0B0A')).toBe('SFI 11, 10 records');
    expect(d(0xdf60, '01')).toBe('Segmented deduction (SP)');
    expect(d(0xdf69, '01')).toBe('SM algorithms supported');
  });
  it('does not describe collision tags with the qPBOC meaning in another kernel', () => {
    expect(d(0x9f5d, '000000000200')).toBe('2.00');
    expect(d(0x9f5d, '000000000200', 'visa')).toBeUndefined();
    expect(d(0x9f66, '28000080', 'mastercard')).toBeUndefined();
    expect(d(0x9f02, '000000000200', 'visa')).toBe('2.00');
  });
  it('returns undefined for values of the wrong length', () => {
    expect(d(0x9f66, '2800')).toBeUndefined();
    expect(d(0x95, '00')).toBeUndefined();
    expect(d(0x9a, '2506')).toBeUndefined();
  });
});

describe('describeBits', () => {
  it('reads (byte << 8 | mask) bits and ignores bytes past the value', () => {
    expect(describeBits(CTQ_BITS, fromHex('80'))).toEqual(['Online PIN required']);
    expect(describeBits(TTQ_BITS, fromHex('FFFFFFFF'))).toHaveLength(TTQ_BITS.length);
    expect(describeBits(TVR_BITS, new Uint8Array(5))).toEqual([]);
  });
});
