/**
 * C-APDU builders for the qPBOC command set (qpboc-facts §1.2). Each writes into a preallocated
 * buffer at offset 0 and returns the command length. Allocation-free.
 */

/** "2PAY.SYS.DDF01" (EMV Book B §3.3.2 / qpboc-facts §1.2). */
const PPSE_NAME = [0x32, 0x50, 0x41, 0x59, 0x2e, 0x53, 0x59, 0x53, 0x2e, 0x44, 0x44, 0x46, 0x30, 0x31] as const;

/** Largest C-APDU: 5 header bytes + 255 data bytes + Le. */
export const MAX_CAPDU = 261;

/** SELECT PPSE: `00 A4 04 00 0E 2PAY.SYS.DDF01 00`. */
export function buildSelectPpse(tx: Uint8Array): number {
  tx[0] = 0x00;
  tx[1] = 0xa4;
  tx[2] = 0x04;
  tx[3] = 0x00;
  tx[4] = 14;
  for (let i = 0; i < 14; i++) tx[5 + i] = PPSE_NAME[i]!;
  tx[19] = 0x00;
  return 20;
}

/** SELECT by DF name: `00 A4 04 00 Lc <aid> 00` (P2 00 = first occurrence). */
export function buildSelectAid(tx: Uint8Array, aid: Uint8Array, aidOff: number, aidLen: number): number {
  tx[0] = 0x00;
  tx[1] = 0xa4;
  tx[2] = 0x04;
  tx[3] = 0x00;
  tx[4] = aidLen;
  for (let i = 0; i < aidLen; i++) tx[5 + i] = aid[aidOff + i]!;
  tx[5 + aidLen] = 0x00;
  return 6 + aidLen;
}

/**
 * Starts GET PROCESSING OPTIONS: writes the header and the 83 tag/length for `pdolDataLen` bytes of
 * PDOL data and returns the offset where the caller writes the data. Lengths ≥ 128 use `83 81 Ln`
 * (BER long form; qpboc-facts §1.2). Call `finishGpo` after writing the data.
 */
export function beginGpo(tx: Uint8Array, pdolDataLen: number): number {
  tx[0] = 0x80;
  tx[1] = 0xa8;
  tx[2] = 0x00;
  tx[3] = 0x00;
  if (pdolDataLen >= 0x80) {
    tx[4] = pdolDataLen + 3;
    tx[5] = 0x83;
    tx[6] = 0x81;
    tx[7] = pdolDataLen;
    return 8;
  }
  tx[4] = pdolDataLen + 2;
  tx[5] = 0x83;
  tx[6] = pdolDataLen;
  return 7;
}

/** Appends Le = 00 after the GPO data; returns the command length. */
export function finishGpo(tx: Uint8Array, dataEnd: number): number {
  tx[dataEnd] = 0x00;
  return dataEnd + 1;
}

/** READ RECORD: `00 B2 <record> <(SFI<<3)|4> 00` (EMV Book 3 §6.5.11). */
export function buildReadRecord(tx: Uint8Array, sfi: number, record: number): number {
  tx[0] = 0x00;
  tx[1] = 0xb2;
  tx[2] = record;
  tx[3] = (sfi << 3) | 0x04;
  tx[4] = 0x00;
  return 5;
}

/** GET DATA: `80 CA <tag hi> <tag lo> 00` (e.g. 9F79 EC balance, qpboc-facts §1.2). */
export function buildGetData(tx: Uint8Array, tag: number): number {
  tx[0] = 0x80;
  tx[1] = 0xca;
  tx[2] = (tag >>> 8) & 0xff;
  tx[3] = tag & 0xff;
  tx[4] = 0x00;
  return 5;
}

/**
 * INTERNAL AUTHENTICATE: `00 88 00 00 Lc <DDOL data> 00` (EMV Book 3 §6.5.9). The DDOL data must
 * already be at `tx[5…5+len)`; writes the header and Le, returns the command length.
 */
export function finishInternalAuthenticate(tx: Uint8Array, len: number): number {
  tx[0] = 0x00;
  tx[1] = 0x88;
  tx[2] = 0x00;
  tx[3] = 0x00;
  tx[4] = len;
  tx[5 + len] = 0x00;
  return 6 + len;
}
