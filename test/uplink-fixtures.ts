/**
 * Uplink test helpers: journal entries with known content, and an in-memory JournalStore for the
 * unit-level tests (the end-to-end test uses the real file journal). Not a test file.
 */
import type { JournalEntry, JournalStats, JournalStore, SensitiveCardData, StoredEntry } from '../src/journal/types.js';

/** The tap entry a test appends as number `i` (its fields let the consumer check content, not just counts). */
export function tapEntry(terminalId: string, i: number, time = 1_790_000_000_000): JournalEntry {
  return {
    kind: 'tap',
    time: time + i * 1000,
    terminalId,
    profile: 'bus',
    outcome: 'Approved',
    reason: 'approved-offline',
    amount: 200 + (i % 7),
    charged: 200 + (i % 7),
    balanceBefore: 50_000,
    balanceAfter: 50_000 - 200 - (i % 7),
    aid: 'A000000333010106',
    atc: i & 0xffff,
    psn: 1,
    maskedPan: '623456******' + String(i % 10_000).padStart(4, '0'),
    tvr: '0000000000',
    sensitive: { pan: '6234567890' + String(i).padStart(9, '0') },
  };
}

/** An in-memory JournalStore (unit tests only; "sealing" is a marker, not encryption). */
export class ArrayJournal implements JournalStore {
  readonly entries: StoredEntry[] = [];
  ackedSeq = 0;
  acks = 0;
  failAcks = false;

  async append(entry: JournalEntry): Promise<number> {
    const { sensitive, ...rest } = entry;
    const seq = this.entries.length + 1;
    this.entries.push({ ...rest, seq, ...(sensitive ? { sealed: new TextEncoder().encode(JSON.stringify(sensitive)) } : {}) });
    return seq;
  }

  async exportPending(max: number): Promise<StoredEntry[]> {
    return this.entries.slice(this.ackedSeq, this.ackedSeq + max);
  }

  async ack(seq: number): Promise<void> {
    if (this.failAcks) throw new Error('disk full (test)');
    this.acks++;
    if (seq > this.ackedSeq) this.ackedSeq = Math.min(seq, this.entries.length);
  }

  unseal(entry: StoredEntry): SensitiveCardData | undefined {
    return entry.sealed ? (JSON.parse(new TextDecoder().decode(entry.sealed)) as SensitiveCardData) : undefined;
  }

  stats(): JournalStats {
    const lastSeq = this.entries.length;
    return { lastSeq, ackedSeq: this.ackedSeq, pending: lastSeq - this.ackedSeq, segments: 1, bytes: 0 };
  }

  async close(): Promise<void> {}
}
