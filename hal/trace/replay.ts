/**
 * ReplayReader: a Reader whose card is a recorded trace (DESIGN.md "One trace format"). Every
 * `waitForCard` opens a session that serves the recorded R-APDUs in order from the first exchange.
 * Strict mode (default) checks each C-APDU against the recorded one and fails the exchange with
 * TransportError('protocol') naming the exchange and both APDUs; a recorded `error` replays as that
 * TransportError; past the end of the trace the card is gone ('card-removed').
 */
import { TransportError, type CardSession, type Reader } from '../transport.js';
import { fromHex, parseTrace, toHex, type Trace } from './format.js';

export type ReplayReaderOptions = {
  /** Check each C-APDU equals the recorded one (default true). */
  strict?: boolean;
};

export class ReplayReader implements Reader {
  readonly name: string;
  readonly trace: Trace;
  private readonly strict: boolean;
  private closed = false;

  constructor(trace: Trace | string, options: ReplayReaderOptions = {}) {
    this.trace = parseTrace(trace);
    this.strict = options.strict ?? true;
    this.name = `replay: ${this.trace.reader}`;
  }

  async waitForCard(signal?: AbortSignal): Promise<CardSession> {
    if (this.closed) throw new TransportError('closed', 'the replay reader is closed; create a new ReplayReader');
    signal?.throwIfAborted();
    return new ReplaySession(this.trace, this.strict);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

class ReplaySession implements CardSession {
  readonly atr: Uint8Array;
  private index = 0;
  private done = false;

  constructor(
    private readonly trace: Trace,
    private readonly strict: boolean,
  ) {
    this.atr = fromHex(trace.atr);
  }

  async transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
    if (this.done) throw new TransportError('closed', 'the replay session is disconnected; call waitForCard again');
    const i = this.index;
    const ex = this.trace.exchanges[i];
    if (!ex) throw new TransportError('card-removed', `the trace ends after ${this.trace.exchanges.length} exchanges: the replayed card left the field`);
    this.index++;
    if (this.strict) {
      const sent = toHex(tx.subarray(0, txLen));
      if (sent !== ex.c) throw new TransportError('protocol', `replay exchange ${i}: sent ${sent}, the trace recorded ${ex.c}`);
    }
    if (ex.error !== undefined) throw new TransportError(ex.error, `replay exchange ${i}: recorded fault '${ex.error}'`);
    if (ex.r === null) throw new TransportError('card-removed', `replay exchange ${i}: no response recorded`);
    const r = fromHex(ex.r);
    if (r.length > rx.length) throw new TransportError('response-too-long', `replay exchange ${i}: ${r.length}-byte response for a ${rx.length}-byte buffer`);
    rx.set(r);
    return r.length;
  }

  async disconnect(): Promise<void> {
    this.done = true;
  }
}
