/**
 * Masking of sensitive card data in recorded R-APDUs (DESIGN.md "One trace format"). One rule: a
 * masked value keeps its tag, length and format, so the TLV structure (and any BCD/ASCII shape)
 * still decodes — only the sensitive characters change:
 *   - PAN digits other than the first 6 and the last 4 become `9` (a digit nibble, or ASCII '9' in
 *     track 1) — a digit, so BCD stays BCD; 9 rather than 0 so that PANs padded with zeros (test
 *     cards: 622848 000000000 0018) visibly change;
 *   - discretionary data (after expiry YYMM + service code in track 2 / track 1, and 9F1F / 9F20)
 *     becomes `9` digits (numeric fields) or ASCII 'X' (text fields);
 *   - the cardholder name (5F20, and the name field of track 1) becomes ASCII 'X'.
 * Separators (D in track 2, '^' in track 1) and F padding nibbles are kept. Tags masked: 5A, 57,
 * 9F6B (track 2, same rule as 57), 5F20, 56, 9F1F, 9F20, searched recursively through templates.
 * A response whose data is not well-formed TLV passes unchanged. C-APDUs are never masked (the
 * terminal does not send the PAN).
 */
import { TlvCursor, TlvError } from '../../kernels/tlv/index.js';

const X = 0x58;
const NINE = 0x39;

/** Masks BCD digits [from, to) of a nibble string in place (digit index 0 = high nibble of buf[off]). */
function maskBcdDigits(buf: Uint8Array, off: number, from: number, to: number): void {
  for (let d = from; d < to; d++) {
    const i = off + (d >> 1);
    if (d & 1) buf[i] = (buf[i]! & 0xf0) | 0x09;
    else buf[i] = (buf[i]! & 0x0f) | 0x90;
  }
}
function nibble(buf: Uint8Array, off: number, d: number): number {
  const b = buf[off + (d >> 1)]!;
  return d & 1 ? b & 0x0f : b >> 4;
}

/** 5A: cn, F-padded. */
function maskPan(buf: Uint8Array, off: number, len: number): void {
  let n = 0;
  while (n < len * 2 && nibble(buf, off, n) <= 9) n++;
  if (n > 10) maskBcdDigits(buf, off, 6, n - 4);
}

/** 57 / 9F6B: PAN D YYMM SSS discretionary [F]. */
function maskTrack2(buf: Uint8Array, off: number, len: number): void {
  const total = len * 2;
  let sep = 0;
  while (sep < total && nibble(buf, off, sep) !== 0xd) sep++;
  if (sep >= total) {
    // No separator: not track 2 as expected — mask every digit except the first 6.
    maskBcdDigits(buf, off, Math.min(6, total), total);
    return;
  }
  if (sep > 10) maskBcdDigits(buf, off, 6, sep - 4);
  let end = total;
  while (end > sep && nibble(buf, off, end - 1) === 0xf) end--;
  const disc = sep + 1 + 7; // YYMM + service code
  if (disc < end) maskBcdDigits(buf, off, disc, end);
}

/** 9F20 (cn track 2 discretionary data). */
function maskDigits(buf: Uint8Array, off: number, len: number): void {
  let end = len * 2;
  while (end > 0 && nibble(buf, off, end - 1) === 0xf) end--;
  maskBcdDigits(buf, off, 0, end);
}

function fill(buf: Uint8Array, from: number, to: number, v: number): void {
  for (let i = from; i < to; i++) buf[i] = v;
}

/** 56: 'B' PAN '^' NAME '^' YYMM SSS discretionary (ans). */
function maskTrack1(buf: Uint8Array, off: number, len: number): void {
  const end = off + len;
  const c1 = buf.indexOf(0x5e, off);
  const c2 = c1 < 0 || c1 >= end ? -1 : buf.indexOf(0x5e, c1 + 1);
  if (c1 < 0 || c1 >= end || c2 < 0 || c2 >= end) {
    fill(buf, off, end, X);
    return;
  }
  const panStart = buf[off] === 0x42 ? off + 1 : off;
  if (c1 - panStart > 10) fill(buf, panStart + 6, c1 - 4, NINE);
  fill(buf, c1 + 1, c2, X);
  fill(buf, Math.min(end, c2 + 1 + 7), end, X);
}

function maskValue(tag: number, buf: Uint8Array, off: number, len: number): void {
  switch (tag) {
    case 0x5a: return maskPan(buf, off, len);
    case 0x57:
    case 0x9f6b: return maskTrack2(buf, off, len);
    case 0x9f20: return maskDigits(buf, off, len);
    case 0x5f20:
    case 0x9f1f: return fill(buf, off, off + len, X);
    case 0x56: return maskTrack1(buf, off, len);
  }
}

const cursor = new TlvCursor();

/**
 * Returns a masked copy of an R-APDU (data ‖ SW1 SW2), or the same bytes (copied) when its data is
 * not well-formed TLV or holds nothing sensitive.
 */
export function maskResponse(rapdu: Uint8Array): Uint8Array {
  const out = rapdu.slice();
  if (out.length <= 2) return out;
  const end = out.length - 2;
  if (cursor.validate(out, 0, end) !== TlvError.None) return out;
  cursor.reset(out, 0, end);
  for (;;) {
    if (cursor.next()) {
      if (cursor.constructed) {
        if (!cursor.enter()) break;
      } else maskValue(cursor.tag, out, cursor.valueOffset, cursor.length);
      continue;
    }
    if (cursor.error !== TlvError.None || cursor.depth === 0) break;
    cursor.leave();
  }
  return out;
}
