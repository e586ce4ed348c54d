/**
 * kernels/oda: offline data authentication. RSA (SDA, DDA, fDDA, CDA; CAPK store) below; the SM2/SM3
 * variants are appended by their modules. Append-only: add lines, don't reorder.
 */
export { Sha1, sha1 } from './sha1.js';
export { RsaEngine, RsaKey, limbsFor } from './rsa.js';
export { bytesToBigInt, bigIntToBytes, modPow, rsaRecoverBigInt } from './rsa-bigint.js';
export { CapkStore, CapkEntry, RevocationList, capkChecksum, parseExpiry, type CapkInput } from './capk.js';
export { IssuerKeyCache, IssuerCacheSlot } from './cert-cache.js';
export { RsaOda, Slice, SdadKind, bcdDateToNumber, checkExpiry, issuerIdMatchesPan, panEquals, type RsaOdaOptions } from './cert.js';
export {
  OdaReason, OdaStage, OdaMethod, odaReasonText, odaStageText, odaTvrByte1,
  TVR1_ODA_NOT_PERFORMED, TVR1_SDA_FAILED, TVR1_ICC_DATA_MISSING, TVR1_DDA_FAILED, TVR1_CDA_FAILED,
  type OdaReasonCode, type OdaMethodCode,
} from './cert-reasons.js';
export { recoverIssuerPublicKey, recoverIccPublicKey, verifySignedStaticData, verifySignedDynamicData, type OdaStepResult, type PublicKey } from './cert-simple.js';
// The test certificate builder (rsa-cert-builder.ts) is deliberately not exported here: import it by path.
