/**
 * Terminal pre-processing for one AID (qpboc-facts §1.6; EMV Book A/C-7 "pre-processing"): decide
 * whether contactless is allowed for this amount and set the transient TTQ bits. Runs once per tap,
 * after final selection and the profile's before-GPO hook (the hook may set the amount). Allocation-free.
 */
import type { AidConfig } from './params.js';
import { Reason } from './outcome.js';

/** TTQ byte 2 b8: online cryptogram required (transient, §1.5). */
export const TTQ2_ONLINE_CRYPTOGRAM_REQUIRED = 0x80;
/** TTQ byte 2 b7: CVM required (transient, §1.5). */
export const TTQ2_CVM_REQUIRED = 0x40;
/** TTQ byte 1 b4: offline-only reader. */
export const TTQ1_OFFLINE_ONLY = 0x08;
/** TTQ byte 1 b5: contact PBOC supported. */
export const TTQ1_CONTACT_SUPPORTED = 0x10;
/** TTQ byte 1 b2: signature supported. */
export const TTQ1_SIGNATURE_SUPPORTED = 0x02;

/**
 * Applies §1.6 to `ttq[ttqOff…+4]` (which the caller has reset to the configured base, rule 6).
 * Returns Reason.None when the tap may continue, else the reason contactless is not allowed.
 *
 * Rules: 1 amount ≥ contactless transaction limit → another interface; 2 amount ≥ floor limit →
 * online cryptogram required; 3 amount ≥ CVM limit → CVM required; EC terminal limit (9F7B) → online
 * cryptogram required; 4 zero amount per the AID's `zeroAmount`; 5 status check (one currency unit) →
 * online cryptogram required. The bit is set on offline-only readers too: the card then answers ARQC or AAC
 * and the kernel declines (`online-not-possible` / `card-declined`) — the card, not the reader,
 * knows whether it could have approved offline.
 */
export function preprocess(aid: AidConfig, amount: number, currencyExponent: number, ttq: Uint8Array, ttqOff: number): number {
  // Rule 6: the transient bits start clear every transaction.
  ttq[ttqOff + 1] = ttq[ttqOff + 1]! & ~(TTQ2_ONLINE_CRYPTOGRAM_REQUIRED | TTQ2_CVM_REQUIRED) & 0xff;
  const offlineOnly = (ttq[ttqOff]! & TTQ1_OFFLINE_ONLY) !== 0;
  let online = false;
  // Rule 1.
  if (aid.contactlessTransactionLimit !== null && amount >= aid.contactlessTransactionLimit) return Reason.AmountOverContactlessLimit;
  // Rule 4.
  if (amount === 0) {
    if (aid.zeroAmount === 'try-another-interface' || (aid.zeroAmount === 'online' && offlineOnly)) return Reason.ZeroAmount;
    if (aid.zeroAmount === 'online') online = true;
  }
  // Rule 2 (floor limit) and the EC terminal transaction limit 9F7B (§1.6, §1.10).
  if (aid.floorLimit !== null && amount >= aid.floorLimit) online = true;
  if (aid.ecTerminalLimit !== null && amount >= aid.ecTerminalLimit) online = true;
  // Rule 5: status check = exactly one currency unit.
  if (aid.statusCheck && amount === 10 ** currencyExponent) online = true;
  if (online) ttq[ttqOff + 1] = ttq[ttqOff + 1]! | TTQ2_ONLINE_CRYPTOGRAM_REQUIRED;
  // Rule 3.
  if (aid.cvmLimit !== null && amount >= aid.cvmLimit) ttq[ttqOff + 1] = ttq[ttqOff + 1]! | TTQ2_CVM_REQUIRED;
  return Reason.None;
}
