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
// SM2/SM3 (PBOC national algorithms). Test-only signing (sm2Sign, sm2TestKeyPair) and sm-cert-builder.ts: import by path.
export { Sm3, sm3, SM3_DIGEST_LENGTH, SM3_BLOCK_LENGTH } from './sm3.js';
export { Sm2PublicKey, Sm2Point, SM2_CURVE, SM2_DEFAULT_USER_ID, computeZ, sm2Verify, sm2VerifyParts, sm2VerifyView, type Sm2PublicKeyInput } from './sm2.js';
export { SmCapkStore, SmRevocationList, smCapkExpired, type SmCapk, type SmCapkInput } from './sm-capk.js';
export {
  SmOdaContext, SmIssuerKeyCache, SmIssuerCertificate, SmIccCertificate, SmSignedDynamicData, SmFailure,
  verifySmIssuerCertificate, verifySmIccCertificate, verifySmSsad, verifySmSdad,
  SM_FORMAT_ISSUER, SM_FORMAT_SSAD, SM_FORMAT_ICC, SM_FORMAT_SDAD, SM_HASH_INDICATOR, SM_PK_ALGORITHM_INDICATOR,
  type SmFailureReason,
} from './sm-cert.js';
