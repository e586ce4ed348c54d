/**
 * Building deny-list files: the back office's side (and the tests'). Takes entries (PAN + PSN) or
 * ready-made 8-byte hashes, sorts and de-duplicates them, and writes format 1 (file-format.ts).
 */
import { randomBytes } from 'node:crypto';
import { EntryHasher, SALT_LENGTH, panDigits, psnCode, type PsnInput } from './entry-hash.js';
import { LITTLE_ENDIAN, serializeDenyList, type DenyListKind } from './file-format.js';
import { countCommon, firstUnsorted } from './table.js';

/** One card to deny: PAN digits and PSN (0–99 / "NN"; null, undefined or "*" = every PSN of the PAN). */
export type DenyEntry = { pan: string; psn?: PsnInput };

export type BuildOptions = {
  /** List version (1 … 2³²−1); every update carries a higher one. */
  version: number;
  /** Default 'full'. */
  kind?: DenyListKind;
  /** Delta only: the version this delta applies to. */
  baseVersion?: number;
  /** 16 bytes. A full list defaults to a fresh random salt; a delta must carry its base's salt. */
  salt?: Uint8Array;
  /** Entries to list, or their hashes (concatenated 8-byte big-endian values, any order). */
  add?: readonly DenyEntry[] | Uint8Array;
  /** Delta only: entries (or hashes) to take off the list. */
  remove?: readonly DenyEntry[] | Uint8Array;
};

function checkVersion(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 0xffffffff) throw new RangeError(`${what}: expected an integer ${min}–4294967295, got ${v}`);
  return v;
}

/** Builds a deny-list file (format 1). Bad arguments throw TypeError / RangeError naming them. */
export function buildDenyListFile(options: BuildOptions): Uint8Array {
  const kind = options.kind ?? 'full';
  if (kind !== 'full' && kind !== 'delta') throw new RangeError(`kind: expected 'full' or 'delta', got ${JSON.stringify(kind)}`);
  const version = checkVersion(options.version, 'version', 1);
  let baseVersion = 0;
  if (kind === 'delta') {
    baseVersion = checkVersion(options.baseVersion, 'baseVersion', 0);
    if (baseVersion >= version) throw new RangeError(`baseVersion: ${baseVersion} must be below version ${version}`);
    if (options.salt === undefined) throw new TypeError('salt: a delta must carry the salt of its base list (shanfu denylist info BASE shows it)');
  } else {
    if (options.baseVersion !== undefined) throw new RangeError('baseVersion: only a delta has a base version');
    if (options.remove !== undefined && options.remove.length > 0) throw new RangeError('remove: a full list has nothing to remove; list only the entries that stay');
  }
  const salt = options.salt ?? new Uint8Array(randomBytes(SALT_LENGTH));
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_LENGTH) throw new TypeError(`salt: expected ${SALT_LENGTH} bytes`);
  const add = sortedHashWords(options.add ?? [], salt, 'add');
  const remove = sortedHashWords(options.remove ?? [], salt, 'remove');
  const both = countCommon(add.words, add.count, remove.words, remove.count);
  if (both > 0) throw new RangeError(`add/remove: ${both} entr${both === 1 ? 'y is' : 'ies are'} both added and removed; keep each in one of them`);
  return serializeDenyList({ kind, version, baseVersion, salt }, add.words, add.count, remove.words, remove.count);
}

/** Entries or raw hashes → sorted, unique [hi, lo] words. */
function sortedHashWords(input: readonly DenyEntry[] | Uint8Array, salt: Uint8Array, what: string): { words: Uint32Array; count: number } {
  let be: Uint8Array; // big-endian 8-byte hashes, a private copy
  if (input instanceof Uint8Array) {
    if (input.length % 8 !== 0) throw new RangeError(`${what}: hashes must be 8 bytes each, got ${input.length} bytes`);
    be = new Uint8Array(input); // a copy (Buffer#slice would be a view)
  } else if (Array.isArray(input)) {
    be = new Uint8Array(input.length * 8);
    const v = new DataView(be.buffer);
    const h = new EntryHasher(salt);
    input.forEach((e: DenyEntry, i: number) => {
      if (!e || typeof e !== 'object') throw new TypeError(`${what}[${i}]: expected { pan, psn? }`);
      h.hashDigits(panDigits(e.pan, `${what}[${i}].pan`), psnCode(e.psn, `${what}[${i}].psn`));
      v.setUint32(i * 8, h.out[0]!);
      v.setUint32(i * 8 + 4, h.out[1]!);
    });
  } else throw new TypeError(`${what}: expected an array of { pan, psn? } or a Uint8Array of 8-byte hashes`);
  const n = be.length / 8;
  const buf = Buffer.from(be.buffer, be.byteOffset, be.length);
  if (LITTLE_ENDIAN) buf.swap32();
  const words = new Uint32Array(be.buffer, be.byteOffset, n * 2);
  if (firstUnsorted(words, n) < 0) return { words, count: n };
  // Unsorted or duplicated: sort as native 64-bit integers (TypedArray#sort without a comparator is
  // native), then drop duplicates.
  if (LITTLE_ENDIAN) buf.swap32().swap64(); // back to big-endian bytes, then to native 64-bit order
  new BigUint64Array(be.buffer, be.byteOffset, n).sort();
  if (LITTLE_ENDIAN) buf.swap64().swap32();
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (count > 0 && words[i * 2] === words[count * 2 - 2] && words[i * 2 + 1] === words[count * 2 - 1]) continue;
    words[count * 2] = words[i * 2]!;
    words[count * 2 + 1] = words[i * 2 + 1]!;
    count++;
  }
  return { words, count };
}
