/**
 * `MemoryJournal`: the JournalStore in memory, for unit tests of its users (terminal, uplink) only;
 * nothing survives the process. It checks, seals and CBOR-encodes entries exactly like `Journal`,
 * so what a test reads back is what the file journal would return.
 */
import { ShanfuError } from '../../kernels/util/errors.js';
import { checkCount, checkEntry, checkKey, decodeStoredEntry, encodeStoredEntry, storedEntry, unseal } from './codec.js';
import { FRAME_OVERHEAD } from './segment.js';
import type { JournalEntry, JournalHistory, JournalStats, JournalStore, SensitiveCardData, StoredEntry } from './types.js';

export class MemoryJournal implements JournalStore, JournalHistory {
  private readonly records: Uint8Array[] = [];
  private ackedSeq = 0;
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly options: { key: Uint8Array; terminalId: string },
  ) {
    checkKey(options?.key, 'options.key');
    if (typeof options.terminalId !== 'string' || !options.terminalId) throw new TypeError('options.terminalId must be a non-empty string');
  }

  async append(entry: JournalEntry): Promise<number> {
    this.checkOpen();
    checkEntry(entry, this.options.terminalId);
    const seq = this.records.length + 1;
    const payload = encodeStoredEntry(storedEntry(entry, seq, this.options.key));
    this.records.push(payload);
    this.bytes += payload.length + FRAME_OVERHEAD;
    return seq;
  }

  async exportPending(max: number): Promise<StoredEntry[]> {
    return this.read(this.ackedSeq + 1, max);
  }

  async read(fromSeq: number, max: number): Promise<StoredEntry[]> {
    checkCount(fromSeq, 'fromSeq', 1);
    checkCount(max, 'max', 1);
    this.checkOpen();
    return this.records.slice(fromSeq - 1, fromSeq - 1 + max).map((r) => decodeStoredEntry(r)!);
  }

  async ack(seq: number): Promise<void> {
    checkCount(seq, 'seq', 0);
    this.checkOpen();
    if (seq > this.records.length) throw new RangeError(`seq ${seq} is beyond the last durable record (${this.records.length}); acknowledge only what was exported`);
    if (seq > this.ackedSeq) this.ackedSeq = seq;
  }

  unseal(entry: StoredEntry): SensitiveCardData | undefined {
    return unseal(this.options.key, entry);
  }

  stats(): JournalStats {
    const lastSeq = this.records.length;
    return { lastSeq, ackedSeq: this.ackedSeq, pending: lastSeq - this.ackedSeq, segments: 1, bytes: this.bytes };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new ShanfuError('journal.closed', 'the journal is closed');
  }
}
