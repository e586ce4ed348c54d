/**
 * The identity of a deny-list entry: the first 64 bits of
 *
 *     SHA-256( salt(16) ‖ PAN digits (ASCII, 1–19) ‖ PSN (2 ASCII characters) )
 *
 * PSN = the two hex digits of the 5F34 byte ("01" for 5F34 = 01; 5F34 is n2, so BCD), "00" when the
 * card sent no 5F34, or "**" for an entry that matches every PSN of that PAN. The PSN is always two
 * characters, so the message splits unambiguously into PAN and PSN. The whole message is ≤ 37 bytes:
 * one SHA-256 block, hashed allocation-free on the tap path (sha256-block.ts). README.md explains
 * the choices (salt, truncation, false-positive rate).
 */
import { ONE_BLOCK_MAX, sha256OneBlock } from './sha256-block.js';

export const SALT_LENGTH = 16;
export const MAX_PAN_DIGITS = 19;
/** The internal PSN code of an "any PSN" entry (5F34 values are 0–255). */
export const ANY_PSN = 256;
/** The internal PSN code of a card that sent no 5F34 (the kernel passes -1); looked up as 00. */
export const NO_PSN = -1;

const ASCII_HEX = new Uint8Array([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46]);
const STAR = 0x2a;

// The longest message must fit one block: salt + 19 digits + 2 PSN characters = 37 ≤ 55.
if (SALT_LENGTH + MAX_PAN_DIGITS + 2 > ONE_BLOCK_MAX) throw new Error('deny-list message does not fit one SHA-256 block');

/**
 * Computes entry hashes over preallocated buffers: one instance per salt. `hashPan5A` allocates
 * nothing and leaves the 64-bit hash in `out[0]` (high word) and `out[1]` (low word).
 */
export class EntryHasher {
  readonly salt: Uint8Array;
  /**
   * The last hash: out[0] = bits 63..32, out[1] = bits 31..0 (big-endian order of the digest), as
   * int32 (`>>> 0` for the unsigned value): int32 values stay unboxed when passed on (table.ts `has`).
   */
  readonly out = new Int32Array(2);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);

  constructor(salt: Uint8Array) {
    if (!(salt instanceof Uint8Array) || salt.length !== SALT_LENGTH) throw new TypeError(`salt: expected ${SALT_LENGTH} bytes`);
    this.salt = new Uint8Array(salt); // a copy (Buffer#slice would be a view)
    this.block.set(this.salt, 0); // bytes [0, 16) are never overwritten: padding starts after the message
  }

  /**
   * Hashes the PAN `pan[off, off+len)` in 5A form (BCD, digits up to the first F nibble) with `psn`
   * (a 5F34 byte 0–255, NO_PSN or ANY_PSN). Returns false (and hashes nothing) when the PAN has no
   * digit or more than 19: such a PAN cannot be on a list. Never throws, never allocates.
   */
  hashPan5A(pan: Uint8Array, off: number, len: number, psn: number): boolean {
    const block = this.block;
    let n = SALT_LENGTH;
    const nibbles = len * 2;
    for (let i = 0; i < nibbles; i++) {
      const b = pan[off + (i >> 1)]!;
      const nib = (i & 1) === 0 ? b >> 4 : b & 0x0f;
      if (nib === 0x0f) break; // F padding (EMV Book 3 Annex B: cn, right-padded with F)
      if (n === SALT_LENGTH + MAX_PAN_DIGITS) return false;
      block[n++] = ASCII_HEX[nib]!; // a non-digit nibble hashes as A–E: no built entry has one, so it never matches
    }
    if (n === SALT_LENGTH) return false;
    this.finish(n, psn);
    return true;
  }

  /** Hashes PAN digits given as a string (the back office side; validated by the caller). */
  hashDigits(digits: string, psn: number): void {
    let n = SALT_LENGTH;
    for (let i = 0; i < digits.length; i++) this.block[n++] = digits.charCodeAt(i);
    this.finish(n, psn);
  }

  private finish(n: number, psn: number): void {
    const block = this.block;
    if (psn === ANY_PSN) {
      block[n] = STAR;
      block[n + 1] = STAR;
    } else {
      const p = psn < 0 ? 0 : psn & 0xff; // NO_PSN is looked up as 00 (README.md "PSN rules")
      block[n] = ASCII_HEX[p >> 4]!;
      block[n + 1] = ASCII_HEX[p & 0x0f]!;
    }
    sha256OneBlock(block, n + 2, this.w, this.out, 2);
  }
}

/** A PSN as the back office gives it: 0–99, "00"–"99", or null / undefined / "*" for any PSN. */
export type PsnInput = number | string | null | undefined;

/** The internal PSN code (the 5F34 byte, or ANY_PSN) of a back-office PSN; RangeError naming `what`. */
export function psnCode(psn: PsnInput, what = 'psn'): number {
  if (psn === null || psn === undefined || psn === '*' || psn === '') return ANY_PSN;
  if (typeof psn === 'string') {
    if (!/^\d{1,2}$/.test(psn)) throw new RangeError(`${what}: expected two digits 00–99 or * for any PSN, got ${JSON.stringify(psn)}`);
    psn = Number(psn);
  }
  if (!Number.isInteger(psn) || psn < 0 || psn > 99) throw new RangeError(`${what}: expected 0–99 (5F34 is two BCD digits) or null for any PSN, got ${psn}`);
  return ((psn / 10) << 4) | psn % 10; // 5F34 is n2: PSN 10 is the byte 0x10
}

/** PAN digits as the back office gives them (spaces allowed); RangeError naming `what`. */
export function panDigits(pan: string, what = 'pan'): string {
  if (typeof pan !== 'string') throw new TypeError(`${what}: expected a string of digits`);
  const digits = pan.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits) || digits.length > MAX_PAN_DIGITS)
    throw new RangeError(`${what}: expected 1–${MAX_PAN_DIGITS} digits, got ${JSON.stringify(pan)}`);
  return digits;
}

/** The 8-byte hash (big-endian) of one entry: what a deny-list file stores. Allocates. */
export function hashEntry(salt: Uint8Array, pan: string, psn?: PsnInput): Uint8Array {
  const h = new EntryHasher(salt);
  h.hashDigits(panDigits(pan), psnCode(psn));
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, h.out[0]!);
  v.setUint32(4, h.out[1]!);
  return out;
}

/** PAN digits → 5A form (BCD, F-padded to whole bytes), as the kernel passes it to `isDenied`. */
export function panTo5A(pan: string): Uint8Array {
  const digits = panDigits(pan);
  const out = new Uint8Array(Math.ceil(digits.length / 2)).fill(0xff);
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 0x30;
    out[i >> 1] = (i & 1) === 0 ? (d << 4) | 0x0f : (out[i >> 1]! & 0xf0) | d;
  }
  return out;
}
