/**
 * DenyListStore: the terminal's deny list (qpboc-facts §1.11, terminal exception file), loaded from
 * the back office's files and queried by the kernel on every offline tap through `DenyList`.
 *
 * Updates are atomic: `apply` parses, verifies and builds the complete new table beside the current
 * one and only then swaps one reference; any failure (corrupt, truncated, wrong version, wrong salt)
 * throws and leaves the current list serving lookups unchanged. Everything is synchronous, so a tap
 * never sees a half-applied update.
 */
import { readFileSync } from 'node:fs';
import type { DenyList } from '../../kernels/qpboc/params.js';
import { ShanfuError } from '../../kernels/util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ANY_PSN, EntryHasher, NO_PSN, SALT_LENGTH } from './entry-hash.js';
import { parseDenyListFile, serializeDenyList, type DenyListKind } from './file-format.js';
import { HashTable, countCommon, mergeDelta } from './table.js';

/** What one `apply` did. */
export type ApplyResult = {
  kind: DenyListKind;
  /** The list version now in force. */
  version: number;
  /** Entries now on the list. */
  size: number;
  /** Entries that were not listed before. */
  added: number;
  /** Entries that were listed before and are not any more. */
  removed: number;
  /** False when the file was the version already in force (same content): nothing changed. */
  changed: boolean;
};

/** One immutable generation of the list; `apply` builds a new one and swaps the reference. */
type State = {
  table: HashTable;
  version: number;
  /** null until the first list is applied. */
  salt: Uint8Array | null;
  hasher: EntryHasher;
};

const NO_SALT = new Uint8Array(SALT_LENGTH);

function readFile(path: string): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a file path');
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ShanfuError('denylist.io', `cannot read deny list ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function sameSalt(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < SALT_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameTable(a: HashTable, b: HashTable): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count * 2; i++) if (a.words[i] !== b.words[i]) return false;
  return true;
}

export class DenyListStore implements DenyList {
  private state: State;

  private constructor(state: State) {
    this.state = state;
  }

  /** A store with no list (version 0): denies nothing until a full list (or a delta from 0) is applied. */
  static empty(): DenyListStore {
    return new DenyListStore({ table: HashTable.empty(), version: 0, salt: null, hasher: new EntryHasher(NO_SALT) });
  }

  /** A store holding the list in `bytes` (a full file); `bytes` is not modified. */
  static fromBytes(bytes: Uint8Array): DenyListStore {
    const s = DenyListStore.empty();
    s.apply(bytes);
    return s;
  }

  /** A store holding the list in the file at `path` (a full file). */
  static fromFile(path: string): DenyListStore {
    const s = DenyListStore.empty();
    s.applyFile(path);
    return s;
  }

  /** The list version in force (0 = no list yet). */
  get version(): number {
    return this.state.version;
  }

  /** Entries on the list. */
  get size(): number {
    return this.state.table.count;
  }

  /** Bytes held by the lookup structure (hashes + bucket index); see README.md for per-entry figures. */
  get memoryBytes(): number {
    const t = this.state.table;
    return t.words.buffer.byteLength + t.index.byteLength;
  }

  /** The salt of the list in force (a copy), or null before the first list. A delta must carry the same. */
  get salt(): Uint8Array | null {
    return this.state.salt === null ? null : new Uint8Array(this.state.salt);
  }

  /**
   * Applies a full list or a delta (file-format.ts). Full: replaces the list; its version must be
   * above the current one (no rollback), or equal with the same content (a repeated download: no-op).
   * Delta: its base version must be the current version and its salt the current salt.
   * Throws ShanfuError `denylist.corrupt` / `denylist.format` / `denylist.version` / `denylist.salt`,
   * and then the current list stays in force. `bytes` is not modified.
   */
  apply(bytes: Uint8Array): ApplyResult {
    return this.applyParsed(bytes, false);
  }

  /** `apply` with the bytes of a file (read once; the buffer becomes the table: no second copy). */
  applyFile(path: string): ApplyResult {
    return this.applyParsed(readFile(path), true);
  }

  private applyParsed(bytes: Uint8Array, owned: boolean): ApplyResult {
    const cur = this.state;
    const f = parseDenyListFile(bytes, owned);
    let table: HashTable;
    let added: number, removed: number;
    if (f.kind === 'full') {
      if (f.version < cur.version)
        throw new ShanfuError('denylist.version', `full list version ${f.version} is older than version ${cur.version} in force; ask the back office for a list above version ${cur.version}`);
      table = new HashTable(f.added, f.addedCount);
      const sameSaltAsCurrent = cur.salt !== null && sameSalt(f.salt, cur.salt);
      if (f.version === cur.version) {
        // A repeated download of the list in force is harmless; a different list under the same number is a back-office error.
        if (sameSaltAsCurrent && sameTable(table, cur.table)) return { kind: 'full', version: cur.version, size: cur.table.count, added: 0, removed: 0, changed: false };
        throw new ShanfuError('denylist.version', `full list version ${f.version} differs from the list in force under the same version; ask the back office for a list above version ${cur.version}`);
      }
      const kept = sameSaltAsCurrent ? countCommon(cur.table.words, cur.table.count, table.words, table.count) : 0;
      added = table.count - kept;
      removed = cur.table.count - kept;
    } else {
      if (f.baseVersion !== cur.version)
        throw new ShanfuError('denylist.version', `delta ${f.baseVersion} → ${f.version} does not apply to the list in force (version ${cur.version}); apply the deltas in order from version ${cur.version}, or a full list`);
      if (cur.salt !== null && !sameSalt(f.salt, cur.salt))
        throw new ShanfuError('denylist.salt', `delta ${f.baseVersion} → ${f.version} was hashed with a different salt than list ${cur.version}; the back office must build it with the salt of its base (or send a full list)`);
      const m = mergeDelta(cur.table, f.added, f.addedCount, f.removed, f.removedCount);
      if ('conflict' in m) throw new ShanfuError('denylist.corrupt', `delta ${f.baseVersion} → ${f.version} both adds and removes removed-hash #${m.conflict}; get a corrected delta from the back office`);
      table = m.table;
      added = m.added;
      removed = m.removed;
    }
    // The swap: one reference. Everything above may throw; nothing above touched `this.state`.
    const salt = f.salt;
    this.state = { table, version: f.version, salt, hasher: cur.salt !== null && sameSalt(salt, cur.salt) ? cur.hasher : new EntryHasher(salt) };
    return { kind: f.kind, version: f.version, size: table.count, added, removed, changed: true };
  }

  /** Writes the list in force as a full file, atomically (temp file + fsync + rename + directory fsync). */
  save(path: string): void {
    const s = this.state;
    if (s.salt === null) throw new ShanfuError('denylist.version', 'nothing to save: no list has been applied yet (version 0)');
    if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a file path');
    const bytes = serializeDenyList({ kind: 'full', version: s.version, baseVersion: 0, salt: s.salt }, s.table.words, s.table.count, new Uint32Array(0), 0);
    try {
      writeFileAtomic(path, bytes);
    } catch (e) {
      throw new ShanfuError('denylist.io', `cannot save deny list to ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * DenyList (kernels/qpboc/params.ts): is the card `pan[panOff, panOff+panLen)` (5A form) with PSN
   * `psn` (5F34 byte, or -1 when absent) listed? Matches its exact PSN entry (no PSN = 00) or an
   * "any PSN" entry. Never throws; allocates nothing (bench/denylist.bench.ts: 0 bytes/lookup).
   */
  isDenied(pan: Uint8Array, panOff: number, panLen: number, psn: number): boolean {
    const s = this.state;
    if (s.table.count === 0) return false;
    const h = s.hasher;
    if (!h.hashPan5A(pan, panOff, panLen, psn >= 0 && psn <= 255 ? psn : NO_PSN)) return false;
    if (s.table.has(h.out[0]!, h.out[1]!)) return true;
    h.hashPan5A(pan, panOff, panLen, ANY_PSN);
    return s.table.has(h.out[0]!, h.out[1]!);
  }

  /** Is this 8-byte entry hash (big-endian, as in the file) listed? */
  hasHash(hash: Uint8Array, off = 0): boolean {
    const hi = (hash[off]! << 24) | (hash[off + 1]! << 16) | (hash[off + 2]! << 8) | hash[off + 3]!; // int32: see HashTable.has
    const lo = (hash[off + 4]! << 24) | (hash[off + 5]! << 16) | (hash[off + 6]! << 8) | hash[off + 7]!;
    return this.state.table.has(hi, lo);
  }
}
