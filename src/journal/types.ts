/**
 * The journal's public shapes (DESIGN.md "Data at rest"). The terminal appends one entry per tap
 * (and per torn-record event); the uplink drains the store-and-forward cursor (`exportPending`,
 * `ack`). Implemented by `Journal` (journal.ts, a real file with fsync) and `MemoryJournal` (tests).
 */

/** What a journal entry records. Append-only list: never renumber. */
export type JournalEntryKind =
  /** A finished tap (any outcome). */
  | 'tap'
  /** A torn tap was kept for recovery (card left between GPO and the last record's response). */
  | 'torn-open'
  /** A torn record was resolved on the card's next tap: `resolution` says charged or not. */
  | 'torn-resolved'
  /** A torn record outlived its lifetime unresolved. */
  | 'torn-expired'
  /** A parameter set (deny list, fare table, CA keys, terminal parameters) was applied. */
  | 'params';

/** Card data that must be encrypted at rest (AES-GCM under the integrator's key). */
export interface SensitiveCardData {
  /** PAN digits (no F padding). */
  pan: string;
  /** Track 2 equivalent data (57), hex, when the tap had it. */
  track2?: string;
}

/**
 * One journal entry as the terminal hands it to `append`. Money in minor units (fen). Everything is
 * plain data (CBOR-encodable): numbers, strings, booleans, Uint8Array, nested plain objects.
 */
export interface JournalEntry {
  kind: JournalEntryKind;
  /** Epoch milliseconds (the terminal's clock). */
  time: number;
  /** Terminal id (the uplink's topic and idempotency key use it). */
  terminalId: string;
  /** Profile name (`bus`, `metro-entry`, `metro-exit`, `toll-entry`, `toll-exit`, `pay`…). */
  profile?: string;
  /** Outcome and reason names (OUTCOME_NAMES / REASONS), for `tap`. */
  outcome?: string;
  reason?: string;
  /** Amount authorised (the fare), minor units. */
  amount?: number;
  /** Amount actually charged on the card by this entry (0 when nothing was debited). */
  charged?: number;
  balanceBefore?: number;
  balanceAfter?: number;
  /** AID (hex), ATC, PAN sequence number, masked PAN (first 6 + last 4). */
  aid?: string;
  atc?: number;
  psn?: number;
  maskedPan?: string;
  /** Cryptogram type name and value (hex), TVR (hex). */
  cryptogramType?: string;
  cryptogram?: string;
  tvr?: string;
  /** IC field 55 data for an online/clearing message (hex), when the tap produced it. */
  iccData?: string;
  /** Encrypted by the journal with AES-GCM; never written in clear. */
  sensitive?: SensitiveCardData;
  /** For torn-resolved: 'charged' (the card had committed) or 'not-charged'. */
  resolution?: 'charged' | 'not-charged';
  /** Profile-specific data (station ids, route, zone, vehicle class, fare table version…). */
  details?: Record<string, unknown>;
}

/** An entry as stored: its sequence number and the sensitive part still encrypted. */
export interface StoredEntry extends Omit<JournalEntry, 'sensitive'> {
  /** 1-based, strictly increasing, never reused (also across rotation and reopen). */
  seq: number;
  /** AES-GCM: nonce (12) ‖ ciphertext ‖ tag (16) of the CBOR of SensitiveCardData; absent when none. */
  sealed?: Uint8Array;
}

export interface JournalOptions {
  /** Directory of the journal's segment files (created when missing). */
  dir: string;
  /** 32-byte AES-256-GCM key supplied by the integrator (protects PAN / track 2). */
  key: Uint8Array;
  /** Terminal id written into the segment header; entries must carry the same. */
  terminalId: string;
  /** Start a new segment file after this many bytes (default 16 MiB). */
  rotateBytes?: number;
  /**
   * Group commit: appends within this many ms share one fsync (default 0 = no added wait: an append
   * starts its fsync at once; appends that arrive while one runs share the next).
   */
  groupCommitMs?: number;
  /**
   * Keep segments whose every record is acknowledged (default false: they are deleted when the
   * journal rotates to a new segment; the current segment is never deleted).
   */
  retainAcknowledged?: boolean;
}

export interface JournalStats {
  /** Highest sequence number written durably. */
  lastSeq: number;
  /** Highest sequence number acknowledged by the back office. */
  ackedSeq: number;
  /** Entries written and not yet acknowledged. */
  pending: number;
  segments: number;
  bytes: number;
}

export interface JournalVerifyReport {
  ok: boolean;
  entries: number;
  segments: number;
  /** Problems found (checksum mismatch, sequence gap, bad header…), each with file and offset. */
  problems: { file: string; offset: number; problem: string }[];
  /**
   * Added by the journal: an interrupted append at the very end of the last segment (not a
   * problem: no durable record is in it; the next open truncates it).
   */
  tornTail?: { file: string; offset: number; bytes: number; reason: string };
  /** Added by the journal: how many sealed blobs were decrypted (only when a key was given). */
  unsealed?: number;
}

/** The store-and-forward interface the terminal and the uplink depend on. */
export interface JournalStore {
  /** Appends and resolves once the entry is durable (fsynced); returns its sequence number. */
  append(entry: JournalEntry): Promise<number>;
  /** Up to `max` entries after the acknowledged cursor, oldest first (sealed data stays sealed). */
  exportPending(max: number): Promise<StoredEntry[]>;
  /** Moves the acknowledged cursor to `seq` (durably); lower or equal values are a no-op. */
  ack(seq: number): Promise<void>;
  /** Decrypts a stored entry's sensitive data with the journal's key. */
  unseal(entry: StoredEntry): SensitiveCardData | undefined;
  stats(): JournalStats;
  close(): Promise<void>;
}

/**
 * Added by the journal: reading back already-durable entries, acknowledged or not (tools, audits).
 * Implemented by `Journal` and `MemoryJournal` beside JournalStore.
 */
export interface JournalHistory {
  /** Up to `max` durable entries with seq ≥ `fromSeq`, oldest first, as far as they are still retained. */
  read(fromSeq: number, max: number): Promise<StoredEntry[]>;
}
