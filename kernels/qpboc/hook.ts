/**
 * Profile extension points (DESIGN.md "Profiles plug into the kernel, not around it"). A hook
 * exchanges its own commands through the kernel's `tx`/`rx`: it is still sans-I/O and synchronous.
 *
 * Protocol for each step: the kernel calls the method with `responseLength = -1` first; the hook
 * either writes a C-APDU into `k.tx` and returns its length (> 0; the kernel sends it and calls the
 * method again with the R-APDU length in `k.rx`), returns 0 when it is done with the step, or returns
 * a negative number to end the tap (Outcome.EndApplication, reason `hook-failed`). To end the tap with a
 * chosen outcome instead (anti-passback, torn recovery, a profile's refusal), call `k.endTap(outcome,
 * reason)` and return 0.
 * Card removal during a hook's exchange is reported with `k.fail` as for any command. A hook that
 * throws is a programming error: the exception propagates out of `receive`/`begin`.
 */
import type { QuickPassKernel } from './kernel.js';

export interface KernelHook {
  /**
   * After final selection, before pre-processing and GPO: may READ CAPP DATA / GET DATA, then set the
   * amount (`k.setAmount`) and the CAPP transaction indicator (`k.setCappIndicator`, DF60).
   */
  beforeGpo?(k: QuickPassKernel, responseLength: number): number;
  /** After a GPO that returned TC, before READ RECORD: may send UPDATE CAPP DATA CACHE. */
  afterGpo?(k: QuickPassKernel, responseLength: number): number;
}
