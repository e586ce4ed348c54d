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
  // The profile's own line when it refused the tap (it knows why: no entry, unknown station…);
  // otherwise a passenger's wording of the kernel's reason.
  const why = (reasonCode === Reason.ProfileDeclined && tap.display) || DECLINE_TEXT[reasonCode] || REASONS[reasonCode]?.description.split(/[.:(]/)[0] || tap.reason;
  return { led: 'red', beep: 'error', lines: ['Not accepted', why.length > 40 ? `${why.slice(0, 39)}…` : why] };
}

/** Display lines (≤ 40 characters) for the declines a passenger meets most. */
const DECLINE_TEXT: Record<number, string> = {
  [Reason.DenyList]: 'Card blocked: please see staff',
  [Reason.ApplicationExpired]: 'Card expired',
  [Reason.ApplicationNotEffective]: 'Card not yet valid',
  [Reason.CardDeclined]: 'Declined by the card (balance?)',
  [Reason.OnlineNotPossible]: 'Needs online approval: use another card',
  [Reason.OdaFailed]: 'Card could not be verified',
  [Reason.ServiceNotAllowed]: 'Card not valid for this service',
  [Reason.NoApplication]: 'Card not supported',
};

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
