/**
 * Test doubles for the terminal suites: an in-memory JournalStore (until src/journal's MemoryJournal
 * lands) and a flat-fare profile (until src/profiles' bus profile lands), plus a Terminal on a
 * VirtualReader with the real kernel and the real ODA engines (test PKI).
 */
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import type { QuickPassCard } from '../hal/virtual/card.js';
import type { QuickPassKernel } from '../kernels/qpboc/index.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import type { JournalEntry, JournalStats, JournalStore, SensitiveCardData, StoredEntry } from '../src/journal/types.js';
import type { SectorProfile } from '../src/profiles/types.js';
import { Terminal, type TerminalOptions } from '../src/terminal/index.js';

/** JournalStore in memory; `failAppends` makes append reject (a full disk). */
export class TestJournal implements JournalStore {
  entries: (JournalEntry & { seq: number })[] = [];
  failAppends = false;
  async append(entry: JournalEntry): Promise<number> {
    if (this.failAppends) throw new Error('ENOSPC: no space left on device');
    const seq = this.entries.length + 1;
    this.entries.push({ ...structuredClone(entry), seq });
    return seq;
  }
  async exportPending(max: number): Promise<StoredEntry[]> {
    return this.entries.slice(0, max).map(({ sensitive: _s, ...e }) => e);
  }
  async ack(): Promise<void> {}
  unseal(): SensitiveCardData | undefined {
    return undefined;
  }
  stats(): JournalStats {
    return { lastSeq: this.entries.length, ackedSeq: 0, pending: this.entries.length, segments: 1, bytes: 0 };
  }
  async close(): Promise<void> {}
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

export type Rig = { terminal: Terminal; reader: VirtualReader; journal: TestJournal; clock: { now: number } };

export const CONFIG = withTestPki(defaultConfig());
export const ODA = createOdaProvider(CONFIG);

export function rig(options: Partial<TerminalOptions> = {}): Rig {
  const clock = { now: T0 };
  const reader = (options.reader as VirtualReader | undefined) ?? new VirtualReader();
  const journal = (options.journal as TestJournal | undefined) ?? new TestJournal();
  const terminal = new Terminal({
    reader, config: CONFIG, oda: ODA, profile: flatProfile(200), journal, terminalId: 'T-TEST-1',
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
