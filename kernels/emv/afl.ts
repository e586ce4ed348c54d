/**
 * Application File Locator (tag 94; EMV Book 3 §10.2, qpboc-facts §1.7): 4-byte entries
 * `SFI<<3 | first record | last record | records used for offline data authentication`.
 * Parsed into preallocated typed arrays; parsing and walking allocate nothing.
 */

export const AflError = {
  None: 0,
  /** The AFL length is not a nonzero multiple of 4 (Book 3 §10.2). */
  BadLength: 1,
  /** SFI 0 or SFI > 30 (SFI 31 is RFU; Book 3 §10.2, qpboc-facts §1.7). */
  BadSfi: 2,
  /** First record number 0. */
  FirstRecordZero: 3,
  /** Last record number lower than the first. */
  LastBeforeFirst: 4,
  /** More records for ODA than records in the entry. */
  OdaCountTooLarge: 5,
  /** More entries than the Afl can hold. */
  TooManyEntries: 6,
} as const;
export type AflErrorCode = (typeof AflError)[keyof typeof AflError];

const AFL_ERROR_TEXT = [
  'no error',
  'AFL length is not a nonzero multiple of 4',
  'SFI is 0 or greater than 30',
  'first record number is 0',
  'last record number is lower than the first',
  'ODA record count exceeds the number of records',
  'too many AFL entries',
] as const;

/** A readable reason for an AflError code. */
export function aflErrorText(code: number): string {
  return AFL_ERROR_TEXT[code] ?? 'AFL error ' + code;
}

/** Maximum entries: a short-length AFL value holds at most 252 bytes = 63 entries. */
export const AFL_MAX_ENTRIES = 64;

export class Afl {
  /** Number of entries. */
  count = 0;
  /** Index of the entry that failed the last parse, or -1. */
  errorEntry = -1;
  readonly sfi = new Uint8Array(AFL_MAX_ENTRIES);
  readonly first = new Uint8Array(AFL_MAX_ENTRIES);
  readonly last = new Uint8Array(AFL_MAX_ENTRIES);
  readonly odaCount = new Uint8Array(AFL_MAX_ENTRIES);

  /** Total records to read. */
  recordCount(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += this.last[i]! - this.first[i]! + 1;
    return n;
  }

  /** True when (entry, record) is the last record the AFL lists (qPBOC: the card commits there). */
  isLast(entry: number, record: number): boolean {
    return entry === this.count - 1 && record === this.last[entry];
  }

  /** True when record `record` of entry `entry` takes part in offline data authentication. */
  isOdaRecord(entry: number, record: number): boolean {
    return record - this.first[entry]! < this.odaCount[entry]!;
  }
}

/**
 * Parses the AFL value `buf[off, off+len)` into `into`. Returns AflError.None or the first error
 * (then `into.count` is 0 and `into.errorEntry` names the entry).
 */
export function parseAfl(buf: Uint8Array, off: number, len: number, into: Afl): AflErrorCode {
  into.count = 0;
  into.errorEntry = -1;
  if (len <= 0 || len % 4 !== 0 || off + len > buf.length) return AflError.BadLength;
  const n = len / 4;
  if (n > AFL_MAX_ENTRIES) return AflError.TooManyEntries;
  for (let i = 0; i < n; i++) {
    const p = off + i * 4;
    const sfi = buf[p]! >> 3;
    const first = buf[p + 1]!;
    const last = buf[p + 2]!;
    const oda = buf[p + 3]!;
    let err: AflErrorCode = AflError.None;
    if (sfi === 0 || sfi > 30) err = AflError.BadSfi;
    else if (first === 0) err = AflError.FirstRecordZero;
    else if (last < first) err = AflError.LastBeforeFirst;
    else if (oda > last - first + 1) err = AflError.OdaCountTooLarge;
    if (err !== AflError.None) {
      into.errorEntry = i;
      return err;
    }
    into.sfi[i] = sfi;
    into.first[i] = first;
    into.last[i] = last;
    into.odaCount[i] = oda;
  }
  into.count = n;
  return AflError.None;
}

/**
 * Walks the records of an Afl in order without allocating:
 * `w.reset(afl); while (w.next()) read(w.sfi, w.record)`.
 */
export class AflWalker {
  /** Index of the current entry. */
  entry = 0;
  /** Current record number. */
  record = 0;
  /** SFI of the current record. */
  sfi = 0;
  /** True when the current record takes part in offline data authentication. */
  forOda = false;
  /** True when the current record is the last one the AFL lists. */
  isLast = false;
  private afl: Afl | null = null;

  reset(afl: Afl): this {
    this.afl = afl;
    this.entry = 0;
    this.record = 0;
    this.sfi = 0;
    this.forOda = false;
    this.isLast = false;
    return this;
  }

  next(): boolean {
    const a = this.afl;
    if (a === null || this.entry >= a.count) return false;
    if (this.record === 0) this.record = a.first[this.entry]!;
    else if (this.record < a.last[this.entry]!) this.record++;
    else {
      this.entry++;
      if (this.entry >= a.count) return false;
      this.record = a.first[this.entry]!;
    }
    this.sfi = a.sfi[this.entry]!;
    this.forOda = a.isOdaRecord(this.entry, this.record);
    this.isLast = a.isLast(this.entry, this.record);
    return true;
  }
}
