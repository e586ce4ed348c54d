/**
 * The deny-list file (format 1), all integers big-endian:
 *
 *   offset      size  field
 *   0           4     magic "SFDL" (53 46 44 4C)
 *   4           1     format version = 01
 *   5           1     kind: 01 full (the whole list), 02 delta (changes to one base version)
 *   6           2     reserved, 00 00
 *   8           4     list version (u32, ≥ 1; each update carries a higher one)
 *   12          4     base version (u32): delta → the version it applies to; full → 0
 *   16          16    salt (entry-hash.ts: every hash of the list is SHA-256(salt ‖ PAN ‖ PSN)[0..8])
 *   32          4     A = added count (full: the number of entries)
 *   36          4     R = removed count (full: 0)
 *   40          8·A   added hashes, strictly increasing as unsigned 64-bit numbers
 *   40+8A       8·R   removed hashes, strictly increasing
 *   40+8(A+R)   32    SHA-256 of bytes [0, 40+8(A+R))
 *
 * Integrity only: authenticity (a signature) is the uplink envelope's job. The header is 40 bytes,
 * so the hashes are 8-byte aligned in a file buffer and are read in place (`parseDenyListFile`).
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { ShanfuError } from '../../kernels/util/errors.js';
import { SALT_LENGTH } from './entry-hash.js';
import { firstUnsorted } from './table.js';

export const MAGIC = new Uint8Array([0x53, 0x46, 0x44, 0x4c]);
export const FORMAT_VERSION = 1;
export const HEADER_LENGTH = 40;
export const CHECKSUM_LENGTH = 32;
export type DenyListKind = 'full' | 'delta';
const KIND_CODE: Record<DenyListKind, number> = { full: 1, delta: 2 };

export type DenyListHeader = {
  formatVersion: number;
  kind: DenyListKind;
  version: number;
  baseVersion: number;
  salt: Uint8Array;
  addedCount: number;
  removedCount: number;
};

/** A parsed file: hashes as [hi, lo] word pairs (see table.ts), checksum verified. */
export type ParsedDenyList = DenyListHeader & {
  added: Uint32Array;
  removed: Uint32Array;
  checksum: Uint8Array;
};

/** Uint32Array reads native order; the file is big-endian, so a little-endian host swaps (Buffer#swap32). */
export const LITTLE_ENDIAN = endianness() === 'LE';

/** A copy (`Buffer#slice` would return a view, so never call `slice` on bytes that may be a Buffer). */
export function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

function corrupt(message: string): never {
  throw new ShanfuError('denylist.corrupt', `${message}; get a fresh copy of the file from the back office`);
}

/** The header of `bytes`, with the structural checks that need no hashing (magic, format, kind, length). */
export function readHeader(bytes: Uint8Array): DenyListHeader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Uint8Array');
  if (bytes.length < HEADER_LENGTH + CHECKSUM_LENGTH) corrupt(`not a deny-list file: ${bytes.length} bytes, shorter than the ${HEADER_LENGTH + CHECKSUM_LENGTH}-byte minimum`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) corrupt('not a deny-list file (no "SFDL" magic)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  const formatVersion = v.getUint8(4);
  if (formatVersion !== FORMAT_VERSION)
    throw new ShanfuError('denylist.format', `deny-list format version ${formatVersion} is not supported (this shanfu reads ${FORMAT_VERSION}); update shanfu or ask the back office for format ${FORMAT_VERSION}`);
  const kindCode = v.getUint8(5);
  const kind = kindCode === 1 ? 'full' : kindCode === 2 ? 'delta' : corrupt(`unknown kind ${kindCode} (expected 1 full or 2 delta)`);
  if (v.getUint16(6) !== 0) corrupt('reserved header bytes 6–7 are not zero');
  const header: DenyListHeader = {
    formatVersion,
    kind,
    version: v.getUint32(8),
    baseVersion: v.getUint32(12),
    salt: copyOf(bytes, 16, 16 + SALT_LENGTH),
    addedCount: v.getUint32(32),
    removedCount: v.getUint32(36),
  };
  if (header.version === 0) corrupt('list version 0 (versions start at 1)');
  if (kind === 'full' && (header.baseVersion !== 0 || header.removedCount !== 0)) corrupt('a full list with a base version or removed entries');
  if (kind === 'delta' && header.version <= header.baseVersion) corrupt(`delta version ${header.version} is not above its base ${header.baseVersion}`);
  const expected = fileLength(header.addedCount, header.removedCount);
  if (bytes.length !== expected)
    corrupt(`${bytes.length < expected ? 'truncated' : 'trailing bytes'}: the header announces ${header.addedCount} added + ${header.removedCount} removed entries (${expected} bytes), the file has ${bytes.length}`);
  return header;
}

export function fileLength(added: number, removed: number): number {
  return HEADER_LENGTH + 8 * (added + removed) + CHECKSUM_LENGTH;
}

/** SHA-256 of `bytes[0, end)` with node:crypto (native; still the largest part of loading a 10M list, README.md "Figures"). */
export function checksumOf(bytes: Uint8Array, end: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes.subarray(0, end)).digest());
}

/** Whether the stored checksum matches; `readHeader(bytes)` must have passed. */
export function checksumMatches(bytes: Uint8Array): boolean {
  const end = bytes.length - CHECKSUM_LENGTH;
  const sum = checksumOf(bytes, end);
  for (let i = 0; i < CHECKSUM_LENGTH; i++) if (sum[i] !== bytes[end + i]) return false;
  return true;
}

/**
 * Parses and verifies a deny-list file: header, length, checksum, sorted unique hashes. With
 * `owned` (the caller hands the buffer over, e.g. a freshly read file) the hash regions are
 * byte-swapped in place and viewed as Uint32Arrays, so a 10M-entry list needs no second 80 MB copy;
 * otherwise `bytes` is left untouched and the hashes are copied.
 */
export function parseDenyListFile(bytes: Uint8Array, owned: boolean): ParsedDenyList {
  const header = readHeader(bytes);
  if (!checksumMatches(bytes)) corrupt('checksum mismatch (the file is damaged)');
  const checksum = copyOf(bytes, bytes.length - CHECKSUM_LENGTH, bytes.length);
  const added = hashWords(bytes, HEADER_LENGTH, header.addedCount, owned);
  const removed = hashWords(bytes, HEADER_LENGTH + 8 * header.addedCount, header.removedCount, owned);
  for (const [what, words, n] of [['added', added, header.addedCount], ['removed', removed, header.removedCount]] as const) {
    const at = firstUnsorted(words, n);
    if (at >= 0) corrupt(`${what} hash #${at} is not above the one before it (hashes must be sorted and unique)`);
  }
  return { ...header, added, removed, checksum };
}

/** `count` big-endian 8-byte hashes at `bytes[off…]` as [hi, lo] native Uint32 words. */
function hashWords(bytes: Uint8Array, off: number, count: number, owned: boolean): Uint32Array {
  const len = count * 8;
  let region: Uint8Array;
  // In place only when the ArrayBuffer is exactly the file (a large read); a small file may sit in
  // Node's shared 8 KB Buffer pool, which a table view would pin (and memoryBytes would count).
  if (owned && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) region = bytes.subarray(off, off + len);
  else region = copyOf(bytes, off, off + len); // fresh buffer: aligned, and the caller's bytes stay as they were
  // Buffer#swap32 is native (≈ memory speed); a big-endian host reads the words as they are.
  if (LITTLE_ENDIAN) Buffer.from(region.buffer, region.byteOffset, len).swap32();
  return new Uint32Array(region.buffer, region.byteOffset, count * 2);
}

/** Serialises a file; `added`/`removed` are [hi, lo] word pairs, already sorted and unique. */
export function serializeDenyList(h: Omit<DenyListHeader, 'formatVersion' | 'addedCount' | 'removedCount'>, added: Uint32Array, addedCount: number, removed: Uint32Array, removedCount: number): Uint8Array {
  const out = Buffer.alloc(fileLength(addedCount, removedCount));
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out[5] = KIND_CODE[h.kind];
  out.writeUInt32BE(h.version, 8);
  out.writeUInt32BE(h.baseVersion, 12);
  out.set(h.salt, 16);
  out.writeUInt32BE(addedCount, 32);
  out.writeUInt32BE(removedCount, 36);
  const a = HEADER_LENGTH;
  const r = a + 8 * addedCount;
  const end = r + 8 * removedCount;
  out.set(new Uint8Array(added.buffer, added.byteOffset, addedCount * 8), a);
  out.set(new Uint8Array(removed.buffer, removed.byteOffset, removedCount * 8), r);
  if (LITTLE_ENDIAN) out.subarray(a, end).swap32();
  out.set(checksumOf(out, end), end);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
