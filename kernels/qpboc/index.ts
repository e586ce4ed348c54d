/** The QuickPass (qPBOC) kernel: sans-I/O state machine, outcomes and reasons, extension points. */
export { QuickPassKernel, KernelFailure, kernelFailureOf, RX_SIZE } from './kernel.js';
export type { Transaction, KernelOptions, KernelFailureCode } from './kernel.js';
export {
  Action, Outcome, Reason, Cryptogram, REASONS, OUTCOME_NAMES, CRYPTOGRAM_NAMES, reasonName, outcomeName,
} from './outcome.js';
export type { ActionCode, OutcomeCode, ReasonCode, ReasonInfo, CryptogramCode } from './outcome.js';
export type { KernelHook } from './hook.js';
export { KernelOdaMethod } from './oda.js';
export type { OdaProvider, OdaRequest, KernelOdaMethodCode } from './oda.js';
export type { KernelParams, AidConfig, DenyList, ZeroAmountHandling } from './params.js';
export {
  preprocess, TTQ1_OFFLINE_ONLY, TTQ1_CONTACT_SUPPORTED, TTQ1_SIGNATURE_SUPPORTED, TTQ2_CVM_REQUIRED, TTQ2_ONLINE_CRYPTOGRAM_REQUIRED,
} from './preprocess.js';
export { buildSelectPpse, buildSelectAid, buildReadRecord, buildGetData, beginGpo, finishGpo, MAX_CAPDU } from './apdu.js';
export { RsaOdaProvider, ODA_NO_SM_ENGINE } from './oda-rsa.js';
export { SmOdaProvider, SM_CODE_BASE } from './oda-sm.js';
