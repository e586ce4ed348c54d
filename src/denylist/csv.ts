/**
 * The back office's entry lists as CSV: one card per line, `PAN,PSN`. PSN is two digits; empty or
 * `*` (or no second column) means every PSN of that PAN. Blank lines and lines starting with `#` are
 * ignored, and so is a first line `PAN,PSN` (a header).
 */
import { panDigits, psnCode } from './entry-hash.js';
import type { DenyEntry } from './build.js';

/** Parses CSV text; a bad line throws RangeError naming `source:line`. */
export function parseDenyCsv(text: string, source = 'csv'): DenyEntry[] {
  const out: DenyEntry[] = [];
  const lines = text.split(/\r?\n/);
  let seenData = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${source}:${i + 1}`;
    if (!seenData && /^pan\s*(,\s*psn)?$/i.test(line)) {
      seenData = true;
      continue;
    }
    seenData = true;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length > 2) throw new RangeError(`${where}: expected "PAN,PSN", got ${cols.length} columns`);
    const pan = panDigits(cols[0]!, `${where}: PAN`);
    const psnText = cols[1] ?? '';
    psnCode(psnText, `${where}: PSN`); // validates
    out.push(psnText === '' || psnText === '*' ? { pan } : { pan, psn: psnText });
  }
  return out;
}
