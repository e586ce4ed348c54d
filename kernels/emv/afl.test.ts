import { describe, expect, it } from 'vitest';
import { Afl, AflWalker, AflError, aflErrorText, parseAfl, AFL_MAX_ENTRIES } from './afl.js';
import { fromHex } from '../util/hex.js';

function parse(hex: string): { code: number; afl: Afl } {
  const afl = new Afl();
  const b = fromHex(hex);
  return { code: parseAfl(b, 0, b.length, afl), afl };
}

function records(afl: Afl): string[] {
  const w = new AflWalker().reset(afl);
  const out: string[] = [];
  while (w.next()) out.push(`${w.sfi}.${w.record}${w.forOda ? '*' : ''}${w.isLast ? '!' : ''}`);
  return out;
}

describe('parseAfl (EMV Book 3 §10.2)', () => {
  it('parses entries: SFI<<3, first, last, ODA count', () => {
    const { code, afl } = parse('08010100100103011801020018030300');
    expect(code).toBe(AflError.None);
    expect(afl.count).toBe(4);
    expect([afl.sfi[1], afl.first[1], afl.last[1], afl.odaCount[1]]).toEqual([2, 1, 3, 1]);
    expect(afl.recordCount()).toBe(1 + 3 + 2 + 1);
  });
  it('walks records in order, marking ODA records and the last record', () => {
    const { afl } = parse('08010100100103011801020018030300');
    expect(records(afl)).toEqual(['1.1', '2.1*', '2.2', '2.3', '3.1', '3.2', '3.3!']);
    expect(records(new Afl())).toEqual([]);
  });
  it('rejects a length that is not a nonzero multiple of 4', () => {
    expect(parse('').code).toBe(AflError.BadLength);
    expect(parse('080101').code).toBe(AflError.BadLength);
    expect(parse('0801010008').code).toBe(AflError.BadLength);
  });
  it('rejects SFI 0 and SFI > 30', () => {
    expect(parse('00010100').code).toBe(AflError.BadSfi);
    expect(parse('F8010100').code).toBe(AflError.BadSfi); // SFI 31
    expect(parse('F0010100').code).toBe(AflError.None); // SFI 30
  });
  it('rejects first record 0, last < first, ODA count > records', () => {
    expect(parse('08000100').code).toBe(AflError.FirstRecordZero);
    expect(parse('08030200').code).toBe(AflError.LastBeforeFirst);
    expect(parse('08010203').code).toBe(AflError.OdaCountTooLarge);
    expect(parse('08010202').code).toBe(AflError.None);
  });
  it('reports the failing entry and leaves count 0', () => {
    const { code, afl } = parse('0801010010000100');
    expect(code).toBe(AflError.FirstRecordZero);
    expect(afl.errorEntry).toBe(1);
    expect(afl.count).toBe(0);
  });
  it('rejects more entries than the Afl holds, and an AFL past the buffer', () => {
    const b = new Uint8Array((AFL_MAX_ENTRIES + 1) * 4);
    for (let i = 0; i < b.length; i += 4) b.set([0x08, 1, 1, 0], i);
    expect(parseAfl(b, 0, b.length, new Afl())).toBe(AflError.TooManyEntries);
    expect(parseAfl(b, 0, AFL_MAX_ENTRIES * 4, new Afl())).toBe(AflError.None);
    expect(parseAfl(fromHex('08010100'), 0, 8, new Afl())).toBe(AflError.BadLength);
  });
  it('has texts for every code', () => {
    for (const c of Object.values(AflError)) expect(aflErrorText(c)).not.toMatch(/^AFL error/);
    expect(aflErrorText(42)).toBe('AFL error 42');
  });
});
