import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDolData, dolDataLength, parseDol, DOL_MALFORMED, DOL_TOO_LONG } from './dol.js';
import { TagStore } from './tag-store.js';
import { parseTag, tagHex, tagByteLength } from '../tlv/cursor.js';
import { fromHex, toHex } from '../util/hex.js';
import { VECTORS_DIR } from '../../bench/samples.js';

const QPBOC_PDOL = '9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001DF6901';

function storeOf(values: Record<string, string>): TagStore {
  const s = new TagStore(1024, 64);
  for (const [tag, hex] of Object.entries(values)) {
    const v = fromHex(hex);
    s.set(parseTag(tag), v, 0, v.length);
  }
  return s;
}

function build(dolHex: string, store: TagStore, outSize = 256): string | number {
  const dol = fromHex(dolHex);
  const out = new Uint8Array(outSize);
  const n = buildDolData(dol, 0, dol.length, store, out, 0);
  return n < 0 ? n : toHex(out, 0, n);
}

describe('dolDataLength', () => {
  it('sums the requested lengths', () => {
    const d = fromHex(QPBOC_PDOL);
    expect(dolDataLength(d, 0, d.length)).toBe(35);
    expect(dolDataLength(d, 0, 0)).toBe(0);
  });
  it('returns -1 for a truncated entry (tag without length, cut multi-byte tag)', () => {
    for (const hex of ['9F02069F', '9F0206DF', '9F020695', '9F81'])
      expect(dolDataLength(fromHex(hex), 0, hex.length / 2), hex).toBe(DOL_MALFORMED);
  });
});

describe('buildDolData (EMV Book 3 §5.4)', () => {
  const store = storeOf({
    '9F02': '000000001234', // n
    '5A': '6212264200008234827F', // cn
    '9F37': 'DEADBEEF', // b
    '50': '4142', // ans
    '9A': '250601',
    '70': '5A0112', // constructed: never supplied
  });
  it('copies values of the requested length', () => {
    expect(build('9F02069F37049A03', store)).toBe('000000001234DEADBEEF250601');
  });
  it('n: shorter → padded with 00 on the left; longer → leftmost bytes dropped', () => {
    expect(build('9F0208', store)).toBe('0000000000001234');
    expect(build('9F0203', store)).toBe('001234');
  });
  it('cn: shorter → padded with FF on the right; longer → truncated on the right', () => {
    expect(build('5A0C', store)).toBe('6212264200008234827FFFFF');
    expect(build('5A05', store)).toBe('6212264200');
  });
  it('b / ans: shorter → padded with 00 on the right; longer → truncated on the right', () => {
    expect(build('9F3706', store)).toBe('DEADBEEF0000');
    expect(build('9F3702', store)).toBe('DEAD');
    expect(build('5004', store)).toBe('41420000');
  });
  it('absent, unknown and constructed tags → zeros; zero length → nothing', () => {
    expect(build('9F1A02DF8101039A00', store)).toBe('0000000000');
    expect(build('7003', store)).toBe('000000');
  });
  it('supplies a repeated tag twice (python-emv PDOL with 9A twice)', () => {
    expect(build('9A039C019A03', storeOf({ '9A': '250601', '9C': '00' }))).toBe('25060100250601');
  });
  it('builds a qPBOC PDOL (qpboc-facts §1.4)', () => {
    const s = storeOf({ '9F66': '28000080', '9F02': '000000000200', '9F03': '000000000000', '9F1A': '0156', '95': '0000000000', '5F2A': '0156', '9A': '250601', '9C': '00', '9F37': '12345678', 'DF60': '01', 'DF69': '01' });
    expect(build(QPBOC_PDOL, s)).toBe('28000080000000000200000000000000015600000000000156250601001234567801' + '01');
  });
  it('returns -1 for a malformed DOL and -2 when the data does not fit', () => {
    expect(build('9F0206DF', store)).toBe(DOL_MALFORMED);
    expect(build('9F0206', store, 5)).toBe(DOL_TOO_LONG);
    expect(build('DF01FF9F02FF', store, 300)).toBe(DOL_TOO_LONG);
  });
  it('writes at an output offset and reads a DOL sub-range', () => {
    const dol = fromHex('FFFF9C019A03FFFF');
    const out = new Uint8Array(10).fill(0xee);
    expect(buildDolData(dol, 2, 4, storeOf({ '9C': '09', '9A': '250601' }), out, 3)).toBe(4);
    expect(toHex(out)).toBe('EEEEEE09250601EEEEEE');
  });
});

describe('parseDol', () => {
  it('lists entries, keeping duplicates', () => {
    const e = parseDol('9F66049F02069F03069F1A0295055F2A029A039C019F37049A03');
    expect(e.map((x) => `${tagHex(x.tag)}:${x.length}`)).toEqual(['9F66:4', '9F02:6', '9F03:6', '9F1A:2', '95:5', '5F2A:2', '9A:3', '9C:1', '9F37:4', '9A:3']);
    expect(parseDol(new Uint8Array(0))).toEqual([]);
  });
  it('throws TypeError for a truncated entry', () => {
    expect(() => parseDol('9F02069F')).toThrow(/offset 3/);
  });
});

// Conformance: the shared DOL corpus (openemv/emv-utils, python-emv), read at run time when present.
const corpusFile = join(VECTORS_DIR, 'tlv_dol_corpus.json');
describe.runIf(existsSync(corpusFile))('DOL conformance corpus (../shared/conformance)', () => {
  type Entry = { tag: string; length: number; value_hex?: string };
  type Test = { dol_hex: string; expected_entries?: Entry[]; expected_data_len?: number; source1?: Entry[]; source2?: Entry[]; expected_data_hex?: string };
  const corpus = existsSync(corpusFile) ? (JSON.parse(readFileSync(corpusFile, 'utf8')) as { sets: { source_repo: string; tests?: Record<string, Test>; cases?: { function: string; hex: string }[] }[] }) : { sets: [] };
  const openemv = corpus.sets.find((s) => s.source_repo === 'openemv/emv-utils')?.tests ?? {};
  const python = corpus.sets.find((s) => s.source_repo === 'russss/python-emv')?.cases ?? [];

  it('has the openemv tests', () => expect(Object.keys(openemv).length).toBeGreaterThanOrEqual(7));
  for (const [name, t] of Object.entries(openemv)) {
    it(`openemv ${name}`, () => {
      const dol = fromHex(t.dol_hex);
      const len = dolDataLength(dol, 0, dol.length);
      if (t.expected_entries) {
        const want = t.expected_entries.map((e) => `${e.tag}:${e.length}`);
        const bytes = t.expected_entries.reduce((n, e) => n + tagByteLength(parseTag(e.tag)) + 1, 0);
        expect(parseDol(dol.subarray(0, bytes)).map((e) => `${tagHex(e.tag)}:${e.length}`)).toEqual(want);
        if (bytes < dol.length) expect(len).toBe(DOL_MALFORMED);
      }
      if (!t.expected_entries && !t.expected_data_len && !t.expected_data_hex) expect(len).toBe(DOL_MALFORMED);
      if (t.expected_data_len !== undefined) expect(len).toBe(t.expected_data_len);
      if (t.expected_data_hex) {
        // Sources are searched in order: source1 first, then source2 for tags source1 lacks.
        const s = new TagStore(1024, 64);
        for (const e of [...(t.source1 ?? []), ...(t.source2 ?? [])]) {
          const v = fromHex(e.value_hex!);
          if (!s.has(parseTag(e.tag))) s.set(parseTag(e.tag), v, 0, v.length);
        }
        expect(build(t.dol_hex, s)).toBe(t.expected_data_hex.toUpperCase());
      }
    });
  }
  it('python-emv: PDOL with 9A twice keeps both; CDOL1 serialisation', () => {
    const pdol = python.find((c) => c.function === 'test_dol');
    expect(pdol).toBeDefined();
    expect(parseDol(pdol!.hex).filter((e) => e.tag === 0x9a)).toHaveLength(2);
    const cdol = python.find((c) => c.function === 'test_invalid_tlv' && c.hex.startsWith('9F0206'))!;
    const data = python.find((c) => c.function === 'test_serialise')!;
    expect(build(cdol.hex, storeOf({ '9A': '010101', '95': '8000000000' }))).toBe(data.hex);
  });
});
