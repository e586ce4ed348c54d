/**
 * Status words the virtual card answers (ISO 7816-4 §5.1.3; qPBOC/extended-app values from the
 * facts sheet §1.2, §4.3).
 */
export const SW = {
  OK: 0x9000,
  /** Selected application blocked (facts §1.2: "6283 = application blocked"). */
  APP_BLOCKED: 0x6283,
  WRONG_LENGTH: 0x6700,
  /** Extended app: the cached UPDATE does not match the last READ CAPP DATA at commit (facts §4.3). */
  CAPP_MISMATCH: 0x6974,
  CAPP_TOO_MANY_PREAUTHS: 0x6971,
  CAPP_CONSECUTIVE_PREAUTH: 0x6972,
  CAPP_NO_PREAUTH: 0x6973,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** Command not allowed; the phone wallet answers GPO with it while locked. */
  COMMAND_NOT_ALLOWED: 0x6986,
  /** Secure messaging data object incorrect: the extended app's MAC error (facts §4.3). */
  MAC_ERROR: 0x6988,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_SPACE: 0x6a84,
  WRONG_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  /** GET TRANS PROVE for an ATC the card never committed (facts §4.3). */
  UNKNOWN_ATC: 0x9406,
} as const;
