/**
 * Result codes of RSA offline data authentication: a numeric reason (0 = ok), the stage it came
 * from, and the ODA method, so the kernel can set the TVR (EMV Book 3 §10.3, Annex C5) without
 * strings on the hot path. `odaReasonText` / `odaStageText` give the stable strings used by the
 * CLI and logs ("<stage>:<reason>").
 */

export const OdaReason = {
  Ok: 0,
  /** A mandatory data object is absent (90, 9F32, 5A, 9F46, 9F47, 93, 9F4B, static data, …). */
  DataMissing: 1,
  /** No CA public key for RID + index (Book 2 §5.2). */
  CapkNotFound: 2,
  /** The CA public key is past its expiry date. */
  CapkExpired: 3,
  /** Certificate / signed data length ≠ key modulus length (Book 2 §5.3 step 1). */
  LengthMismatch: 4,
  /** Signature ≥ modulus: not a valid RSA input. */
  SignatureOutOfRange: 5,
  /** Recovered data trailer ≠ BC (step 2). */
  BadTrailer: 6,
  /** Recovered data header ≠ 6A (step 3). */
  BadHeader: 7,
  /** Certificate format ≠ 02/04, 03, 05 (step 4). */
  BadFormat: 8,
  /** Hash algorithm indicator ≠ 01 (SHA-1). */
  UnsupportedHashAlgorithm: 9,
  /** Public key algorithm indicator ≠ 01 (RSA) (step 11). */
  UnsupportedPkAlgorithm: 10,
  /** N_I > N_CA − 36 (N_IC > N_I − 42) and the remainder 92 (9F48) is absent. */
  RemainderMissing: 11,
  /** Remainder length does not complete the key, or the recovered key is unusable. */
  BadKeyLength: 12,
  /** Recovered hash ≠ SHA-1 of the signed data (steps 5–7). */
  HashMismatch: 13,
  /** Issuer identifier ≠ leftmost PAN digits (step 8). */
  IssuerIdMismatch: 14,
  /** Certificate expiration date (end of month MMYY) before the transaction date (step 9). */
  CertificateExpired: 15,
  /** Certificate expiration date is not a valid BCD MMYY. */
  InvalidExpiryDate: 16,
  /** RID ‖ CA index ‖ certificate serial is on the revocation list (step 10). */
  CertificateRevoked: 17,
  /** Public key exponent is not 3 or 65537. */
  UnsupportedExponent: 18,
  /** Recovered PAN ≠ 5A (Book 2 §6.4 step 8). */
  PanMismatch: 19,
  /** L_DD or the ICC Dynamic Number length does not fit the signed data. */
  BadDynamicDataLength: 20,
  /** CDA: CID in the signed data ≠ 9F27 (Book 2 §6.6.2 step 5). */
  CidMismatch: 21,
  /** CDA: Transaction Data Hash Code ≠ SHA-1 of the transaction data (§6.6.2 step 10). */
  TransactionDataHashMismatch: 22,
  /** A step was run before the key it needs was recovered (programming order error). */
  KeyNotAvailable: 23,
} as const;
export type OdaReasonCode = (typeof OdaReason)[keyof typeof OdaReason];

const REASON_TEXT = [
  'ok',
  'data-missing',
  'capk-not-found',
  'capk-expired',
  'length-mismatch',
  'signature-out-of-range',
  'bad-trailer',
  'bad-header',
  'bad-format',
  'unsupported-hash-algorithm',
  'unsupported-pk-algorithm',
  'remainder-missing',
  'bad-key-length',
  'hash-mismatch',
  'issuer-id-mismatch',
  'certificate-expired',
  'invalid-expiry-date',
  'certificate-revoked',
  'unsupported-exponent',
  'pan-mismatch',
  'bad-dynamic-data-length',
  'cid-mismatch',
  'transaction-data-hash-mismatch',
  'key-not-available',
] as const;

/** The stable reason string for a code. */
export function odaReasonText(code: number): string {
  return REASON_TEXT[code] ?? `unknown-${code}`;
}

export const OdaStage = { None: 0, Capk: 1, Issuer: 2, Icc: 3, Ssad: 4, Sdad: 5 } as const;
const STAGE_TEXT = ['none', 'capk', 'issuer', 'icc', 'ssad', 'sdad'] as const;
export function odaStageText(stage: number): string {
  return STAGE_TEXT[stage] ?? `unknown-${stage}`;
}

/** ODA methods. fDDA is DDA for the TVR. */
export const OdaMethod = { SDA: 1, DDA: 2, FDDA: 3, CDA: 4 } as const;
export type OdaMethodCode = (typeof OdaMethod)[keyof typeof OdaMethod];

/** TVR byte 1 bits (EMV Book 3 Annex C5). */
export const TVR1_ODA_NOT_PERFORMED = 0x80;
export const TVR1_SDA_FAILED = 0x40;
export const TVR1_ICC_DATA_MISSING = 0x20;
export const TVR1_DDA_FAILED = 0x08;
export const TVR1_CDA_FAILED = 0x04;

/**
 * The TVR byte-1 bits a failure implies: the method's "failed" bit, plus "ICC data missing" when a
 * data object was absent (Book 3 §10.3). 0 for Ok.
 */
export function odaTvrByte1(method: number, reason: number): number {
  if (reason === OdaReason.Ok) return 0;
  const failed = method === OdaMethod.SDA ? TVR1_SDA_FAILED : method === OdaMethod.CDA ? TVR1_CDA_FAILED : TVR1_DDA_FAILED;
  return reason === OdaReason.DataMissing ? failed | TVR1_ICC_DATA_MISSING : failed;
}
