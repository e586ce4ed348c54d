/**
 * Torn records (qpboc-facts §7.2): a tap whose card left after GPO returned TC and before the reader
 * saw the last record's response. The card may or may not have debited; the record is kept until the
 * same card taps again (resolution) or its lifetime ends (expiry).
 *
 * The store survives a restart of the validator: every change rewrites a small JSON file atomically
 * (write a temporary file, fsync it, rename it over the old one, fsync the directory), so after a
 * crash the file is either the old or the new list, never a mix. Without a file the store lives in
 * memory only (tests, scripts).
 *
 * The file holds no PAN: a card is identified by `cardId` = HMAC-SHA-256(key, PAN digits ‖ '/' ‖ PSN),
 * hex (DESIGN.md "Data at rest": PAN only encrypted at rest). The PAN itself goes to the journal,
 * sealed. Without a key the id is an unkeyed SHA-256, which a PAN brute force can reverse: give a key
 * in the field.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';
import { dirname } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';

export interface TornRecord {
  /** HMAC of PAN + PSN (see the module comment); the match key of a re-tap. */
  cardId: string;
  /** Masked PAN (first 6 + last 4), for displays and logs. */
  maskedPan: string;
  /** PAN sequence number 5F34, -1 when the card had none. */
  psn: number;
  /** ATC 9F36 of the torn transaction (the card logs and proves a committed transaction by it). */
  atc: number;
  /** Amount authorised (minor units). */
  amount: number;
  /** What the card's balance loses if the torn tap committed (amount, or amount − released hold for a DF60 03 completion). */
  charge: number;
  /** CAPP transaction indicator DF60 of the torn tap (≠ 0: GET TRANS PROVE can prove the commit). */
  cappIndicator: number;
  /** Balance before the torn tap and what the card said it would be after (-1 when unknown). */
  balanceBefore: number;
  balanceAfter: number;
  /** Epoch ms of the torn tap (terminal clock). */
  time: number;
  /** Selected AID (hex) and the GPO's TC (hex). */
  aid: string;
  cryptogram: string;
  /** Profile and its journal details of the torn tap (stations, route…). */
  profile: string;
  details: Record<string, unknown>;
}

const FORMAT = 'shanfu-torn';
const VERSION = 1;

/** The card id of a PAN (digits) and PSN under `key` (see the module comment). */
export function cardIdOf(pan: string, psn: number, key: Uint8Array | null): string {
  const data = `${pan}/${psn}`;
  return key ? createHmac('sha256', key).update(data).digest('hex') : createHash('sha256').update(data).digest('hex');
}

export class TornStore {
  private records: TornRecord[] = [];
  private readonly file: string | null;

  /** `file`: where the list persists (null: memory only). Call `load()` before use. */
  constructor(file: string | null = null) {
    if (file !== null && (typeof file !== 'string' || file.length === 0)) throw new TypeError('file: expected a path or null');
    this.file = file;
  }

  /** Reads the file when it exists. A file that is not a torn list is a ShanfuError('torn.corrupt'). */
  load(): void {
    if (this.file === null) return;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new ShanfuError('torn.io', `cannot read the torn-record file ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw corrupt(this.file, (e as Error).message);
    }
    const o = json as { format?: unknown; version?: unknown; records?: unknown };
    if (o?.format !== FORMAT || o.version !== VERSION || !Array.isArray(o.records)) throw corrupt(this.file, `not a ${FORMAT} v${VERSION} file`);
    for (const [i, r] of (o.records as unknown[]).entries()) if (!isTornRecord(r)) throw corrupt(this.file, `records[${i}] is not a torn record`);
    this.records = o.records as TornRecord[];
  }

  /** All open records, oldest first (a copy of the list). */
  list(): TornRecord[] {
    return this.records.slice();
  }

  get size(): number {
    return this.records.length;
  }

  /** Open records of one card, oldest first. */
  matching(cardId: string): TornRecord[] {
    return this.records.filter((r) => r.cardId === cardId);
  }

  /** Adds a record and persists the list. */
  add(record: TornRecord): void {
    this.save([...this.records, record]);
  }

  /** Removes records (by identity) and persists the list. */
  remove(records: readonly TornRecord[]): void {
    if (records.length === 0) return;
    this.save(this.records.filter((r) => !records.includes(r)));
  }

  private save(next: TornRecord[]): void {
    if (this.file !== null) writeAtomically(this.file, JSON.stringify({ format: FORMAT, version: VERSION, records: next }));
    this.records = next;
  }
}

function corrupt(file: string, why: string): ShanfuError {
  return new ShanfuError('torn.corrupt', `${file}: ${why}. Move the file aside (its open records are also in the journal as torn-open entries) and restart.`);
}

function isTornRecord(r: unknown): r is TornRecord {
  const x = r as Record<string, unknown>;
  return (
    typeof x === 'object' && x !== null &&
    typeof x.cardId === 'string' && typeof x.maskedPan === 'string' && typeof x.aid === 'string' && typeof x.cryptogram === 'string' &&
    typeof x.profile === 'string' && typeof x.details === 'object' && x.details !== null &&
    ['psn', 'atc', 'amount', 'charge', 'cappIndicator', 'balanceBefore', 'balanceAfter', 'time'].every((k) => Number.isInteger(x[k]))
  );
}

/** The file is the old or the new content, whole (src/util/atomic-write.ts), in a directory made if missing. */
function writeAtomically(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, new TextEncoder().encode(text));
  } catch (e) {
    throw new ShanfuError('torn.io', `cannot write the torn-record file ${file}: ${(e as Error).message}. Check the disk and its permissions.`, { cause: e });
  }
}
