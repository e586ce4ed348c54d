/**
 * Named bits of the Terminal Verification Results (TVR, tag 95, EMV Book 3 Annex C5) and the
 * Transaction Status Information (TSI, tag 9B, Annex C6).
 *
 * A bit is one number: (byte index << 8) | mask, byte index 0-based. So `TVR_SDA_FAILED` = 0x0040 is
 * byte 1 (Book 3 numbering) bit 7. Setting and testing are allocation-free.
 */

/** A named bit for describe tables: `bit` = (byte index << 8) | mask. */
export type NamedBit = { readonly bit: number; readonly name: string };

// ---- TVR byte 1 (Annex C5) ----
export const TVR_ODA_NOT_PERFORMED = 0x0080;
export const TVR_SDA_FAILED = 0x0040;
export const TVR_ICC_DATA_MISSING = 0x0020;
export const TVR_CARD_ON_EXCEPTION_FILE = 0x0010;
export const TVR_DDA_FAILED = 0x0008;
export const TVR_CDA_FAILED = 0x0004;
export const TVR_SDA_SELECTED = 0x0002;
// ---- TVR byte 2 ----
export const TVR_ICC_EMV_APP_VERSIONS_DIFFER = 0x0180;
export const TVR_EXPIRED_APPLICATION = 0x0140;
export const TVR_APP_NOT_YET_EFFECTIVE = 0x0120;
export const TVR_SERVICE_NOT_ALLOWED = 0x0110;
export const TVR_NEW_CARD = 0x0108;
// ---- TVR byte 3 ----
export const TVR_CVM_NOT_SUCCESSFUL = 0x0280;
export const TVR_UNRECOGNISED_CVM = 0x0240;
export const TVR_PIN_TRY_LIMIT_EXCEEDED = 0x0220;
export const TVR_PIN_PAD_MISSING = 0x0210;
export const TVR_PIN_NOT_ENTERED = 0x0208;
export const TVR_ONLINE_PIN_ENTERED = 0x0204;
// ---- TVR byte 4 ----
export const TVR_TX_EXCEEDS_FLOOR_LIMIT = 0x0380;
export const TVR_LOWER_CONSECUTIVE_OFFLINE_LIMIT_EXCEEDED = 0x0340;
export const TVR_UPPER_CONSECUTIVE_OFFLINE_LIMIT_EXCEEDED = 0x0320;
export const TVR_RANDOMLY_SELECTED_ONLINE = 0x0310;
export const TVR_MERCHANT_FORCED_ONLINE = 0x0308;
// ---- TVR byte 5 ----
export const TVR_DEFAULT_TDOL_USED = 0x0480;
export const TVR_ISSUER_AUTH_FAILED = 0x0440;
export const TVR_SCRIPT_FAILED_BEFORE_FINAL_GENAC = 0x0420;
export const TVR_SCRIPT_FAILED_AFTER_FINAL_GENAC = 0x0410;

/** TVR bit names (EMV Book 3 Annex C5), in byte/bit order. */
export const TVR_BITS: readonly NamedBit[] = [
  { bit: TVR_ODA_NOT_PERFORMED, name: 'Offline data authentication was not performed' },
  { bit: TVR_SDA_FAILED, name: 'SDA failed' },
  { bit: TVR_ICC_DATA_MISSING, name: 'ICC data missing' },
  { bit: TVR_CARD_ON_EXCEPTION_FILE, name: 'Card appears on terminal exception file' },
  { bit: TVR_DDA_FAILED, name: 'DDA failed' },
  { bit: TVR_CDA_FAILED, name: 'CDA failed' },
  { bit: TVR_SDA_SELECTED, name: 'SDA selected' },
  { bit: TVR_ICC_EMV_APP_VERSIONS_DIFFER, name: 'ICC and terminal have different application versions' },
  { bit: TVR_EXPIRED_APPLICATION, name: 'Expired application' },
  { bit: TVR_APP_NOT_YET_EFFECTIVE, name: 'Application not yet effective' },
  { bit: TVR_SERVICE_NOT_ALLOWED, name: 'Requested service not allowed for card product' },
  { bit: TVR_NEW_CARD, name: 'New card' },
  { bit: TVR_CVM_NOT_SUCCESSFUL, name: 'Cardholder verification was not successful' },
  { bit: TVR_UNRECOGNISED_CVM, name: 'Unrecognised CVM' },
  { bit: TVR_PIN_TRY_LIMIT_EXCEEDED, name: 'PIN Try Limit exceeded' },
  { bit: TVR_PIN_PAD_MISSING, name: 'PIN entry required and PIN pad not present or not working' },
  { bit: TVR_PIN_NOT_ENTERED, name: 'PIN entry required, PIN pad present, but PIN was not entered' },
  { bit: TVR_ONLINE_PIN_ENTERED, name: 'Online PIN entered' },
  { bit: TVR_TX_EXCEEDS_FLOOR_LIMIT, name: 'Transaction exceeds floor limit' },
  { bit: TVR_LOWER_CONSECUTIVE_OFFLINE_LIMIT_EXCEEDED, name: 'Lower consecutive offline limit exceeded' },
  { bit: TVR_UPPER_CONSECUTIVE_OFFLINE_LIMIT_EXCEEDED, name: 'Upper consecutive offline limit exceeded' },
  { bit: TVR_RANDOMLY_SELECTED_ONLINE, name: 'Transaction selected randomly for online processing' },
  { bit: TVR_MERCHANT_FORCED_ONLINE, name: 'Merchant forced transaction online' },
  { bit: TVR_DEFAULT_TDOL_USED, name: 'Default TDOL used' },
  { bit: TVR_ISSUER_AUTH_FAILED, name: 'Issuer authentication failed' },
  { bit: TVR_SCRIPT_FAILED_BEFORE_FINAL_GENAC, name: 'Script processing failed before final GENERATE AC' },
  { bit: TVR_SCRIPT_FAILED_AFTER_FINAL_GENAC, name: 'Script processing failed after final GENERATE AC' },
];

// ---- TSI byte 1 (Annex C6) ----
export const TSI_ODA_PERFORMED = 0x0080;
export const TSI_CVM_PERFORMED = 0x0040;
export const TSI_CARD_RISK_MANAGEMENT_PERFORMED = 0x0020;
export const TSI_ISSUER_AUTH_PERFORMED = 0x0010;
export const TSI_TERMINAL_RISK_MANAGEMENT_PERFORMED = 0x0008;
export const TSI_SCRIPT_PROCESSING_PERFORMED = 0x0004;

/** TSI bit names (EMV Book 3 Annex C6). */
export const TSI_BITS: readonly NamedBit[] = [
  { bit: TSI_ODA_PERFORMED, name: 'Offline data authentication was performed' },
  { bit: TSI_CVM_PERFORMED, name: 'Cardholder verification was performed' },
  { bit: TSI_CARD_RISK_MANAGEMENT_PERFORMED, name: 'Card risk management was performed' },
  { bit: TSI_ISSUER_AUTH_PERFORMED, name: 'Issuer authentication was performed' },
  { bit: TSI_TERMINAL_RISK_MANAGEMENT_PERFORMED, name: 'Terminal risk management was performed' },
  { bit: TSI_SCRIPT_PROCESSING_PERFORMED, name: 'Script processing was performed' },
];

/** Sets a named bit in the bit map at `buf[off…]`. */
export function setBit(buf: Uint8Array, off: number, bit: number): void {
  buf[off + (bit >>> 8)] |= bit & 0xff;
}

/** Clears a named bit in the bit map at `buf[off…]`. */
export function clearBit(buf: Uint8Array, off: number, bit: number): void {
  buf[off + (bit >>> 8)] &= ~bit & 0xff;
}

/** True when a named bit is set in the bit map at `buf[off…]`. */
export function testBit(buf: Uint8Array, off: number, bit: number): boolean {
  return ((buf[off + (bit >>> 8)]! | 0) & bit & 0xff) !== 0;
}

/** The name of a TVR or TSI bit (e.g. for logs), or undefined. */
export function bitName(table: readonly NamedBit[], bit: number): string | undefined {
  for (let i = 0; i < table.length; i++) if (table[i]!.bit === bit) return table[i]!.name;
  return undefined;
}
