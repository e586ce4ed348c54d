/**
 * Segment files: the header, the record frame, and the scan that reads a segment back and sorts
 * what it finds into good records, a torn tail, and damage. Byte layout: src/journal/README.md.
 */
import { crc32c } from './crc32c.js';
import { decodeStoredEntry, MAX_PAYLOAD } from './codec.js';
import type { StoredEntry } from './types.js';

export const MAGIC = new TextEncoder().encode('SFJOURNL');
export const FORMAT_VERSION = 1;
/** Bytes around a record's CBOR: length (4) + length check (4) before it, CRC-32C (4) after it. */
export const FRAME_OVERHEAD = 12;
const FIXED_HEADER = 29;

export interface SegmentHeader {
  version: number;
  /** Sequence number of the segment's first record (also in the file name). */
  firstSeq: number;
  /** Key check value (codec.keyCheckValue) of the key the segment's sealed data uses. */
  keyCheck: Uint8Array;
  terminalId: string;
  /** Header length in bytes: the first record starts here. */
  length: number;
}

const SEGMENT_NAME = /^seg-(\d{16})\.sfj$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.sfj`;
}

/** The first seq named by a segment file name, or undefined for other files. */
export function segmentSeq(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function encodeHeader(firstSeq: number, keyCheck: Uint8Array, terminalId: string): Uint8Array {
  const tid = new TextEncoder().encode(terminalId);
  if (tid.length < 1 || tid.length > 255) throw new RangeError(`terminalId must be 1 to 255 bytes of UTF-8, got ${tid.length}`);
  const h = new Uint8Array(FIXED_HEADER + tid.length + 4);
  const v = new DataView(h.buffer);
  h.set(MAGIC, 0);
  v.setUint16(8, FORMAT_VERSION, true);
  v.setUint16(10, h.length, true);
  v.setBigUint64(12, BigInt(firstSeq), true);
  h.set(keyCheck.subarray(0, 8), 20);
  h[28] = tid.length;
  h.set(tid, FIXED_HEADER);
  v.setUint32(FIXED_HEADER + tid.length, crc32c(h, 0, FIXED_HEADER + tid.length), true);
  return h;
}

/** Parses a segment header; a string says what is wrong with it. */
export function decodeHeader(bytes: Uint8Array): SegmentHeader | string {
  if (bytes.length < FIXED_HEADER + 5) return `file too short for a segment header (${bytes.length} bytes)`;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return 'not a shanfu journal segment (bad magic)';
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint16(8, true);
  if (version !== FORMAT_VERSION) return `segment format version ${version} is not supported (this shanfu reads version ${FORMAT_VERSION})`;
  const length = v.getUint16(10, true);
  const tidLen = bytes[28]!;
  if (length !== FIXED_HEADER + tidLen + 4 || length > bytes.length) return 'segment header length is damaged';
  if (crc32c(bytes, 0, length - 4) !== v.getUint32(length - 4, true)) return 'segment header checksum mismatch';
  return {
    version,
    firstSeq: Number(v.getBigUint64(12, true)),
    keyCheck: bytes.slice(20, 28),
    terminalId: new TextDecoder().decode(bytes.subarray(FIXED_HEADER, FIXED_HEADER + tidLen)),
    length,
  };
}

/** One record's frame: u32 length ‖ u32 CRC-32C(length) ‖ CBOR ‖ u32 CRC-32C(everything before). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(payload.length + FRAME_OVERHEAD);
  const v = new DataView(f.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(4, crc32c(f, 0, 4), true);
  f.set(payload, 8);
  v.setUint32(8 + payload.length, crc32c(f, 0, 8 + payload.length), true);
  return f;
}

export interface RecordRef {
  seq: number;
  /** Offset of the frame in the segment file. */
  offset: number;
  /** Frame length (CBOR + FRAME_OVERHEAD). */
  size: number;
}

export interface FrameScan {
  records: RecordRef[];
  /** End of the last good record: where the next append goes. */
  end: number;
  /**
   * Damage at the very end that an interrupted append leaves (incomplete frame, bad checksum on the
   * last frame, zero-filled tail). Discarded by truncation when it is in the last segment.
   */
  torn?: { offset: number; bytes: number; reason: string };
  /** Damage with intact data after it, or data that cannot be ours (never silently dropped). */
  problems: { offset: number; problem: string }[];
}

export interface SegmentScan extends FrameScan {
  header: SegmentHeader;
}

export interface ScanOptions {
  /** Step over a damaged record whose length is intact and report the rest too (verify). */
  all?: boolean;
  /** Sees each good record fully decoded (verify: CBOR, terminal id, unseal). */
  onRecord?: (entry: StoredEntry, offset: number) => void;
}

function zerosFrom(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The seq of a stored entry's CBOR without decoding the rest: our encoder writes a map whose first
 * key is "seq" with an unsigned integer value. Undefined when the bytes have another shape (the
 * caller then decodes fully). Measured: a 100k-record reopen spent ~80% of its time in full
 * CBOR decoding, which the checksums make redundant for records we wrote ourselves.
 */
export function peekSeq(b: Uint8Array, at: number, end: number): number | undefined {
  if (end - at < 6 || b[at]! >> 5 !== 5) return undefined; // major type 5: map
  const ai = b[at]! & 0x1f;
  let p = at + (ai < 24 ? 1 : ai === 24 ? 2 : ai === 25 ? 3 : Infinity);
  if (b[p] !== 0x63 || b[p + 1] !== 0x73 || b[p + 2] !== 0x65 || b[p + 3] !== 0x71) return undefined; // text(3) "seq"
  p += 4;
  const h = b[p]!;
  if (h < 24) return h;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (h === 0x18 && p + 2 <= end) return b[p + 1];
  if (h === 0x19 && p + 3 <= end) return v.getUint16(p + 1);
  if (h === 0x1a && p + 5 <= end) return v.getUint32(p + 1);
  return undefined;
}

/**
 * Reads every record of a segment: both checksums, the seq and its continuity. Without `onRecord`
 * the seq is read from the CBOR's first bytes (peekSeq). Stops at the first problem unless `all`.
 */
export function scanSegment(bytes: Uint8Array, opts: ScanOptions = {}): SegmentScan | string {
  const header = decodeHeader(bytes);
  if (typeof header === 'string') return header;
  return { header, ...scanFrames(bytes, header.length, 0, header.firstSeq, header.terminalId, opts) };
}

/**
 * Reads the frames of `bytes` from `from` on; `bytes[0]` is at file offset `base` (a segment's
 * tail read on its own), so every offset reported is a file offset. `expect` is the first seq.
 */
export function scanFrames(bytes: Uint8Array, from: number, base: number, expect: number, terminalId: string, opts: ScanOptions = {}): FrameScan {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scan: FrameScan = { records: [], end: base + from, problems: [] };
  let at = from;
  const fail = (problem: string) => {
    scan.problems.push({ offset: base + at, problem });
    return !opts.all;
  };
  const torn = (reason: string) => (scan.torn = { offset: base + at, bytes: bytes.length - at, reason });
  while (at < bytes.length) {
    const rest = bytes.length - at;
    if (rest < 8) {
      torn('incomplete record header');
      break;
    }
    const len = v.getUint32(at, true);
    if (crc32c(bytes, at, at + 4) !== v.getUint32(at + 4, true)) {
      if (zerosFrom(bytes, at)) torn('zero-filled tail');
      else fail(`damaged record length; the remaining ${rest} bytes of the segment cannot be read`);
      break;
    }
    if (len === 0 || len > MAX_PAYLOAD) {
      fail(`record length ${len} is out of range; the remaining ${rest} bytes cannot be read`);
      break;
    }
    const size = len + FRAME_OVERHEAD;
    if (size > rest) {
      torn(`incomplete record (${rest} of ${size} bytes)`);
      break;
    }
    if (crc32c(bytes, at, at + 8 + len) !== v.getUint32(at + 8 + len, true)) {
      if (zerosFrom(bytes, at + size)) {
        torn('checksum mismatch in the last record');
        break;
      }
      if (fail('record checksum mismatch (intact records follow, so this is damage, not an interrupted append)')) break;
    } else {
      const fast = opts.onRecord ? undefined : peekSeq(bytes, at + 8, at + 8 + len);
      const entry = fast === undefined ? decodeStoredEntry(bytes.subarray(at + 8, at + 8 + len)) : undefined;
      const seq = fast ?? entry?.seq;
      if (seq === undefined) {
        if (fail('record checksum is right but its CBOR is not a journal entry')) break;
      } else if (seq !== expect) {
        if (fail(`sequence gap: expected seq ${expect}, found ${seq}`)) break;
        expect = seq;
      } else if (entry && entry.terminalId !== terminalId) {
        if (fail(`record ${seq} names terminal '${String(entry.terminalId)}', the segment '${terminalId}'`)) break;
      } else {
        scan.records.push({ seq, offset: base + at, size });
        if (entry) opts.onRecord?.(entry, base + at);
      }
    }
    at += size;
    expect++;
    scan.end = base + at;
  }
  return scan;
}
