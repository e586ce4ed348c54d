/**
 * A card whose answers are given by the case (a script or a recorded trace): the session serves the
 * steps in order. A step's `c`, when given, must equal the C-APDU the terminal sent; the first
 * mismatch is kept (`mismatch`) and the card leaves the field, so the runner can point at that
 * exchange. A step's `error` replays as that TransportError; past the last step the card is gone.
 */
import { TransportError, type CardSession } from '../../hal/transport.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import type { ScriptStep } from './case.js';

/** The default ATR of a scripted card (PC/SC contactless ATR, historical bytes "SHANFU-QA"). */
export const SCRIPT_ATR = '3B8980015348414E46552D514135';

export class ScriptSession implements CardSession {
  readonly atr: Uint8Array;
  /** The first step whose recorded C-APDU differs from the one sent. */
  mismatch: { index: number; expected: string; actual: string } | null = null;
  /** Card time so far (the steps' `us`), microseconds. */
  totalMicros = 0;
  private index = 0;

  constructor(
    private readonly steps: readonly ScriptStep[],
    atr = SCRIPT_ATR,
  ) {
    this.atr = fromHex(atr);
  }

  async transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
    const i = this.index++;
    const step = this.steps[i];
    this.totalMicros += step?.us ?? 0;
    if (!step || this.mismatch) throw new TransportError('card-removed', `the card script ends after ${this.steps.length} exchanges: the card left the field`);
    const sent = toHex(tx, 0, txLen);
    if (step.c !== undefined && step.c !== sent) {
      this.mismatch = { index: i, expected: step.c, actual: sent };
      throw new TransportError('protocol', `card script step ${i}: the terminal sent ${sent}, the script expects ${step.c}`);
    }
    if (step.error !== undefined) throw new TransportError(step.error, `card script step ${i}: '${step.error}'`);
    const r = fromHex(step.r!);
    if (r.length > rx.length) throw new TransportError('response-too-long', `card script step ${i}: ${r.length}-byte response for a ${rx.length}-byte buffer`);
    rx.set(r);
    return r.length;
  }

  async disconnect(): Promise<void> {}
}
