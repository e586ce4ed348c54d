/**
 * Application selection for contactless (EMV Book B §3.3 Entry Point combination selection; qpboc-facts
 * §1.2/§1.3): the PPSE directory's 61 entries (4F ADF name, 87 priority) are matched against the
 * terminal's AIDs and ordered by priority; when the PPSE is absent the configured AIDs are tried by
 * direct SELECT. Preallocated, allocation-free per tap.
 */
import type { AidConfig } from './params.js';
import { TlvCursor } from '../tlv/cursor.js';
import { Reason } from './outcome.js';

/** Candidates kept (PPSE entries matching a terminal AID). More are ignored (EMV allows ≥ 1). */
export const MAX_CANDIDATES = 16;
const AID_MAX = 16;

export class CandidateList {
  /** Number of candidates. */
  count = 0;
  /** Index of the candidate being tried (or to try next). */
  current = 0;
  /** ADF names, AID_MAX bytes per slot. */
  readonly aids = new Uint8Array(MAX_CANDIDATES * AID_MAX);
  readonly aidLen = new Uint8Array(MAX_CANDIDATES);
  /** Priority for sorting: 1 (highest) … 15, 16 = none (87 absent or b4–b1 = 0). */
  readonly priority = new Uint8Array(MAX_CANDIDATES);
  /** Index of the matching AidConfig. */
  readonly configIndex = new Uint8Array(MAX_CANDIDATES);

  clear(): void {
    this.count = 0;
    this.current = 0;
  }

  /** Offset of candidate `i`'s ADF name in `aids`. */
  aidOffset(i: number): number {
    return i * AID_MAX;
  }

  /**
   * Inserts a candidate keeping priority order; equal priorities stay in insertion (directory) order
   * (EMV Book B §3.3.2.6: ties resolved by directory order).
   */
  add(src: Uint8Array, off: number, len: number, priority: number, configIndex: number): boolean {
    if (this.count >= MAX_CANDIDATES || len < 5 || len > AID_MAX) return false;
    let pos = this.count;
    while (pos > 0 && this.priority[pos - 1]! > priority) pos--;
    // Shift the lower-priority tail down one slot.
    for (let i = this.count; i > pos; i--) {
      this.aids.copyWithin(i * AID_MAX, (i - 1) * AID_MAX, i * AID_MAX);
      this.aidLen[i] = this.aidLen[i - 1]!;
      this.priority[i] = this.priority[i - 1]!;
      this.configIndex[i] = this.configIndex[i - 1]!;
    }
    const o = pos * AID_MAX;
    for (let i = 0; i < len; i++) this.aids[o + i] = src[off + i]!;
    this.aidLen[pos] = len;
    this.priority[pos] = priority;
    this.configIndex[pos] = configIndex;
    this.count++;
    return true;
  }
}

/**
 * The terminal AID matching a card ADF name, or -1. Exact match, or — when the AID allows partial
 * selection — the card's ADF name starts with the terminal AID (EMV Book 1 §12.3.1).
 */
export function matchAid(aids: readonly AidConfig[], card: Uint8Array, off: number, len: number): number {
  for (let i = 0; i < aids.length; i++) {
    const a = aids[i]!;
    const t = a.aid;
    if (len < t.length || (len > t.length && !a.partialMatch)) continue;
    let eq = true;
    for (let k = 0; k < t.length; k++) {
      if (card[off + k] !== t[k]) {
        eq = false;
        break;
      }
    }
    if (eq) return i;
  }
  return -1;
}

/**
 * Parses the PPSE FCI `rx[0, end)` (6F > A5 > BF0C > 61{4F, 87}) into `list`. Returns Reason.None, or
 * Reason.PpseMalformed when the FCI is not well-formed TLV or lacks the 6F/A5 templates. Entries without
 * 4F, with a bad ADF name, or matching no terminal AID are skipped (Book B §3.3.2.5).
 */
export function parsePpse(rx: Uint8Array, end: number, c: TlvCursor, aids: readonly AidConfig[], list: CandidateList): number {
  list.clear();
  c.reset(rx, 0, end);
  if (!c.next() || (c.tag as number) !== 0x6f || !c.enter()) return Reason.PpseMalformed;
  let sawA5 = false;
  while (c.next()) {
    if ((c.tag as number) !== 0xa5) continue;
    sawA5 = true;
    if (!c.enter()) return Reason.PpseMalformed;
    while (c.next()) {
      if ((c.tag as number) !== 0xbf0c) continue;
      if (!c.enter()) return Reason.PpseMalformed;
      while (c.next()) {
        if ((c.tag as number) !== 0x61 || !c.constructed) continue;
        if (!c.enter()) return Reason.PpseMalformed;
        let aidOff = -1;
        let aidLen = 0;
        let priority = 16;
        while (c.next()) {
          if ((c.tag as number) === 0x4f) {
            aidOff = c.valueOffset;
            aidLen = c.length;
          } else if (c.tag === 0x87 && c.length === 1) {
            // 87 b4–b1: priority 1 (highest)..15; 0 = no priority (Book 1 §12.2.3).
            const p = rx[c.valueOffset]! & 0x0f;
            priority = p === 0 ? 16 : p;
          }
        }
        if (c.error !== 0) return Reason.PpseMalformed;
        c.leave();
        if (aidOff >= 0 && aidLen >= 5 && aidLen <= AID_MAX) {
          const idx = matchAid(aids, rx, aidOff, aidLen);
          if (idx >= 0) list.add(rx, aidOff, aidLen, priority, idx);
        }
      }
      if (c.error !== 0) return Reason.PpseMalformed;
      c.leave();
    }
    if (c.error !== 0) return Reason.PpseMalformed;
    c.leave();
  }
  if (c.error !== 0 || !sawA5) return Reason.PpseMalformed;
  return Reason.None;
}

/** Fallback when the card has no PPSE (6A82): every configured AID, in configuration order. */
export function fillFromConfig(aids: readonly AidConfig[], list: CandidateList): void {
  list.clear();
  for (let i = 0; i < aids.length && i < MAX_CANDIDATES; i++) {
    const a = aids[i]!.aid;
    list.add(a, 0, a.length, 16, i);
  }
}

/** Where the application FCI keeps what the kernel needs. */
export class FciView {
  /** Offset/length of 84 DF name in rx, -1 when absent. */
  dfNameOff = -1;
  dfNameLen = 0;
  /** Offset/length of 9F38 PDOL in rx, -1 when absent. */
  pdolOff = -1;
  pdolLen = 0;
}

/**
 * Parses the application FCI `rx[0, end)` (6F{84, A5{…9F38…}}; qpboc-facts §1.3). Returns Reason.None or
 * Reason.FciMalformed (bad TLV, no 6F, no 84 — EMV Book 1 §11.3.4 makes 84 and A5 mandatory).
 */
export function parseAppFci(rx: Uint8Array, end: number, c: TlvCursor, out: FciView): number {
  out.dfNameOff = -1;
  out.dfNameLen = 0;
  out.pdolOff = -1;
  out.pdolLen = 0;
  if (c.validate(rx, 0, end) !== 0) return Reason.FciMalformed;
  c.reset(rx, 0, end);
  if (!c.next() || (c.tag as number) !== 0x6f || !c.enter()) return Reason.FciMalformed;
  let sawA5 = false;
  while (c.next()) {
    const tag: number = c.tag;
    if (tag === 0x84) {
      out.dfNameOff = c.valueOffset;
      out.dfNameLen = c.length;
    } else if (tag === 0xa5 && c.constructed) {
      sawA5 = true;
      if (!c.enter()) return Reason.FciMalformed;
      while (c.next()) {
        if (c.tag === 0x9f38) {
          out.pdolOff = c.valueOffset;
          out.pdolLen = c.length;
        }
      }
      c.leave();
    }
  }
  if (out.dfNameOff < 0 || out.dfNameLen < 5 || out.dfNameLen > AID_MAX || !sawA5) return Reason.FciMalformed;
  return Reason.None;
}
