/**
 * Resolves torn records on the card's next tap (qpboc-facts §7.2): did the card commit (debit) the
 * torn transaction or not? Sans-I/O like the kernel: `step` writes the next command into `tx` and is
 * told the response in `rx[0, n)`; it runs inside the terminal's afterGpo hook (through the kernel's
 * tx/rx, before the card commits the new tap) or directly over the session when the kernel ended
 * before that hook (ARQC/AAC, deny list).
 *
 * Evidence, strongest first:
 * 1. GET TRANS PROVE `80 5A 00 00 02 ATC` (extended application, DF60 ≠ 00; §4.3): 9000 + TC → the
 *    card committed that ATC; 9406 → it did not.
 * 2. The transaction log (9F4D → SFI/records, format 9F4F, most recent first; §7.2): the card logs
 *    every committed offline transaction with its ATC. Torn ATC found → committed. Not found and the
 *    log reaches back to (or before) the torn ATC, or ends before its capacity → not committed.
 * 3. Without a log: GET DATA 9F79 (EC balance). Only when no other GPO ran since the torn tap (the
 *    current ATC is the torn ATC + 1): balance = the balance the torn tap announced → committed;
 *    balance = the balance before it → not committed.
 * Anything else leaves the record 'unknown': it stays open and expires (journalled for the back
 * office), because guessing would either charge twice or lose a charge.
 * The last command is always GET DATA 9F79, so the terminal can show the balance after a resolution.
 */
import { buildGetData, buildReadRecord } from '../../kernels/qpboc/index.js';
import { readAmount } from '../../kernels/emv/bcd.js';
import type { TornRecord } from './torn-store.js';

export type TornVerdict = 'charged' | 'not-charged' | 'unknown';

/** The transaction log's place (FCI tag 9F4D: SFI, number of records). */
export interface LogEntry {
  sfi: number;
  records: number;
}

/** The usual PBOC log place when the FCI does not say (SFI 0B, 10 records; §7.2). */
export const DEFAULT_LOG: LogEntry = { sfi: 0x0b, records: 10 };

const PH_PROVE = 0;
const PH_LOG_FORMAT = 1;
const PH_LOG = 2;
const PH_BALANCE = 3;
const PH_DONE = 4;

export class TornResolver {
  records: readonly TornRecord[] = [];
  verdicts: TornVerdict[] = [];
  /** EC balance from the final GET DATA 9F79, -1 when the card did not give it. */
  balance = -1;
  /** Commands sent by the last resolution (for tests and traces). */
  commands = 0;

  private phase = PH_DONE;
  private index = 0;
  private log: LogEntry = DEFAULT_LOG;
  private hasLog = false;
  private currentAtc = -1;
  private logAtcOffset = -1;
  private logRecordLength = 0;
  private logEnded = false;
  /** ATCs seen in the log so far (most recent first). */
  private seen: number[] = [];

  /** Starts a resolution of `records` (one card) on a tap whose GPO returned `currentAtc`. */
  begin(records: readonly TornRecord[], log: LogEntry | null, currentAtc: number): void {
    this.records = records;
    this.verdicts = records.map(() => 'unknown');
    this.balance = -1;
    this.commands = 0;
    this.phase = PH_PROVE;
    this.index = 0;
    this.log = log ?? DEFAULT_LOG;
    this.hasLog = false;
    this.currentAtc = currentAtc;
    this.logAtcOffset = -1;
    this.logRecordLength = 0;
    this.logEnded = false;
    this.seen = [];
  }

  /**
   * `n` = -1 on the first call, else the length of the response in `rx`. Returns the length of the
   * next command written into `tx`, or 0 when the resolution is done (`verdicts`, `balance`).
   */
  step(tx: Uint8Array, rx: Uint8Array, n: number): number {
    if (n >= 0) this.onResponse(rx, n);
    const len = this.nextCommand(tx);
    if (len > 0) this.commands++;
    return len;
  }

  private get pending(): boolean {
    return this.verdicts.includes('unknown');
  }

  private nextCommand(tx: Uint8Array): number {
    for (;;) {
      switch (this.phase) {
        case PH_PROVE: {
          while (this.index < this.records.length && (this.records[this.index]!.cappIndicator === 0 || this.verdicts[this.index] !== 'unknown')) this.index++;
          if (this.index < this.records.length) return buildGetTransProve(tx, this.records[this.index]!.atc);
          this.phase = PH_LOG_FORMAT;
          continue;
        }
        case PH_LOG_FORMAT:
          if (!this.pending) {
            this.phase = PH_BALANCE;
            continue;
          }
          return buildGetData(tx, 0x9f4f);
        case PH_LOG:
          if (this.pending && !this.logEnded && this.index < this.log.records && !this.logReachesBack()) {
            this.index++;
            return buildReadRecord(tx, this.log.sfi, this.index);
          }
          this.decideFromLog();
          this.phase = PH_BALANCE;
          continue;
        case PH_BALANCE:
          this.phase = PH_DONE;
          return buildGetData(tx, 0x9f79);
        default:
          return 0;
      }
    }
  }

  private onResponse(rx: Uint8Array, n: number): void {
    const sw = n >= 2 ? (rx[n - 2]! << 8) | rx[n - 1]! : 0;
    const dataLen = Math.max(0, n - 2);
    switch (this.phase) {
      case PH_PROVE:
        if (sw === 0x9000 && dataLen === 8) this.verdicts[this.index] = 'charged';
        else if (sw === 0x9406) this.verdicts[this.index] = 'not-charged';
        this.index++;
        break;
      case PH_LOG_FORMAT:
        // GET DATA 9F4F answers the TLV 9F4F L <DOL>.
        if (sw === 0x9000 && dataLen > 3 && rx[0] === 0x9f && rx[1] === 0x4f && this.parseLogFormat(rx, 3, Math.min(dataLen, 3 + rx[2]!))) {
          this.hasLog = true;
          this.phase = PH_LOG;
          this.index = 0;
        } else this.phase = PH_BALANCE;
        break;
      case PH_LOG:
        if (sw === 0x6a83) this.logEnded = true;
        else if (sw !== 0x9000) {
          // No log file after all (6A82) or a card error: the log is no evidence.
          this.hasLog = false;
          this.logEnded = true;
        } else this.onLogRecord(rx, dataLen);
        break;
      case PH_DONE:
        // The final GET DATA 9F79: 9F79 06 <n12>.
        if (sw === 0x9000 && dataLen === 9 && rx[0] === 0x9f && rx[1] === 0x79 && rx[2] === 6) this.balance = readAmount(rx, 3, 6);
        this.decideFromBalance();
        break;
    }
  }

  /** Offsets of 9F36 in a log record from the log format DOL `rx[off, end)`. */
  private parseLogFormat(rx: Uint8Array, off: number, end: number): boolean {
    let p = off;
    let pos = 0;
    while (p < end) {
      let tag = rx[p++]!;
      if ((tag & 0x1f) === 0x1f) {
        do tag = (tag << 8) | rx[p]!;
        while (p < end && rx[p++]! & 0x80);
      }
      if (p >= end) return false;
      const len = rx[p++]!;
      if (tag === 0x9f36 && len === 2) this.logAtcOffset = pos;
      pos += len;
    }
    this.logRecordLength = pos;
    return this.logAtcOffset >= 0;
  }

  private onLogRecord(rx: Uint8Array, dataLen: number): void {
    // Raw values (this card, most PBOC cards) or wrapped in template 70.
    let base = 0;
    if (dataLen !== this.logRecordLength && rx[0] === 0x70 && rx[1] === this.logRecordLength) base = 2;
    if (base + this.logRecordLength > dataLen) return;
    const atc = (rx[base + this.logAtcOffset]! << 8) | rx[base + this.logAtcOffset + 1]!;
    this.seen.push(atc);
    for (let i = 0; i < this.records.length; i++) if (this.verdicts[i] === 'unknown' && this.records[i]!.atc === atc) this.verdicts[i] = 'charged';
  }

  /** The log (most recent first) already shows an ATC at or before every open torn ATC. */
  private logReachesBack(): boolean {
    if (this.seen.length === 0) return false;
    const oldest = this.seen[this.seen.length - 1]!;
    for (let i = 0; i < this.records.length; i++) if (this.verdicts[i] === 'unknown' && !atOrBefore(oldest, this.records[i]!.atc)) return false;
    return true;
  }

  private decideFromLog(): void {
    if (!this.hasLog) return;
    // A log that ended before its capacity holds every committed transaction.
    const complete = this.logEnded;
    const oldest = this.seen.length > 0 ? this.seen[this.seen.length - 1]! : -1;
    for (let i = 0; i < this.records.length; i++) {
      if (this.verdicts[i] !== 'unknown') continue;
      if (complete || (oldest >= 0 && atOrBefore(oldest, this.records[i]!.atc))) this.verdicts[i] = 'not-charged';
    }
  }

  private decideFromBalance(): void {
    if (this.hasLog || this.balance < 0) return;
    for (let i = 0; i < this.records.length; i++) {
      const r = this.records[i]!;
      if (this.verdicts[i] !== 'unknown' || this.currentAtc !== ((r.atc + 1) & 0xffff)) continue;
      if (r.amount > 0 && r.balanceAfter >= 0 && this.balance === r.balanceAfter) this.verdicts[i] = 'charged';
      else if (r.balanceBefore >= 0 && this.balance === r.balanceBefore) this.verdicts[i] = 'not-charged';
    }
  }
}

/** ATC `a` is `b` or older, modulo 2^16 (the ATC wraps; a card runs far fewer than 32768 taps in a torn lifetime). */
function atOrBefore(a: number, b: number): boolean {
  return ((b - a) & 0xffff) < 0x8000;
}

/** GET TRANS PROVE: `80 5A 00 00 02 ATC 00` (qpboc-facts §4.3). */
export function buildGetTransProve(tx: Uint8Array, atc: number): number {
  tx[0] = 0x80;
  tx[1] = 0x5a;
  tx[2] = 0x00;
  tx[3] = 0x00;
  tx[4] = 0x02;
  tx[5] = (atc >> 8) & 0xff;
  tx[6] = atc & 0xff;
  tx[7] = 0x00;
  return 8;
}
