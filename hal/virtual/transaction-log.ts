/**
 * The card's transaction log (9F4D entry → SFI/records; 9F4F log format). Records are the values
 * named by the log format, concatenated, without a template, most recent first. Only committed
 * offline (EC) transactions are logged by this card; values the PDOL does not carry (9F21 time,
 * 9F4E merchant name) are zero.
 */
import { fromHex, toHex } from '../../kernels/util/hex.js';
import { uintBytes } from './codec.js';

/** 9F4F: 9A03 9F2103 9F0206 9F0306 9F1A02 5F2A02 9F4E14 9C01 9F3602 (the common PBOC log format). */
export const LOG_FORMAT = fromHex('9A039F21039F02069F03069F1A025F2A029F4E149C019F3602');

type DolEntry = { tag: number; len: number };

/** Parses a DOL (tag, length pairs). */
export function parseDol(dol: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let p = 0;
  while (p < dol.length) {
    let tag = dol[p++]!;
    if ((tag & 0x1f) === 0x1f) {
      do tag = (tag << 8) | dol[p]!;
      while (dol[p++]! & 0x80);
    }
    out.push({ tag, len: dol[p++]! });
  }
  return out;
}

/** Builds one log record from the transaction's values. */
export function buildLogRecord(values: Map<number, Uint8Array>, atc: number): string {
  const parts: string[] = [];
  for (const e of parseDol(LOG_FORMAT)) {
    const v = e.tag === 0x9f36 ? uintBytes(atc, 2) : values.get(e.tag);
    const field = new Uint8Array(e.len);
    if (v) field.set(v.subarray(0, e.len));
    parts.push(toHex(field));
  }
  return parts.join('');
}

/** Prepends a record, keeping at most `capacity` (a cyclic file). */
export function appendLog(log: string[], record: string, capacity: number): void {
  log.unshift(record);
  if (log.length > capacity) log.length = capacity;
}
