/**
 * The terminal parameters the kernel reads. Defined here (kernels import nothing from src/); the
 * validated `TerminalConfig` of src/config is exactly this shape plus the CA keys.
 */

/** What the kernel does with a zero amount (qpboc-facts §1.6 rule 4). */
export type ZeroAmountHandling =
  /** Online-capable reader: set "online cryptogram required" (TTQ byte 2 b8). */
  | 'online'
  /** Send the card to another interface (the offline-only reader's rule). */
  | 'try-another-interface'
  /** Zero amounts are normal here (e.g. a transit entry tap): no special handling. */
  | 'allow';

export interface AidConfig {
  /** The AID (5–16 bytes). */
  aid: Uint8Array;
  /** Accept card AIDs that start with `aid` (EMV Book 1 §12.3.1 partial selection). */
  partialMatch: boolean;
  /** Terminal application version number 9F09 (2 bytes) compared with the card's 9F08. */
  appVersion: Uint8Array;
  /** DF20: amount ≥ this → contactless not allowed (minor units); null = no limit. */
  contactlessTransactionLimit: number | null;
  /** DF19: amount ≥ this → online cryptogram required; null = no floor limit check. */
  floorLimit: number | null;
  /** DF21: amount ≥ this → CVM required; null = never. */
  cvmLimit: number | null;
  /** 9F7B: EC terminal transaction limit; amount ≥ this → online cryptogram required; null = none. */
  ecTerminalLimit: number | null;
  /** Status check: an amount of one currency unit forces online (§1.6 rule 5). */
  statusCheck: boolean;
  /** Zero amount rule (§1.6 rule 4). */
  zeroAmount: ZeroAmountHandling;
}

/** Terminal exception file check (qpboc-facts §1.11: PAN + PAN sequence number). */
export interface DenyList {
  /**
   * `pan[panOff, panOff+panLen)` is the PAN in 5A form (BCD, F-padded); `psn` is the 5F34 value, or -1
   * when the card sent none. Called once per offline tap: must not throw; should not allocate.
   */
  isDenied(pan: Uint8Array, panOff: number, panLen: number, psn: number): boolean;
}

export interface KernelParams {
  aids: AidConfig[];
  /** TTQ 9F66 base value (4 bytes); the kernel resets byte 2 b8/b7 every transaction (§1.6 rule 6). */
  ttq: Uint8Array;
  /** 9F1A terminal country code, numeric (e.g. 156). */
  countryCode: number;
  /** 5F2A transaction currency code, numeric (e.g. 156). */
  currencyCode: number;
  /** 5F36 currency exponent: one currency unit = 10^exponent minor units (status check). */
  currencyExponent: number;
  /** 9F35 terminal type. */
  terminalType: number;
  /** 9F33 terminal capabilities (3 bytes). */
  capabilities: Uint8Array;
  /** 9F40 additional terminal capabilities (5 bytes). */
  additionalCapabilities: Uint8Array;
  /** Offline-only reader: TTQ byte 1 b4 set; an ARQC cannot be sent online. */
  offlineOnly: boolean;
  /** The terminal supports SM2/SM3/SM4: DF69 = 01 in the PDOL. */
  smSupported: boolean;
  /** The terminal also supports contact PBOC (TryAnotherInterface is meaningful). */
  contactSupported: boolean;
  /** Minutes east of UTC used to derive 9A/9F21 from the clock (480 = China Standard Time). */
  timezoneOffsetMinutes: number;
  denyList?: DenyList;
}
