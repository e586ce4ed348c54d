import { TlvCursor, TlvError } from '../tlv/cursor.js';
import { TAG_STORE_FULL, type TagStore } from '../emv/tag-store.js';

/**
 * Static data to be authenticated, accumulated while the records are read (EMV Book 3 §10.3,
 * Book 2 §5.4; qpboc-facts §2.6). Preallocated, allocation-free.
 */

/** Room for the static data: records for ODA rarely exceed 1 KB; 2 KB leaves margin. */
export const STATIC_DATA_MAX = 2048;

export class StaticData {
  readonly buf = new Uint8Array(STATIC_DATA_MAX);
  length = 0;
  /**
   * Set when the static data cannot be used: a record for ODA in SFI 1–10 was not template 70, the
   * data overflowed, or 9F4A listed something other than 82. ODA then fails (TVR "ICC data missing"
   * is not set: the data are present but wrong; the ODA-failed bit is).
   */
  error = false;

  clear(): void {
    this.length = 0;
    this.error = false;
  }

  append(src: Uint8Array, off: number, len: number): void {
    if (this.length + len > STATIC_DATA_MAX) {
      this.error = true;
      return;
    }
    const b = this.buf;
    const o = this.length;
    for (let i = 0; i < len; i++) b[o + i] = src[off + i]!;
    this.length = o + len;
  }
}

/** `storeRecord` result: a data object repeated (see there). */
export const RECORD_DUPLICATE = 200;

/**
 * Stores the primitive objects of a record's template-70 value `buf[off, off+len)` in the card store.
 * Returns TlvError.None, a TlvError code, TAG_STORE_FULL or RECORD_DUPLICATE.
 *
 * Duplicates (EMV Book 3 §10.2 / §7.5: a data object may appear once): a tag already read from another
 * record is a duplicate. A record repeating a GPO data object with the *same* value is accepted: qPBOC
 * cards put 57 and 5F34 both in the GPO response (contactless) and in the records (shared with the
 * contact application) — seen in the JCA-modelled virtual card. A different value is inconsistent card
 * data and is treated as a duplicate. Objects whose value offset is below `gpoBoundary` came from GPO.
 */
export function storeRecord(card: TagStore, buf: Uint8Array, off: number, len: number, c: TlvCursor, gpoBoundary: number): number {
  c.reset(buf, off, off + len);
  const sb = card.buf;
  for (;;) {
    if (c.next()) {
      if (c.constructed) {
        if (!c.enter()) return c.error;
        continue;
      }
      const o = card.offset(c.tag);
      if (o >= 0) {
        if (o >= gpoBoundary || card.length(c.tag) !== c.length) return RECORD_DUPLICATE;
        const v = c.valueOffset;
        for (let i = 0; i < c.length; i++) if (sb[o + i] !== buf[v + i]) return RECORD_DUPLICATE;
        continue;
      }
      if (!card.set(c.tag, buf, c.valueOffset, c.length)) return TAG_STORE_FULL;
      continue;
    }
    if (c.error !== TlvError.None) return c.error;
    if (c.depth === 0) return TlvError.None;
    c.leave();
  }
}
