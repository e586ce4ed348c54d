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
