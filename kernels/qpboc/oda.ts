/**
 * The kernel's view of offline data authentication: a small interface so the kernel compiles and is
 * testable on its own; the RSA engine (kernels/oda) and the SM2/SM3 engine plug in through adapters.
 * Calls are synchronous and must not throw on card data (a bad certificate is a result, not an error).
 */
import type { TagStore } from '../emv/tag-store.js';

/** Which ODA the kernel asks for (qpboc-facts §1.11, EMV Book 2). */
export const KernelOdaMethod = {
  /** fDDA (qPBOC): SDAD 9F4B produced at GPO, dynamic data per §1.11 (version 00 or 01). */
  Fdda: 1,
  /** SDA: SSAD 93 over the static data (Book 2 §5). */
  Sda: 2,
  /** DDA: SDAD 9F4B from INTERNAL AUTHENTICATE over the DDOL data (Book 2 §6.5). */
  Dda: 3,
} as const;
export type KernelOdaMethodCode = (typeof KernelOdaMethod)[keyof typeof KernelOdaMethod];

/** Everything an ODA engine needs, owned by the kernel (preallocated, refilled per tap). */
export interface OdaRequest {
  method: KernelOdaMethodCode;
  /** True when the card's data are SM (PBOC SM certificates, formats 12–15) rather than RSA. */
  sm: boolean;
  /** Card data (GPO response and records): 8F, 90, 9F32, 92, 9F46, 9F47, 9F48, 9F4B, 93, 5A, 9F69, 82 … */
  card: TagStore;
  /** Terminal data: 9F37, 9F02, 5F2A, 9A … */
  terminal: TagStore;
  /** RID of the selected application (first 5 bytes of `aid`). */
  aid: Uint8Array;
  aidLength: number;
  /** PAN in 5A form (from 5A, else track 2), `pan[0, panLength)`. */
  pan: Uint8Array;
  panLength: number;
  /** Static data to be authenticated (Book 2 §5.4 / qpboc-facts §2.6). */
  staticData: Uint8Array;
  staticDataLength: number;
  /** DDA: the DDOL data sent in INTERNAL AUTHENTICATE (`ddolData[0, ddolDataLength)`). */
  ddolData: Uint8Array;
  ddolDataLength: number;
  /** Transaction date yyyymmdd (certificate expiry checks). */
  transactionDate: number;
}

export interface OdaProvider {
  /** 0 when authentication succeeded, else a provider reason code (> 0). */
  authenticate(req: OdaRequest): number;
  /** Human-readable text for a provider reason code (for logs; may allocate). */
  reasonText(code: number): string;
}
