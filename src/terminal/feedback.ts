/**
 * Passenger feedback for a tap: LED colour, buzzer pattern and display lines, shown through the
 * reader's optional capabilities when it has them (hal/transport.ts), and always as an event.
 */
import { hasBuzzer, hasDisplay, hasLed, type Reader } from '../../hal/transport.js';
import { Outcome, Reason, REASONS } from '../../kernels/qpboc/index.js';
import { yuan } from '../profiles/capp-profile.js';
import type { Feedback, TapResult } from './events.js';

/** What the passenger sees and hears for `tap`. */
export function feedbackFor(tap: TapResult, reasonCode: number): Feedback {
  const balance = tap.balance >= 0 ? `Balance ${yuan(tap.balance)}` : '';
  const lines = (first: string, second = balance): string[] => (second ? [first, second] : [first]);
  if (reasonCode === Reason.TornCompleted) return { led: 'green', beep: 'ok', lines: lines('Paid (earlier tap)') };
  if (reasonCode === Reason.AlreadyCharged) return { led: 'yellow', beep: 'attention', lines: lines('Already paid') };
  if (tap.outcome === Outcome.Approved) {
    const shown = tap.display || `Paid ${yuan(tap.charged)}`;
    return { led: 'green', beep: 'ok', lines: lines(shown, /balance/i.test(shown) ? '' : balance) };
  }
  if (tap.outcome === Outcome.TryAgain) return { led: 'yellow', beep: 'attention', lines: ['Please tap again', 'Hold the card still'] };
  if (tap.outcome === Outcome.TryAnotherInterface) return { led: 'red', beep: 'error', lines: ['Card not accepted here', 'Use another card'] };
  const why = tap.display || REASONS[reasonCode]?.description.split(/[.:(]/)[0] || tap.reason;
  return { led: 'red', beep: 'error', lines: ['Not accepted', why.length > 40 ? `${why.slice(0, 39)}…` : why] };
}

/** Shows `fb` on the reader's LED / buzzer / display, when it has them. Rejects with the first failure. */
export async function showFeedback(reader: Reader, fb: Feedback): Promise<void> {
  const jobs: Promise<void>[] = [];
  if (hasLed(reader)) jobs.push(reader.setLed(fb.led));
  if (hasBuzzer(reader)) jobs.push(reader.beep(fb.beep));
  if (hasDisplay(reader)) jobs.push(reader.showLines(fb.lines));
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
}
