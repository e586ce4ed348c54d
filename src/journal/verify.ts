/**
 * `verifyJournal`: reads a journal directory without changing it and reports every problem it can
 * find (segment headers, record checksums, sequence continuity, the cursor, and with a key that
 * every sealed blob decrypts). Safe beside a running terminal: it takes no lock.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';
import { checkKey, equalBytes, keyCheckValue, unseal } from './codec.js';
import { CURSOR_FILE, readCursor } from './files.js';
import { scanSegment, segmentSeq } from './segment.js';
import type { JournalVerifyReport } from './types.js';

export async function verifyJournal(dir: string, key?: Uint8Array): Promise<JournalVerifyReport> {
  if (typeof dir !== 'string' || !dir) throw new TypeError('dir must be a directory path');
  if (key !== undefined) checkKey(key, 'key');
  dir = resolve(dir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ShanfuError('journal.missing', `no journal directory at ${dir}; check --dir`);
    throw e;
  }
  const segNames = names.filter((n) => segmentSeq(n) !== undefined).sort();
  // A journal with every segment gone still has its cursor (open continues after it); with neither it is not a journal.
  if (!segNames.length && !names.includes(CURSOR_FILE)) throw new ShanfuError('journal.missing', `no journal segments in ${dir}; check --dir`);
  const report: JournalVerifyReport = { ok: true, entries: 0, segments: segNames.length, problems: [] };
  if (key) report.unsealed = 0;
  const problem = (file: string, offset: number, text: string) => report.problems.push({ file, offset, problem: text });
  const kcv = key ? keyCheckValue(key) : undefined;
  let terminalId: string | undefined;
  let expect: number | undefined;
  for (let k = 0; k < segNames.length; k++) {
    const file = join(dir, segNames[k]!);
    const bytes = new Uint8Array(await readFile(file));
    const scan = scanSegment(bytes, {
      all: true,
      onRecord: (entry, offset) => {
        if (!key || entry.sealed === undefined) return;
        try {
          unseal(key, entry);
          report.unsealed!++;
        } catch (e) {
          problem(file, offset, `record ${entry.seq}: ${(e as Error).message}`);
        }
      },
    });
    if (typeof scan === 'string') {
      problem(file, 0, scan);
      expect = undefined;
      continue;
    }
    const h = scan.header;
    if (h.firstSeq !== segmentSeq(segNames[k]!)) problem(file, 0, `header says first seq ${h.firstSeq}, the file name ${segmentSeq(segNames[k]!)}`);
    terminalId ??= h.terminalId;
    if (h.terminalId !== terminalId) problem(file, 0, `segment of terminal '${h.terminalId}' in the journal of '${terminalId}'`);
    if (kcv && !equalBytes(kcv, h.keyCheck)) problem(file, 20, 'the key given is not the key this segment was written with (key check value)');
    if (expect !== undefined && h.firstSeq !== expect) problem(file, 0, `sequence gap between segments: expected first seq ${expect}, found ${h.firstSeq}`);
    for (const p of scan.problems) problem(file, p.offset, p.problem);
    if (scan.torn) {
      if (k === segNames.length - 1) report.tornTail = { file, ...scan.torn };
      else problem(file, scan.torn.offset, `${scan.torn.reason} in a segment that is not the last`);
    }
    report.entries += scan.records.length;
    const last = scan.records[scan.records.length - 1];
    expect = last ? last.seq + 1 : h.firstSeq;
  }
  try {
    const acked = await readCursor(dir);
    const first = segNames.length ? segmentSeq(segNames[0]!)! : acked + 1;
    if (first > acked + 1) problem(join(dir, segNames[0]!), 0, `records ${acked + 1}..${first - 1} are missing (acknowledged up to ${acked})`);
    if (expect !== undefined && acked > expect - 1) problem(join(dir, CURSOR_FILE), 0, `acknowledged up to ${acked} but the journal ends at ${expect - 1}`);
  } catch (e) {
    problem(join(dir, CURSOR_FILE), 0, (e as Error).message);
  }
  report.ok = report.problems.length === 0;
  return report;
}
