/**
 * What the kernel asks for (Action), how a tap ends (Outcome) and why (Reason). Numeric constants
 * so the state machine compares small integers (DESIGN.md "states are numeric constants"); the
 * string forms are for logs, journals and the CLI.
 */

/** What the caller must do next. */
export const Action = {
  /** Nothing started yet (before `begin`). */
  Idle: 0,
  /** Send `tx[0, txLen)` to the card, put the response in `rx` and call `receive(n)`. */
  Transmit: 1,
  /** The tap is over: read `outcome`, `reason` and the outcome data. */
  Done: 2,
} as const;
export type ActionCode = (typeof Action)[keyof typeof Action];

/** How a tap ends (DESIGN.md "Outcomes"; EMV Book A §6.2 outcome names). */
export const Outcome = {
  None: 0,
  /** Offline approval (TC, records read, checks passed). */
  Approved: 1,
  Declined: 2,
  /** Send an authorisation request with `onlineData` (ARQC). */
  OnlineRequest: 3,
  /** Ask the cardholder to use the contact interface (or another card). */
  TryAnotherInterface: 4,
  /** The card left the field, or a phone needs its holder: tap again. */
  TryAgain: 5,
  /** Card error or unusable data. */
  EndApplication: 6,
} as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];

export const OUTCOME_NAMES = ['none', 'approved', 'declined', 'online-request', 'try-another-interface', 'try-again', 'end-application'] as const;

/** The cryptogram type the card returned (from 9F27 or CVR, qpboc-facts §1.7/§1.9). */
export const Cryptogram = { None: 0, AAC: 1, TC: 2, ARQC: 3 } as const;
export type CryptogramCode = (typeof Cryptogram)[keyof typeof Cryptogram];
export const CRYPTOGRAM_NAMES = ['none', 'AAC', 'TC', 'ARQC'] as const;

/**
 * Why a tap ended. One code per distinct cause; `REASONS[code]` gives the stable kebab-case name
 * and a description. Codes are indices into REASONS (kept in this order: append only).
 */
export const Reason = {
  None: 0,
  ApprovedOffline: 1,
  OnlineAuthorisation: 2,
  CardDeclined: 3,
  NoApplication: 4,
  PpseMalformed: 5,
  SelectFailed: 6,
  FciMalformed: 7,
  AmountOverContactlessLimit: 8,
  ZeroAmount: 9,
  GpoFailed: 10,
  GpoMalformed: 11,
  MissingMandatoryData: 12,
  DuplicateData: 13,
  TryAnotherInterfaceRequested: 14,
  SeePhone: 15,
  OnlineNotPossible: 16,
  AflInvalid: 17,
  RecordNotFound: 18,
  RecordFailed: 19,
  RecordMalformed: 20,
  ApplicationExpired: 21,
  ApplicationNotEffective: 22,
  ServiceNotAllowed: 23,
  DenyList: 24,
  OdaFailed: 25,
  CardRemoved: 26,
  HookFailed: 27,
  CashNotAllowed: 28,
  BadData: 29,
  ResponseTooShort: 30,
  OnlinePin: 31,
  ExpiredOnline: 32,
  OdaFailedOnline: 33,
  OdaFailedTryContact: 34,
  DataOverflow: 35,
  ReaderFault: 36,
  PdolWithoutTtq: 37,
  CurrencyMismatch: 38,
  NoCryptogramDecision: 39,
  AlreadyCharged: 40,
  TornCompleted: 41,
  ProfileDeclined: 42,
} as const;
export type ReasonCode = (typeof Reason)[keyof typeof Reason];

export interface ReasonInfo {
  readonly code: number;
  readonly name: string;
  readonly description: string;
}

/** Stable names and descriptions, indexed by Reason code. */
export const REASONS: readonly ReasonInfo[] = [
  { code: 0, name: 'none', description: 'No reason (tap not finished).' },
  { code: 1, name: 'approved-offline', description: 'The card returned a TC, the records were read and every terminal check passed.' },
  { code: 2, name: 'online-authorisation', description: 'The card asked for online authorisation (ARQC), or a terminal check requires it.' },
  { code: 3, name: 'card-declined', description: 'The card returned an AAC (offline decline).' },
  { code: 4, name: 'no-application', description: 'No application on the card matches an AID the terminal supports (or every candidate failed).' },
  { code: 5, name: 'ppse-malformed', description: 'The PPSE FCI could not be parsed (bad TLV or missing template).' },
  { code: 6, name: 'select-failed', description: 'SELECT returned an unexpected status word.' },
  { code: 7, name: 'fci-malformed', description: 'The application FCI could not be parsed.' },
  { code: 8, name: 'amount-over-contactless-limit', description: 'The amount is at or above the contactless transaction limit (qpboc-facts §1.6 rule 1).' },
  { code: 9, name: 'zero-amount', description: 'Zero amount on a reader configured to send such taps to another interface (§1.6 rule 4).' },
  { code: 10, name: 'gpo-failed', description: 'GET PROCESSING OPTIONS returned an error status word.' },
  { code: 11, name: 'gpo-malformed', description: 'The GPO response is not a valid format 1 (80) or format 2 (77) template.' },
  { code: 12, name: 'missing-mandatory-data', description: 'The GPO response lacks 82, 9F36, 57, 9F26 or 9F10 (qpboc-facts §1.7).' },
  { code: 13, name: 'duplicate-data', description: 'A data object arrived twice (EMV Book 3 §10.2: redundant primitive data).' },
  { code: 14, name: 'try-another-interface-requested', description: 'The card answered GPO with 6984 or has no qPBOC data: use contact.' },
  { code: 15, name: 'see-phone', description: 'The card (a phone) answered 6986: the holder must unlock or confirm, then tap again.' },
  { code: 16, name: 'online-not-possible', description: 'Online authorisation is needed but the reader is offline-only.' },
  { code: 17, name: 'afl-invalid', description: 'The AFL is malformed (qpboc-facts §1.7 AFL rules).' },
  { code: 18, name: 'record-not-found', description: 'READ RECORD returned 6A83 for a record listed in the AFL.' },
  { code: 19, name: 'record-failed', description: 'READ RECORD returned an error status word.' },
  { code: 20, name: 'record-malformed', description: 'A record is not a valid template 70.' },
  { code: 21, name: 'application-expired', description: 'The application is expired (5F24) and the card does not allow going online (CTQ 0x08).' },
  { code: 22, name: 'application-not-effective', description: 'The application is not yet effective (5F25).' },
  { code: 23, name: 'service-not-allowed', description: 'The Application Usage Control (9F07) forbids this transaction here.' },
  { code: 24, name: 'deny-list', description: 'The PAN + PSN is on the terminal deny list (exception file).' },
  { code: 25, name: 'oda-failed', description: 'Offline data authentication failed and the CTQ allows neither online nor contact.' },
  { code: 26, name: 'card-removed', description: 'The card left the field before the tap finished.' },
  { code: 27, name: 'hook-failed', description: 'A profile hook ended the tap.' },
  { code: 28, name: 'cash-not-allowed', description: 'CTQ asks for another interface for cash / cashback.' },
  { code: 29, name: 'bad-data', description: 'A data object has a wrong length or format (e.g. 5F24 not a date).' },
  { code: 30, name: 'response-too-short', description: 'The response had fewer than the 2 status bytes.' },
  { code: 31, name: 'online-pin', description: 'The card requires online PIN (CTQ 0x80): go online.' },
  { code: 32, name: 'expired-online', description: 'Application expired and CTQ 0x08 says go online.' },
  { code: 33, name: 'oda-failed-online', description: 'ODA failed and CTQ 0x20 says go online.' },
  { code: 34, name: 'oda-failed-try-contact', description: 'ODA failed and CTQ 0x10 says switch to contact.' },
  { code: 35, name: 'data-overflow', description: 'Card data exceeded the kernel buffers.' },
  { code: 36, name: 'reader-fault', description: 'The reader failed (not the card): the transaction did not complete.' },
  { code: 37, name: 'pdol-without-ttq', description: 'The PDOL does not ask for the TTQ 9F66: not a qPBOC application (qpboc-facts §1.4).' },
  { code: 38, name: 'currency-mismatch', description: 'The card approved offline in a currency (9F51) other than the transaction currency.' },
  { code: 39, name: 'no-cryptogram-decision', description: 'Neither 9F27 nor the CVR in 9F10 gives a usable cryptogram type.' },
  { code: 40, name: 'already-charged', description: 'The terminal charged this card within its anti-passback window: not charged again (ended by the terminal before the commit).' },
  { code: 41, name: 'torn-completed', description: "The card's earlier torn tap was found committed on the card: that charge stands, nothing is charged now." },
  { code: 42, name: 'profile-declined', description: 'The sector profile refused the tap (no valid entry record, unknown station, fare not computable).' },
];

/** The stable name of a reason code. */
export function reasonName(code: number): string {
  const r = REASONS[code];
  return r === undefined ? 'unknown' : r.name;
}

/** The stable name of an outcome code. */
export function outcomeName(code: number): string {
  return OUTCOME_NAMES[code] ?? 'unknown';
}
