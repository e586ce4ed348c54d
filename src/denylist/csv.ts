/**
 * The back office's entry lists as CSV: one card per line, `PAN,PSN`. PSN is two digits; empty or
 * `*` (or no second column) means every PSN of that PAN. Blank lines and lines starting with `#` are
 * ignored, and so is a first line `PAN,PSN` (a header).
 */
import { EntryHasher, panDigits, psnCode } from './entry-hash.js';
import type { DenyEntry } from './build.js';

/**
 * Calls `each(digits, psnText, psnCode)` for every entry line of `text`; a bad line throws RangeError
 * naming `source:line`. Scans with indexOf rather than split, so a 10M-line file is not 10M strings at once.
 */
function forEachEntry(text: string, source: string, each: (digits: string, psnText: string, psn: number) => void): void {
  let seenData = false;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim(); // trim also drops the \r of CRLF
    start = end + 1;
    lineNo++;
    if (line === '' || line.startsWith('#')) continue;
    const where = `${source}:${lineNo}`;
    if (!seenData && /^pan\s*(,\s*psn)?$/i.test(line)) {
      seenData = true;
      continue;
    }
    seenData = true;
    const comma = line.indexOf(',');
    if (comma >= 0 && line.indexOf(',', comma + 1) >= 0) throw new RangeError(`${where}: expected "PAN,PSN", got ${line.split(',').length} columns`);
    const digits = panDigits(comma < 0 ? line : line.slice(0, comma).trim(), `${where}: PAN`);
    const psnText = comma < 0 ? '' : line.slice(comma + 1).trim();
    each(digits, psnText, psnCode(psnText, `${where}: PSN`));
  }
}

/** Parses CSV text into entries; a bad line throws RangeError naming `source:line`. */
export function parseDenyCsv(text: string, source = 'csv'): DenyEntry[] {
  const out: DenyEntry[] = [];
  forEachEntry(text, source, (pan, psn) => out.push(psn === '' || psn === '*' ? { pan } : { pan, psn }));
  return out;
}

/**
 * Hashes CSV text straight into 8-byte entry hashes (the `add`/`remove` form of buildDenyListFile):
 * 8 bytes per line instead of an object per line, for back-office lists of millions of cards.
 */
export function hashDenyCsv(text: string, salt: Uint8Array, source = 'csv'): Uint8Array {
  const h = new EntryHasher(salt);
  let out = new Uint8Array(8 * 1024);
  let v = new DataView(out.buffer);
  let n = 0;
  forEachEntry(text, source, (digits, _psnText, psn) => {
    if (n * 8 === out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
      v = new DataView(out.buffer);
    }
    h.hashDigits(digits, psn);
    v.setInt32(n * 8, h.out[0]!);
    v.setInt32(n * 8 + 4, h.out[1]!);
    n++;
  });
  return out.slice(0, n * 8);
}
