/**
 * The Terminal's events: one discriminated union, a typed subscription (`terminal.on(type, fn)`).
 * Every step of the validator loop has one, so an integrator's own UI (a gate display, a driver
 * console) can follow the loop without touching the kernel.
 */
import type { OutcomeCode } from '../../kernels/qpboc/index.js';

/** What one tap ended with (also the value of `tapOnce()`). Money in minor units. */
export interface TapResult {
  /** Outcome code and name (`Approved`, `Declined`, `TryAgain`…), reason name (`approved-offline`…). */
  outcome: OutcomeCode;
  outcomeName: string;
  reason: string;
  /** The amount this tap asked for (the fare; the profile may set it before GPO). */
  fare: number;
  /** What this tap debited on the card (0 unless approved offline). */
  charged: number;
  /** The card's balance after this tap as the card reported it, -1 when unknown. */
  balance: number;
  /** Epoch ms of the tap (the terminal's clock). */
  time: number;
  /** Masked PAN (first 6 + last 4), '' when the card gave none. */
  maskedPan: string;
  atc: number;
  aid: string;
  /** Profile name, fare rule, profile details and the passenger display line (ProfileTapResult). */
  profile: string;
  rule: string;
  details: Record<string, unknown>;
  display: string;
  /** Journal sequence number of the tap's entry. */
  seq: number;
  /** This tap left a torn record (the card left inside the risk window). */
  torn: boolean;
}

/** Summary of a torn record in events (no PAN). */
export interface TornSummary {
  maskedPan: string;
  atc: number;
  amount: number;
  time: number;
  profile: string;
}

/** Passenger feedback for one tap: what was (or would be) shown on the reader. */
export interface Feedback {
  led: 'green' | 'red' | 'yellow';
  beep: 'ok' | 'error' | 'attention';
  lines: string[];
}

export type TerminalEvent =
  | { type: 'waiting' }
  | { type: 'card-present'; time: number; atr: Uint8Array }
  | { type: 'tap'; tap: TapResult }
  | { type: 'feedback'; feedback: Feedback; tap: TapResult }
  | { type: 'card-removed'; time: number }
  | { type: 'torn-open'; torn: TornSummary }
  | { type: 'torn-resolved'; torn: TornSummary; resolution: 'charged' | 'not-charged' }
  | { type: 'torn-expired'; torn: TornSummary }
  | {
      type: 'error';
      /** reader: adapter or service fault (the loop retries); journal: append failed (fatal: the terminal halts);
       *  torn-store: the torn file could not be written (fatal); feedback: LED/buzzer/display failed; listener: a listener threw. */
      kind: 'reader' | 'journal' | 'torn-store' | 'feedback' | 'listener';
      error: Error;
      fatal: boolean;
    }
  | { type: 'stopped'; reason: 'aborted' | 'taps-done' | 'reader-closed' | 'halted' };

export type TerminalEventType = TerminalEvent['type'];
export type TerminalEventOf<T extends TerminalEventType> = Extract<TerminalEvent, { type: T }>;

/** A typed event hub. Listener exceptions are reported as 'error' events, never break the loop. */
export class TerminalEvents {
  private readonly listeners = new Map<string, Set<(e: TerminalEvent) => void>>();

  /** Subscribes to one event type ('*' for all); returns the function that unsubscribes. */
  on<T extends TerminalEventType>(type: T, listener: (event: TerminalEventOf<T>) => void): () => void;
  on(type: '*', listener: (event: TerminalEvent) => void): () => void;
  on(type: string, listener: (event: never) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener: expected a function');
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const fn = listener as (e: TerminalEvent) => void;
    set.add(fn);
    return () => void set.delete(fn);
  }

  get listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  emit(event: TerminalEvent): void {
    for (const key of [event.type, '*']) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const fn of [...set]) {
        try {
          fn(event);
        } catch (e) {
          if (event.type === 'error' && event.kind === 'listener') continue; // no loops
          this.emit({ type: 'error', kind: 'listener', error: e instanceof Error ? e : new Error(String(e)), fatal: false });
        }
      }
    }
  }
}
