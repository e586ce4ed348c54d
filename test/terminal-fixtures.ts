/**
 * Terminal test rig: a Terminal on a VirtualReader with the real kernel, the real ODA engines (test
 * PKI) and the real MemoryJournal (behind a switch that makes appends fail); a flat-fare profile for
 * plain EC purchases (the bus profile is used where the extended application matters).
 */
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import type { QuickPassCard } from '../hal/virtual/card.js';
import type { QuickPassKernel } from '../kernels/qpboc/index.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { randomBytes } from 'node:crypto';
import { MemoryJournal } from '../src/journal/index.js';
import type { JournalEntry, JournalHistory, JournalStats, JournalStore, SensitiveCardData, StoredEntry } from '../src/journal/types.js';
import type { SectorProfile } from '../src/profiles/types.js';
import { Terminal, type TerminalOptions } from '../src/terminal/index.js';

/**
 * The real MemoryJournal (src/journal) behind a switch: `failAppends` makes `append` reject, as a
 * full disk would. `entries()` reads back what was appended.
 */
export class TestJournal implements JournalStore, JournalHistory {
  failAppends = false;
  readonly inner = new MemoryJournal({ key: TEST_KEY, terminalId: 'T-TEST-1' });
  async append(entry: JournalEntry): Promise<number> {
    if (this.failAppends) throw new Error('ENOSPC: no space left on device');
    return this.inner.append(entry);
  }
  exportPending(max: number): Promise<StoredEntry[]> {
    return this.inner.exportPending(max);
  }
  ack(seq: number): Promise<void> {
    return this.inner.ack(seq);
  }
  read(fromSeq: number, max: number): Promise<StoredEntry[]> {
    return this.inner.read(fromSeq, max);
  }
  unseal(entry: StoredEntry): SensitiveCardData | undefined {
    return this.inner.unseal(entry);
  }
  stats(): JournalStats {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  entries(): Promise<StoredEntry[]> {
    return this.inner.read(1, 100_000);
  }
}

/** Sum of what the journal says was debited (tap charges + torn taps resolved as charged). */
export function journalCharged(entries: readonly JournalEntry[]): number {
  return entries.reduce((s, e) => s + (e.charged ?? 0), 0);
}

/** A flat fare, no hook: the simplest profile. */
export function flatProfile(fare: number, name = 'bus'): SectorProfile & { fare: number } {
  return {
    name,
    fare,
    hook: null,
    startTap() {
      return { amount: this.fare, cappIndicator: 0 };
    },
    finishTap(k: QuickPassKernel) {
      return { fare: k.amount, rule: 'flat', details: { route: '42' }, display: `Fare ¥${(k.amount / 100).toFixed(2)}` };
    },
  };
}

export const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
export const TEST_KEY = new Uint8Array(randomBytes(32));

export type Rig = { terminal: Terminal; reader: VirtualReader; journal: TestJournal; clock: { now: number } };

export const CONFIG = withTestPki(defaultConfig());
export const ODA = createOdaProvider(CONFIG);

export function rig(options: Partial<TerminalOptions> = {}): Rig {
  const clock = { now: T0 };
  const reader = (options.reader as VirtualReader | undefined) ?? new VirtualReader();
  const journal = (options.journal as TestJournal | undefined) ?? new TestJournal();
  const terminal = new Terminal({
    reader, config: CONFIG, oda: ODA, profile: flatProfile(200), journal, terminalId: 'T-TEST-1', cardKey: TEST_KEY,
    clock: () => clock.now, random: (out, off, len) => out.fill(0x5a, off, off + len), ...options,
  });
  return { terminal, reader, journal, clock };
}

/** Presents `card`, taps once, removes it. */
export async function tap(r: Rig, card: QuickPassCard) {
  r.reader.present(card);
  try {
    return await r.terminal.tapOnce();
  } finally {
    r.reader.remove();
  }
}

export { createCard };
