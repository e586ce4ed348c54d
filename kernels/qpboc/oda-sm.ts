/**
 * Adapter from the kernel's OdaProvider to the SM2/SM3 ODA functions (kernels/oda sm-cert.ts,
 * JR/T 0025.17; qpboc-facts §3.1): SM issuer certificate (12) with the SM CA key, then SSAD (13) for
 * SDA, or the ICC certificate (14) and SDAD (15) for fDDA / DDA. Use it as `RsaOdaProvider`'s `sm`
 * engine, or alone for SM-only terminals.
 */
import type { TagStore } from '../emv/tag-store.js';
import { SmCapkStore, smCapkExpired, type SmRevocationList } from '../oda/sm-capk.js';
import {
  SmFailure, SmIssuerKeyCache, SmOdaContext, verifySmIccCertificate, verifySmIssuerCertificate, verifySmSdad, verifySmSsad,
  type SmFailureReason,
} from '../oda/sm-cert.js';
import { KernelOdaMethod, type OdaProvider, type OdaRequest } from './oda.js';

/** SM reason codes: SM_CODE_BASE + index in SM_FAILURES (+ the two kernel-side ones below). */
export const SM_CODE_BASE = 2000;
const SM_FAILURES: readonly SmFailureReason[] = [
  SmFailure.MissingData, SmFailure.Length, SmFailure.Format, SmFailure.Algorithm, SmFailure.KeyLength, SmFailure.Signature,
  SmFailure.IssuerId, SmFailure.Pan, SmFailure.BadDate, SmFailure.Expired, SmFailure.Revoked, SmFailure.BadKey,
  SmFailure.DynamicData, SmFailure.NoKey,
];
const SM_CAPK_NOT_FOUND = SM_CODE_BASE + 100;
const SM_CAPK_EXPIRED = SM_CODE_BASE + 101;

function codeOf(f: SmFailureReason | null): number {
  if (f === null) return 0;
  for (let i = 0; i < SM_FAILURES.length; i++) if (SM_FAILURES[i] === f) return SM_CODE_BASE + i;
  return SM_CODE_BASE + 99;
}

export class SmOdaProvider implements OdaProvider {
  readonly ctx = new SmOdaContext();
  /** fDDA 01 terminal dynamic data: 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 (qpboc-facts §1.11). */
  private readonly tdd = new Uint8Array(64);

  constructor(
    readonly capks: SmCapkStore,
    options: { revocation?: SmRevocationList | null; issuerCache?: SmIssuerKeyCache | null } = {},
  ) {
    this.ctx.revocation = options.revocation ?? null;
    this.ctx.issuerCache = options.issuerCache === undefined ? new SmIssuerKeyCache() : options.issuerCache;
  }

  authenticate(req: OdaRequest): number {
    const ctx = this.ctx;
    const card = req.card;
    ctx.resetOutputs();
    const index = card.byte(0x8f);
    ctx.capk = index < 0 || req.aidLength < 5 ? null : this.capks.get(req.aid, 0, index);
    if (ctx.capk === null) return SM_CAPK_NOT_FOUND;
    // sm-cert.ts takes the transaction date as YYMMDD (e.g. 261127).
    ctx.transactionDate = req.transactionDate % 1000000;
    if (smCapkExpired(ctx.capk, ctx.transactionDate)) return SM_CAPK_EXPIRED;
    ctx.setPan(req.pan, 0, req.panLength);
    const b = card.buf;
    if (!card.has(0x90)) return codeOf(SmFailure.MissingData);
    let f = verifySmIssuerCertificate(ctx, b, card.offset(0x90), card.length(0x90));
    if (f !== null) return codeOf(f);
    if (req.method === KernelOdaMethod.Sda) {
      if (!card.has(0x93)) return codeOf(SmFailure.MissingData);
      return codeOf(verifySmSsad(ctx, b, card.offset(0x93), card.length(0x93), req.staticData, 0, req.staticDataLength));
    }
    if (!card.has(0x9f46) || !card.has(0x9f4b)) return codeOf(SmFailure.MissingData);
    f = verifySmIccCertificate(ctx, b, card.offset(0x9f46), card.length(0x9f46), req.staticData, 0, req.staticDataLength);
    if (f !== null) return codeOf(f);
    let tddLen: number;
    if (req.method === KernelOdaMethod.Dda) {
      for (let i = 0; i < req.ddolDataLength; i++) this.tdd[i] = req.ddolData[i]!;
      tddLen = req.ddolDataLength;
    } else tddLen = this.fddaTerminalData(card, req.terminal);
    if (tddLen < 0) return codeOf(SmFailure.MissingData);
    return codeOf(verifySmSdad(ctx, b, card.offset(0x9f4b), card.length(0x9f4b), this.tdd, 0, tddLen));
  }

  /** fDDA 00: 9F37; fDDA 01 (the card sent 9F69): 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 (qpboc-facts §1.11). */
  private fddaTerminalData(card: TagStore, terminal: TagStore): number {
    let n = terminal.copyTo(0x9f37, this.tdd, 0);
    if (n < 0) return -1;
    const cad = card.length(0x9f69);
    if (cad < 0) return n;
    if (cad > 40) return -1;
    n += terminal.copyTo(0x9f02, this.tdd, n);
    n += terminal.copyTo(0x5f2a, this.tdd, n);
    n += card.copyTo(0x9f69, this.tdd, n);
    return n;
  }

  reasonText(code: number): string {
    if (code === SM_CAPK_NOT_FOUND) return 'sm: no SM CA public key for RID + index';
    if (code === SM_CAPK_EXPIRED) return 'sm: SM CA public key expired';
    const f = SM_FAILURES[code - SM_CODE_BASE];
    return f === undefined ? `sm: error ${code}` : `sm: ${f}`;
  }
}
