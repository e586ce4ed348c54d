/**
 * Processing restrictions (EMV Book 3 §10.4; qpboc-facts §1.11/§1.12): application dates, usage
 * control, application version, currency. Each check sets its TVR bit and returns a Reason for the
 * kernel to act on (Reason.None = passed). Allocation-free.
 */
import type { TagStore } from '../emv/tag-store.js';
import { readAmount, readYymmdd } from '../emv/bcd.js';
import {
  setBit,
  TVR_APP_NOT_YET_EFFECTIVE,
  TVR_EXPIRED_APPLICATION,
  TVR_ICC_EMV_APP_VERSIONS_DIFFER,
  TVR_SERVICE_NOT_ALLOWED,
} from '../emv/tvr.js';
import { Reason } from './outcome.js';

/**
 * Effective date 5F25 and expiry date 5F24 against the transaction date (Book 3 §10.4.3). Returns
 * Reason.ApplicationNotEffective, Reason.ApplicationExpired, Reason.BadData (a date that is not a
 * date) or Reason.None. Expiry is checked last so that an expired card reports "expired" (the CTQ
 * 0x08 rule applies to it).
 */
export function checkDates(card: TagStore, txnDate: number, tvr: Uint8Array): number {
  const b = card.buf;
  let result: number = Reason.None;
  const effOff = card.offset(0x5f25);
  if (effOff >= 0) {
    if (card.length(0x5f25) !== 3) return Reason.BadData;
    const eff = readYymmdd(b, effOff);
    if (eff < 0) return Reason.BadData;
    if (txnDate < eff) {
      setBit(tvr, 0, TVR_APP_NOT_YET_EFFECTIVE);
      result = Reason.ApplicationNotEffective;
    }
  }
  const expOff = card.offset(0x5f24);
  if (expOff >= 0) {
    if (card.length(0x5f24) !== 3) return Reason.BadData;
    const exp = readYymmdd(b, expOff);
    if (exp < 0) return Reason.BadData;
    // "Expired" = transaction date after the expiry date (the card is valid on its expiry date).
    if (txnDate > exp) {
      setBit(tvr, 0, TVR_EXPIRED_APPLICATION);
      if (result === Reason.None) result = Reason.ApplicationExpired;
    }
  }
  return result;
}

/** AUC 9F07 byte 1 bits (Book 3 Annex C2). */
const AUC_DOMESTIC_GOODS = 0x20;
const AUC_INTERNATIONAL_GOODS = 0x10;
const AUC_DOMESTIC_SERVICES = 0x08;
const AUC_INTERNATIONAL_SERVICES = 0x04;
const AUC_NOT_ATM = 0x01;

/**
 * Application Usage Control (Book 3 §10.4.2), only when the card sent both 9F07 and 5F28 (issuer
 * country). A purchase (9C 00) is valid when the domestic/international goods or services bit is set,
 * and — the terminal not being an ATM — "valid at terminals other than ATMs". Sets TVR "requested
 * service not allowed" and returns Reason.ServiceNotAllowed on failure.
 */
export function checkUsageControl(card: TagStore, terminalCountry: number, tvr: Uint8Array): number {
  const aucOff = card.offset(0x9f07);
  const ctryOff = card.offset(0x5f28);
  if (aucOff < 0 || ctryOff < 0 || card.length(0x9f07) < 2 || card.length(0x5f28) !== 2) return Reason.None;
  const auc1 = card.buf[aucOff]!;
  const issuerCountry = readAmount(card.buf, ctryOff, 2);
  const domestic = issuerCountry === terminalCountry;
  const mask = domestic ? AUC_DOMESTIC_GOODS | AUC_DOMESTIC_SERVICES : AUC_INTERNATIONAL_GOODS | AUC_INTERNATIONAL_SERVICES;
  if ((auc1 & mask) === 0 || (auc1 & AUC_NOT_ATM) === 0) {
    setBit(tvr, 0, TVR_SERVICE_NOT_ALLOWED);
    return Reason.ServiceNotAllowed;
  }
  return Reason.None;
}

/**
 * Application version (Book 3 §10.4.1): card 9F08 differs from the terminal's 9F09 → TVR bit only
 * (terminal action analysis decides; qPBOC readers approve regardless).
 */
export function checkAppVersion(card: TagStore, terminalVersion: Uint8Array, tvr: Uint8Array): void {
  const off = card.offset(0x9f08);
  if (off < 0 || card.length(0x9f08) !== 2) return;
  if (card.buf[off] !== terminalVersion[0] || card.buf[off + 1] !== terminalVersion[1]) setBit(tvr, 0, TVR_ICC_EMV_APP_VERSIONS_DIFFER);
}

/**
 * Currency (qpboc-facts §1.10): a card that approves offline in a currency other than the
 * transaction's (9F51 application currency code ≠ 5F2A) has violated the EC rule; the kernel does not
 * accept such an approval. Returns Reason.CurrencyMismatch or Reason.None.
 */
export function checkCurrency(card: TagStore, currency: number): number {
  const off = card.offset(0x9f51);
  if (off < 0 || card.length(0x9f51) !== 2) return Reason.None;
  return readAmount(card.buf, off, 2) === currency ? Reason.None : Reason.CurrencyMismatch;
}
