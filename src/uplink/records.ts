/**
 * Topics and the journal batch message (src/uplink/README.md "Topics" and "Journal records").
 *
 * One topic per terminal: `{prefix}/terminals/{terminalId}/journal`. A message carries a batch of
 * consecutive journal entries as CBOR:
 *   { v: 1, terminalId, first, last, records: [StoredEntry…] }
 * Each record keeps its journal `seq`; `terminalId` + `seq` is the idempotency key the back office
 * de-duplicates on (QoS 1 is at-least-once: a batch may arrive twice, or overlap an earlier one
 * after the uploader restarts).
 */
import { decode, Encoder } from 'cbor-x';
import type { StoredEntry } from '../journal/types.js';

export const RECORD_FORMAT_VERSION = 1;
export const DEFAULT_TOPIC_PREFIX = 'shanfu';

// MQTT topic levels must not contain the wildcards + and # or the separator /; keep ids printable.
const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/** Throws a TypeError naming `what` unless `id` is usable as one MQTT topic level. */
export function checkTopicLevel(id: string, what: string): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new TypeError(`${what} must be 1–64 characters from A-Z a-z 0-9 . _ : - (one MQTT topic level), got ${JSON.stringify(id)}`);
  return id;
}

function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !prefix || /[+#]/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/'))
    throw new TypeError(`topicPrefix must be a topic without wildcards or leading/trailing '/', got ${JSON.stringify(prefix)}`);
  return prefix;
}

export const topics = {
  /** Where a terminal's journal batches go (QoS 1, not retained). */
  journal: (prefix: string, terminalId: string) => `${checkPrefix(prefix)}/terminals/${checkTopicLevel(terminalId, 'terminalId')}/journal`,
  /** All terminals' journals (the back office's subscription). */
  allJournals: (prefix: string) => `${checkPrefix(prefix)}/terminals/+/journal`,
  /** Fleet-wide parameter sets, retained, one topic per kind. */
  params: (prefix: string, kind: string) => `${checkPrefix(prefix)}/params/${kind}`,
  /** Parameter sets for one terminal only (override the fleet-wide ones when newer), retained. */
  terminalParams: (prefix: string, terminalId: string, kind: string) => `${checkPrefix(prefix)}/terminals/${checkTopicLevel(terminalId, 'terminalId')}/params/${kind}`,
  /** What the terminal runs (parameter versions, rejected updates), retained JSON. */
  status: (prefix: string, terminalId: string) => `${checkPrefix(prefix)}/terminals/${checkTopicLevel(terminalId, 'terminalId')}/status`,
};

/** A decoded journal batch. */
export interface JournalBatch {
  v: number;
  terminalId: string;
  first: number;
  last: number;
  records: StoredEntry[];
}

// Byte strings (the sealed PAN) as plain CBOR byte strings, not tag 64, so any CBOR reader gets bytes.
const encoder = new Encoder({ tagUint8Array: false, useRecords: false });

/** A record as sent: the stored entry without undefined fields, optionally without the sealed PAN. */
function plain(e: StoredEntry, includeSealed: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v === undefined || (k === 'sealed' && !includeSealed)) continue;
    out[k] = v;
  }
  return out;
}

/** Encodes consecutive entries (oldest first) of one terminal as one message. */
export function encodeBatch(terminalId: string, entries: readonly StoredEntry[], includeSealed = true): Uint8Array {
  if (!entries.length) throw new RangeError('entries must not be empty');
  return encoder.encode({
    v: RECORD_FORMAT_VERSION,
    terminalId,
    first: entries[0]!.seq,
    last: entries[entries.length - 1]!.seq,
    records: entries.map((e) => plain(e, includeSealed)),
  });
}

/** Decodes a journal batch; throws a TypeError saying what is wrong with a malformed one. */
export function decodeBatch(bytes: Uint8Array): JournalBatch {
  let b: JournalBatch;
  try {
    b = decode(bytes) as JournalBatch;
  } catch (e) {
    throw new TypeError(`journal batch is not CBOR (${(e as Error).message})`);
  }
  if (typeof b !== 'object' || b === null || b.v !== RECORD_FORMAT_VERSION) throw new TypeError(`journal batch: expected v ${RECORD_FORMAT_VERSION}, got ${JSON.stringify((b as { v?: unknown })?.v)}`);
  if (typeof b.terminalId !== 'string' || !Array.isArray(b.records)) throw new TypeError('journal batch: terminalId and records are required');
  for (const r of b.records) {
    if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.seq) || r.seq < 1) throw new TypeError('journal batch: every record needs a positive integer seq');
  }
  return b;
}

/** The idempotency key of a record: terminal id + journal sequence number. */
export function idempotencyKey(terminalId: string, seq: number): string {
  return `${terminalId}/${seq}`;
}
