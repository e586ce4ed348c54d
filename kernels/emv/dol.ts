/**
 * Data Object Lists (EMV Book 3 §5.4): PDOL 9F38, CDOL1/2 8C/8D, DDOL 9F49, TDOL 97, log formats.
 * A DOL is a list of (tag, length) entries; the terminal answers with the concatenated values, each
 * fitted to the requested length by the rules of its format.
 *
 * `dolDataLength` and `buildDolData` run per APDU (PDOL → GPO): allocation-free. `parseDol` is for
 * tools and allocates.
 */
import { TagFormatCode, tagFormatCode } from '../tlv/tags.js';
import { isConstructedTag } from '../tlv/cursor.js';
import { fromHex } from '../util/hex.js';
import type { TagStore } from './tag-store.js';

/** `buildDolData` / `dolDataLength` result: the DOL is malformed (truncated tag or length). */
export const DOL_MALFORMED = -1;
/** `buildDolData` result: the DOL data does not fit in the output buffer. */
export const DOL_TOO_LONG = -2;

// One entry decoded by `readEntry`: [tag, length, next offset]. Module scratch: the kernels are
// synchronous, so one shared Int32Array is safe and saves an object per entry.
const entry = new Int32Array(3);

/**
 * Decodes the DOL entry at `p` (< end): a BER tag of 1–3 bytes and a one-byte length (Book 3 §5.4).
 * Returns false when the entry is truncated or its tag is longer than 3 bytes.
 */
function readEntry(dol: Uint8Array, p: number, end: number): boolean {
  const first = dol[p++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 1;
    for (;;) {
      if (p >= end) return false;
      const b = dol[p++]!;
      tag = (tag << 8) | b;
      n++;
      if ((b & 0x80) === 0) break;
      if (n >= 3) return false;
    }
  }
  if (p >= end) return false;
  entry[0] = tag;
  entry[1] = dol[p++]!;
  entry[2] = p;
  return true;
}

/** Total length of the data a DOL asks for, or DOL_MALFORMED. */
export function dolDataLength(dol: Uint8Array, off: number, len: number): number {
  const end = off + len > dol.length ? dol.length : off + len;
  let p = off;
  let total = 0;
  while (p < end) {
    if (!readEntry(dol, p, end)) return DOL_MALFORMED;
    total += entry[1]!;
    p = entry[2]!;
  }
  return total;
}

/**
 * Builds the data for the DOL `dol[dolOff, dolOff+dolLen)` from the values in `store`, writing to
 * `out[outOff…]`. Returns the bytes written, DOL_MALFORMED or DOL_TOO_LONG.
 *
 * EMV Book 3 §5.4, per entry of requested length L:
 * - tag absent, unknown to the terminal, or constructed → L bytes of 00;
 * - value of length L → copied;
 * - format n, shorter → right-justified, padded on the left with 00; longer → leftmost bytes dropped;
 * - format cn, shorter → left-justified, padded on the right with FF; longer → truncated on the right;
 * - other formats (b, an, ans) → left-justified, padded with 00; longer → truncated on the right.
 * A tag listed twice gets its value twice (real PDOLs repeat 9A: python-emv issue #22).
 */
export function buildDolData(dol: Uint8Array, dolOff: number, dolLen: number, store: TagStore, out: Uint8Array, outOff: number): number {
  const end = dolOff + dolLen > dol.length ? dol.length : dolOff + dolLen;
  const src = store.buf;
  let p = dolOff;
  let o = outOff;
  while (p < end) {
    if (!readEntry(dol, p, end)) return DOL_MALFORMED;
    const tag = entry[0]!;
    const want = entry[1]!;
    p = entry[2]!;
    if (o + want > out.length) return DOL_TOO_LONG;
    const vOff = isConstructedTag(tag) ? -1 : store.offset(tag);
    if (vOff < 0) {
      for (let i = 0; i < want; i++) out[o + i] = 0;
      o += want;
      continue;
    }
    const have = store.length(tag);
    const fmt = tagFormatCode(tag);
    if (have >= want) {
      // Equal, or too long: n keeps the rightmost bytes, the other formats the leftmost.
      const from = fmt === TagFormatCode.n ? vOff + have - want : vOff;
      for (let i = 0; i < want; i++) out[o + i] = src[from + i]!;
    } else if (fmt === TagFormatCode.n) {
      const pad = want - have;
      for (let i = 0; i < pad; i++) out[o + i] = 0;
      for (let i = 0; i < have; i++) out[o + pad + i] = src[vOff + i]!;
    } else {
      const fill = fmt === TagFormatCode.cn ? 0xff : 0x00;
      for (let i = 0; i < have; i++) out[o + i] = src[vOff + i]!;
      for (let i = have; i < want; i++) out[o + i] = fill;
    }
    o += want;
  }
  return o - outOff;
}

/** One DOL entry, for tools. */
export type DolEntry = { tag: number; length: number };

/**
 * Parses a DOL (hex or bytes) into its entries, keeping repeated tags. Throws TypeError naming the
 * offset when an entry is truncated. For tools and tests (allocates).
 */
export function parseDol(dol: string | Uint8Array): DolEntry[] {
  const bytes = typeof dol === 'string' ? fromHex(dol, 'dol') : dol;
  const list: DolEntry[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (!readEntry(bytes, p, bytes.length)) throw new TypeError(`malformed DOL: truncated entry at offset ${p}`);
    list.push({ tag: entry[0]!, length: entry[1]! });
    p = entry[2]!;
  }
  return list;
}
