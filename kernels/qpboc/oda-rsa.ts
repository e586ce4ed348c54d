/**
 * Adapter from the kernel's OdaProvider to the RSA ODA engine (kernels/oda RsaOda + CapkStore):
 * points the engine's input slices at the kernel's tag stores and runs SDA or fDDA (EMV Book 2 §5/§6,
 * qpboc-facts §1.11). SM data (formats 12–15) go to an optional SM provider. Allocation-free per tap
 * apart from what the RSA engine itself does (measured in bench/oda.bench.ts).
 */
import type { TagStore } from '../emv/tag-store.js';
import { CapkStore } from '../oda/capk.js';
import { RsaOda, type RsaOdaOptions, type Slice } from '../oda/cert.js';
import { OdaMethod as RsaMethod, OdaReason, odaReasonText } from '../oda/cert-reasons.js';
import { KernelOdaMethod, type OdaProvider, type OdaRequest } from './oda.js';

/** Reason code (above the RSA engine's range) when SM data arrive and no SM engine is configured. */
export const ODA_NO_SM_ENGINE = 1000;

function point(slice: Slice, store: TagStore, tag: number): void {
  const off = store.offset(tag);
  if (off >= 0) slice.set(store.buf, off, store.length(tag));
  else slice.clear();
}

export class RsaOdaProvider implements OdaProvider {
  readonly engine: RsaOda;

  constructor(
    readonly capks: CapkStore,
    options: RsaOdaOptions & { sm?: OdaProvider | null } = {},
  ) {
    this.engine = new RsaOda(options);
    this.sm = options.sm ?? null;
  }

  /** Engine for SM2/SM3 data (PBOC SM formats 12–15); null = SM data fail ODA. */
  sm: OdaProvider | null;

  authenticate(req: OdaRequest): number {
    if (req.sm) return this.sm === null ? ODA_NO_SM_ENGINE : this.sm.authenticate(req);
    const e = this.engine;
    const card = req.card;
    const term = req.terminal;
    e.reset();
    if (req.panLength > 0) e.pan.set(req.pan, 0, req.panLength);
    point(e.issuerCert, card, 0x90);
    point(e.issuerRemainder, card, 0x92);
    point(e.issuerExponent, card, 0x9f32);
    point(e.iccCert, card, 0x9f46);
    point(e.iccRemainder, card, 0x9f48);
    point(e.iccExponent, card, 0x9f47);
    point(e.ssad, card, 0x93);
    point(e.sdad, card, 0x9f4b);
    point(e.cardAuthData, card, 0x9f69);
    point(e.unpredictableNumber, term, 0x9f37);
    point(e.amount, term, 0x9f02);
    point(e.currency, term, 0x5f2a);
    e.staticData.set(req.staticData, 0, req.staticDataLength);
    if (req.method === KernelOdaMethod.Dda) e.terminalDynamicData.set(req.ddolData, 0, req.ddolDataLength);
    e.transactionDate = req.transactionDate;
    // CA public key: RID = first 5 bytes of the AID, index = 8F (Book 2 §5.2).
    const index = card.byte(0x8f);
    const capk = index < 0 || req.aidLength < 5 ? null : this.capks.lookup(req.aid, 0, index);
    if (capk === null) return OdaReason.CapkNotFound;
    const method = req.method === KernelOdaMethod.Sda ? RsaMethod.SDA : req.method === KernelOdaMethod.Dda ? RsaMethod.DDA : RsaMethod.FDDA;
    return e.authenticate(method, capk);
  }

  reasonText(code: number): string {
    if (code === ODA_NO_SM_ENGINE) return 'SM data, no SM engine configured';
    if (code >= 2000 && this.sm !== null) return this.sm.reasonText(code);
    return odaReasonText(code);
  }
}
