/**
 * Expected vs actual for one tap: the first difference, in the order a reader of the report needs it —
 * the card script's own check (a recorded C-APDU that was not sent), then the C-APDUs exchange by
 * exchange, then the outcome fields. Only fields the case states are compared.
 */
import type { Expectation } from './case.js';
import type { ActualResult, ExchangeRecord } from './runner.js';

export type Difference = {
  /** Tap index (0-based) within the case. */
  tap: number;
  /** Exchange index (0-based) the difference is at, or null for an outcome field. */
  exchange: number | null;
  /** 'apdu', 'apduCount', 'card-script' or an expectation field name. */
  field: string;
  expected: string;
  actual: string;
  /** One line for people: what differs, where. */
  message: string;
};

const FIELDS = ['outcome', 'reason', 'cryptogram', 'tvr', 'tsi', 'atc', 'balanceAfter', 'balanceBefore', 'torn', 'signatureRequired', 'onlinePinRequired', 'aid', 'odaFailure', 'apduCount', 'fare', 'charged', 'rule'] as const;

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : String(v));

export function diffTap(
  tap: number,
  expect: Expectation,
  actual: ActualResult,
  log: readonly ExchangeRecord[],
  mismatch: { index: number; expected: string; actual: string } | null,
): Difference | null {
  const at = (i: number) => `tap ${tap + 1}, exchange ${i + 1} (${log[i]?.command ?? 'no exchange'})`;
  if (mismatch)
    return { tap, exchange: mismatch.index, field: 'card-script', expected: mismatch.expected, actual: mismatch.actual, message: `${at(mismatch.index)}: the terminal sent ${mismatch.actual}, the recorded card expects ${mismatch.expected}` };
  if (expect.apdus) {
    const n = Math.max(expect.apdus.length, actual.apdus.length);
    for (let i = 0; i < n; i++) {
      const e = expect.apdus[i];
      const a = actual.apdus[i];
      if (e === a) continue;
      if (a === undefined) return { tap, exchange: i, field: 'apdu', expected: e!, actual: '(not sent)', message: `tap ${tap + 1}, exchange ${i + 1}: expected C-APDU ${e} but the terminal stopped after ${actual.apdus.length} exchanges` };
      if (e === undefined) return { tap, exchange: i, field: 'apdu', expected: '(none)', actual: a, message: `${at(i)}: the terminal sent ${a} after the ${expect.apdus.length} expected exchanges` };
      let j = 0;
      while (j < e.length && e[j] === a[j]) j++;
      return { tap, exchange: i, field: 'apdu', expected: e, actual: a, message: `${at(i)}: C-APDU differs at byte ${j >> 1}: expected ${e}, sent ${a}` };
    }
  }
  for (const f of FIELDS) {
    if (expect[f] === undefined) continue;
    const e = expect[f];
    const a = actual[f];
    if (e === a) continue;
    return { tap, exchange: null, field: f, expected: show(e), actual: show(a), message: `tap ${tap + 1}, after ${log.length} exchanges: ${f} expected ${show(e)}, got ${show(a)}` };
  }
  return null;
}
