/**
 * One journal record: checking an entry, sealing its sensitive part (AES-256-GCM), and the CBOR
 * encoding of the stored entry. Shared by `Journal` (files) and `MemoryJournal` (tests), so both
 * accept and return exactly the same data.
 */
import { Encoder } from 'cbor-x';
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ShanfuError } from '../../kernels/util/errors.js';
import type { JournalEntry, JournalEntryKind, SensitiveCardData, StoredEntry } from './types.js';

export const ENTRY_KINDS: readonly JournalEntryKind[] = ['tap', 'torn-open', 'torn-resolved', 'torn-expired', 'params'];

/** The largest CBOR payload of one record (1 MiB): far above any tap (~300 B), far below a segment. */
export const MAX_PAYLOAD = 1 << 20;

/**
 * Plain RFC 8949 CBOR: maps with text keys (no cbor-x record extension), byte strings untagged, so
 * any CBOR decoder (Python cbor2, Go fxamacker/cbor…) reads an exported record.
 */
const cbor = new Encoder({ useRecords: false, variableMapSize: true, mapsAsObjects: true, tagUint8Array: false });

export function encodeCbor(value: unknown): Uint8Array {
  // cbor-x returns a Buffer that may view its reusable buffer: copy into a plain Uint8Array.
  return new Uint8Array(cbor.encode(value));
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return cbor.decode(bytes);
}

/** An integer argument ≥ `min` (TypeError/RangeError naming it). */
export function checkCount(value: unknown, name: string, min: number): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  if ((value as number) < min) throw new RangeError(`${name} must be at least ${min}, got ${String(value)}`);
  return value as number;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks the journal key (32 bytes for AES-256). `name` is the argument's name in the message. */
export function checkKey(key: unknown, name: string): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array of 32 bytes (the AES-256-GCM journal key)`);
  if (key.length !== 32) throw new RangeError(`${name} must be 32 bytes (AES-256), got ${key.length}`);
  return key;
}

/**
 * Key check value, stored in every segment header: the first 8 bytes of HMAC-SHA256(key, label).
 * It lets `open` refuse a wrong key before a single record is written under it (a journal with
 * records under two keys could not be unsealed as a whole), and reveals nothing usable about a
 * 256-bit key.
 */
export function keyCheckValue(key: Uint8Array): Uint8Array {
  return hmac(sha256, key, new TextEncoder().encode('shanfu journal key check v1')).slice(0, 8);
}

const AAD_LABEL = new TextEncoder().encode('shanfu-journal-v1');

/**
 * Associated data of a sealed blob: label ‖ seq (u64 big-endian) ‖ terminal id (UTF-8). Binding the
 * blob to its record means a sealed PAN copied into another record (or another terminal's journal)
 * fails to decrypt instead of silently attaching a card to the wrong tap.
 */
function associatedData(seq: number, terminalId: string): Uint8Array {
  const tid = new TextEncoder().encode(terminalId);
  const ad = new Uint8Array(AAD_LABEL.length + 8 + tid.length);
  ad.set(AAD_LABEL, 0);
  new DataView(ad.buffer).setBigUint64(AAD_LABEL.length, BigInt(seq));
  ad.set(tid, AAD_LABEL.length + 8);
  return ad;
}

const NONCE = 12;
const TAG = 16;

/** nonce (12, random) ‖ ciphertext ‖ tag (16) of the CBOR of `data`. */
export function seal(key: Uint8Array, seq: number, terminalId: string, data: SensitiveCardData): Uint8Array {
  // Random 96-bit nonces: NIST SP 800-38D §8.3 allows 2^32 messages per key this way, far beyond a
  // terminal's lifetime of taps (~10^7).
  const nonce = randomBytes(NONCE);
  const ct = gcm(key, nonce, associatedData(seq, terminalId)).encrypt(encodeCbor(data));
  const out = new Uint8Array(NONCE + ct.length);
  out.set(nonce, 0);
  out.set(ct, NONCE);
  return out;
}

/** Decrypts a sealed blob; a wrong key or a moved/tampered blob is ShanfuError `journal.key`. */
export function unseal(key: Uint8Array | undefined, entry: StoredEntry): SensitiveCardData | undefined {
  if (entry.sealed === undefined) return undefined;
  if (!key)
    throw new ShanfuError('journal.key', `record ${entry.seq} holds sealed card data and no journal key was given; pass --key-file F or set SHANFU_JOURNAL_KEY`);
  const blob = entry.sealed;
  let plain: Uint8Array;
  try {
    if (!(blob instanceof Uint8Array) || blob.length < NONCE + TAG) throw new Error('short blob');
    plain = gcm(key, blob.subarray(0, NONCE), associatedData(entry.seq, entry.terminalId)).decrypt(blob.subarray(NONCE));
  } catch (e) {
    throw new ShanfuError(
      'journal.key',
      `cannot unseal the card data of record ${entry.seq}: the key is not the one it was sealed with, or the sealed data was altered or moved from another record`,
      { cause: e },
    );
  }
  return decodeCbor(plain) as SensitiveCardData;
}

/** Checks an entry before it gets a sequence number (TypeError naming the field). */
export function checkEntry(entry: JournalEntry, terminalId: string): void {
  if (typeof entry !== 'object' || entry === null) throw new TypeError('entry must be a JournalEntry object');
  if (!ENTRY_KINDS.includes(entry.kind)) throw new TypeError(`entry.kind must be one of ${ENTRY_KINDS.join(', ')}, got ${String(entry.kind)}`);
  if (typeof entry.time !== 'number' || !Number.isFinite(entry.time)) throw new TypeError('entry.time must be epoch milliseconds (a finite number)');
  if (entry.terminalId !== terminalId)
    throw new TypeError(`entry.terminalId '${String(entry.terminalId)}' is not this journal's terminal id '${terminalId}'`);
  if ('seq' in entry || 'sealed' in entry) throw new TypeError('entry must not carry seq or sealed: the journal assigns them');
  const s = entry.sensitive;
  if (s !== undefined) {
    if (typeof s !== 'object' || s === null || typeof s.pan !== 'string' || !/^\d{8,19}$/.test(s.pan))
      throw new TypeError('entry.sensitive.pan must be the PAN digits (8 to 19 digits, no padding)');
    if (s.track2 !== undefined && (typeof s.track2 !== 'string' || !/^[0-9A-Fa-f]*$/.test(s.track2)))
      throw new TypeError('entry.sensitive.track2 must be hex');
  }
}

/** The stored form of an entry: `seq` first, the entry's fields, the sealed blob instead of `sensitive`. */
export function storedEntry(entry: JournalEntry, seq: number, key: Uint8Array | undefined): StoredEntry {
  const { sensitive, ...rest } = entry;
  const stored: StoredEntry = { seq, ...rest };
  if (sensitive !== undefined) {
    if (!key) throw new ShanfuError('journal.key', 'this journal was opened without a key, so it cannot seal entry.sensitive; open it with the integrator key');
    stored.sealed = seal(key, seq, entry.terminalId, { pan: sensitive.pan, ...(sensitive.track2 !== undefined ? { track2: sensitive.track2 } : {}) });
  }
  return stored;
}

/** CBOR of a stored entry; RangeError when it is larger than MAX_PAYLOAD, TypeError when not encodable. */
export function encodeStoredEntry(stored: StoredEntry): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = encodeCbor(stored);
  } catch (e) {
    throw new TypeError(`entry cannot be encoded as CBOR (plain data only): ${(e as Error).message}`);
  }
  if (bytes.length > MAX_PAYLOAD) throw new RangeError(`entry encodes to ${bytes.length} bytes; the journal's limit per record is ${MAX_PAYLOAD}`);
  return bytes;
}

/** Decodes a stored entry; undefined when the bytes are not a CBOR map with a positive integer `seq`. */
export function decodeStoredEntry(bytes: Uint8Array): StoredEntry | undefined {
  let v: unknown;
  try {
    v = decodeCbor(bytes);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || !Number.isSafeInteger((v as StoredEntry).seq) || (v as StoredEntry).seq < 1) return undefined;
  return v as StoredEntry;
}
