/**
 * Shared by the journal suites (unit, CLI, crash child): a key, a terminal id, and entries whose
 * content is a pure function of a number, so a reader can check a record knowing only its seq.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry, StoredEntry } from '../src/journal/types.js';

export const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
export const OTHER_KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
export const TERMINAL = 'BUS-0042';

/** A 19-digit PAN unique to `n` (so a scan of the files for it is meaningful). */
export function panFor(n: number): string {
  return '62284800' + String(n).padStart(11, '0');
}

/** A tap entry derived from `n`; every third has no card data, the others a PAN (+ track 2 for even n). */
export function tapEntry(n: number, terminalId = TERMINAL): JournalEntry {
  const entry: JournalEntry = {
    kind: n % 17 === 0 ? 'torn-open' : 'tap',
    time: 1_795_000_000_000 + n * 1000,
    terminalId,
    profile: 'bus',
    outcome: 'Approved',
    reason: 'approved-offline',
    amount: 200 + (n % 7) * 50,
    charged: 200 + (n % 7) * 50,
    balanceBefore: 50_000 - n,
    balanceAfter: 49_800 - n,
    aid: 'A000000333010101',
    atc: n & 0xffff,
    psn: n % 3,
    maskedPan: '622848******' + String(n % 10_000).padStart(4, '0'),
    cryptogramType: 'TC',
    cryptogram: (n >>> 0).toString(16).padStart(16, '0'),
    tvr: '0000000000',
    details: { route: `R${n % 13}`, stop: n % 50, raw: Uint8Array.from({ length: n % 9 }, (_, i) => (n + i) & 0xff) },
  };
  if (n % 3 !== 0) entry.sensitive = n % 2 === 0 ? { pan: panFor(n), track2: panFor(n) + 'D3012201' } : { pan: panFor(n) };
  return entry;
}

/** What the journal must return for `entry` at `seq`, without the sealed blob (checked by unsealing). */
export function expectedStored(entry: JournalEntry, seq: number): Omit<StoredEntry, 'sealed'> {
  const { sensitive: _s, ...rest } = entry;
  return { seq, ...rest };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shanfu-${prefix}-`));
}
