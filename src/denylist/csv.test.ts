import { describe, expect, it } from 'vitest';
import { hashDenyCsv, parseDenyCsv } from './csv.js';
import { hashEntry } from './entry-hash.js';

describe('parseDenyCsv', () => {
  it('PAN,PSN lines; empty or * PSN = any; header, comments and blank lines skipped; CRLF accepted', () => {
    expect(parseDenyCsv('pan, psn\r\n# comment\r\n6228480000000000018,01\r\n\r\n6212 3456 7890 1234 ,\r\n621234567890123,*\r\n4000000000000002\r\n')).toEqual([
      { pan: '6228480000000000018', psn: '01' },
      { pan: '6212345678901234' },
      { pan: '621234567890123' },
      { pan: '4000000000000002' },
    ]);
  });

  it('a header is only a header on the first data line; bad lines name source:line', () => {
    expect(() => parseDenyCsv('6228480000000000018,01\nPAN,PSN\n', 'list.csv')).toThrow(/list\.csv:2: PAN/);
    expect(() => parseDenyCsv('6228480000000000018,1,x\n', 'a.csv')).toThrow(/a\.csv:1: expected "PAN,PSN", got 3 columns/);
    expect(() => parseDenyCsv('\n\n6228480000000000018,100\n', 'a.csv')).toThrow(/a\.csv:3: PSN/);
    expect(() => parseDenyCsv(',01\n', 'a.csv')).toThrow(/a\.csv:1: PAN/);
  });

  it('hashDenyCsv gives the hashes of the parsed entries, in line order, past its first buffer', () => {
    const salt = new Uint8Array(16).fill(9);
    const lines = Array.from({ length: 3000 }, (_, i) => `62284800000${String(i).padStart(8, '0')},${i % 3 === 0 ? '' : String(i % 100).padStart(2, '0')}`);
    const text = 'PAN,PSN\n' + lines.join('\n');
    const hashes = hashDenyCsv(text, salt, 'big.csv');
    const expected = parseDenyCsv(text).map((e) => hashEntry(salt, e.pan, e.psn));
    expect(hashes.length).toBe(3000 * 8);
    expect(hashes).toEqual(new Uint8Array(expected.flatMap((h) => [...h])));
    expect(() => hashDenyCsv('1234,5,6', salt, 'x.csv')).toThrow(/x\.csv:1/);
  });
});
