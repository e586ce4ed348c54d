/**
 * Turns a recorded trace into a QA case whose expectation is the observed result: the trace is the
 * card (strict: every recorded C-APDU must be sent again), its inputs are the transaction, and the
 * result of replaying it is the expectation — so a masked trace (whose signed data no longer verify)
 * gets the outcome it really replays to.
 */
import type { Trace } from '../../hal/trace/format.js';
import { validateCase } from './case.js';
import { runCase, type ActualResult } from './runner.js';

export type CaseMeta = { id: string; title?: string; group?: string; covers?: string; terminal?: unknown; traceRef?: string };

/** The expectation block for an observed result (every field the format knows, plus the exact C-APDUs). */
export function expectationFrom(a: ActualResult): Record<string, unknown> {
  return {
    outcome: a.outcome, reason: a.reason, cryptogram: a.cryptogram, tvr: a.tvr, tsi: a.tsi, atc: a.atc, balanceAfter: a.balanceAfter,
    ...(a.torn ? { torn: true } : {}), ...(a.signatureRequired ? { signatureRequired: true } : {}), ...(a.onlinePinRequired ? { onlinePinRequired: true } : {}),
    ...(a.aid ? { aid: a.aid } : {}), ...(a.odaFailure ? { odaFailure: a.odaFailure } : {}),
    apduCount: a.apduCount, apdus: a.apdus,
  };
}

/**
 * A case (plain JSON object) for `trace`. Throws RangeError when the trace lacks the inputs that make it
 * replayable (amount, date, time, unpredictable number).
 */
export async function caseFromTrace(trace: Trace, meta: CaseMeta): Promise<{ case: Record<string, unknown>; actual: ActualResult }> {
  const i = trace.inputs;
  const missing = (['amount', 'date', 'time', 'unpredictableNumber'] as const).filter((k) => i[k] === undefined);
  if (missing.length) throw new RangeError(`trace: inputs.${missing.join(', inputs.')} missing: the tap cannot be replayed deterministically (record with --date/--time/--un)`);
  const raw: Record<string, unknown> = {
    id: meta.id,
    title: meta.title ?? `Recorded tap on ${trace.reader} at ${trace.startedAt}`,
    group: meta.group ?? 'recorded',
    covers: meta.covers ?? `real card trace (${trace.masked ? 'masked' : 'unmasked'})`,
    ...(meta.terminal !== undefined ? { terminal: meta.terminal } : {}),
    card: { trace: meta.traceRef ?? trace, atr: trace.atr },
    transaction: { amount: i.amount, date: i.date, time: i.time, unpredictableNumber: i.unpredictableNumber },
    expect: { outcome: 'none', reason: 'none' },
  };
  const result = await runCase(validateCase({ ...raw, card: { trace, atr: trace.atr } }, meta.id));
  if (result.status === 'error') throw new Error(`trace does not replay: ${result.error}`);
  const actual = result.taps[0]!.actual;
  raw.expect = expectationFrom(actual);
  return { case: raw, actual };
}
