/**
 * GET PROCESSING OPTIONS helpers (qpboc-facts §1.4, §1.7, §1.9): PDOL checks and the card's
 * decision. Allocation-free.
 */
import type { TagStore } from '../emv/tag-store.js';
import { Cryptogram } from './outcome.js';

/** True when the DOL `dol[off, off+len)` lists `tag`. False also for a malformed DOL. */
export function dolHasTag(dol: Uint8Array, off: number, len: number, tag: number): boolean {
  const end = off + len;
  let p = off;
  while (p < end) {
    const first = dol[p++]!;
    let t = first;
    if ((first & 0x1f) === 0x1f) {
      let n = 1;
      for (;;) {
        if (p >= end) return false;
        const b = dol[p++]!;
        t = (t << 8) | b;
        n++;
        if ((b & 0x80) === 0) break;
        if (n >= 3) return false;
      }
    }
    if (p >= end) return false;
    p++; // length byte
    if (t === tag) return true;
  }
  return false;
}

/**
 * The tags every qPBOC GPO response must carry (qpboc-facts §1.7; QK validGPOData): 82 AIP, 9F36 ATC,
 * 57 Track 2, 9F26 AC, 9F10 IAD. Returns the first missing tag, or 0.
 */
export function missingMandatoryTag(card: TagStore): number {
  if (card.length(0x82) !== 2) return 0x82;
  if (card.length(0x9f36) !== 2) return 0x9f36;
  if (card.length(0x57) < 1) return 0x57;
  if (card.length(0x9f26) !== 8) return 0x9f26;
  if (card.length(0x9f10) < 1) return 0x9f10;
  return 0;
}

/**
 * The cryptogram type the card returned: from 9F27 CID when present (b8–b7: 00 AAC, 40 TC, 80 ARQC;
 * EMV Book 3 §6.5.5.4), else from CVR byte 2 in the PBOC IAD 9F10[4] & 0x30 (20 ARQC, 10 TC, 00 AAC;
 * qpboc-facts §1.7/§1.9). Cryptogram.None when neither is usable.
 */
export function cardDecision(card: TagStore): number {
  if (card.length(0x9f27) === 1) {
    const cid = card.byte(0x9f27) & 0xc0;
    return cid === 0x40 ? Cryptogram.TC : cid === 0x80 ? Cryptogram.ARQC : cid === 0x00 ? Cryptogram.AAC : Cryptogram.None;
  }
  if (card.length(0x9f10) < 5) return Cryptogram.None;
  const cvr2 = card.byte(0x9f10, 4) & 0x30;
  return cvr2 === 0x10 ? Cryptogram.TC : cvr2 === 0x20 ? Cryptogram.ARQC : cvr2 === 0x00 ? Cryptogram.AAC : Cryptogram.None;
}
