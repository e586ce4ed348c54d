/**
 * RecordingReader: a transparent Reader around another one that writes a trace of every session
 * (DESIGN.md "One trace format"). Each session's exchanges are recorded — faults as `error` — and
 * the trace is handed to `onTrace` when the session disconnects; `trace()` gives the current (or
 * last) session's trace at any time. Inputs from `setInputs` are frozen into a session's trace when
 * it disconnects. R-APDUs are masked (./mask.ts) unless `mask: false`.
 */
import { TransportError, type CardSession, type Reader, type ReaderEvent, type ReaderMonitor } from '../transport.js';
import { TRACE_FORMAT, TRACE_VERSION, toHex, type Trace, type TraceExchange, type TraceInputs } from './format.js';
import { maskResponse } from './mask.js';

export type RecordingReaderOptions = {
  /** Mask PAN, track and cardholder data in R-APDUs (default true). */
  mask?: boolean;
  /** Called with the trace of a session when it disconnects (once per session). */
  onTrace?: (trace: Trace) => void;
};

function isMonitor(r: unknown): r is ReaderMonitor {
  return typeof (r as ReaderMonitor)?.subscribe === 'function';
}

export class RecordingReader implements Reader {
  readonly name: string;
  /** Present only when the wrapped reader is a ReaderMonitor; forwards to it. */
  readonly subscribe?: (listener: (event: ReaderEvent) => void) => () => void;
  private readonly mask: boolean;
  private readonly onTrace: ((trace: Trace) => void) | undefined;
  private inputs: TraceInputs = {};
  private current: RecordingSession | null = null;

  constructor(
    readonly inner: Reader,
    options: RecordingReaderOptions = {},
  ) {
    if (!inner || typeof inner.waitForCard !== 'function') throw new TypeError('inner: expected a Reader');
    if (options.onTrace !== undefined && typeof options.onTrace !== 'function') throw new TypeError('options.onTrace: expected a function');
    this.name = inner.name;
    this.mask = options.mask ?? true;
    this.onTrace = options.onTrace;
    if (isMonitor(inner)) this.subscribe = (listener) => inner.subscribe(listener);
  }

  /** Listener count of the wrapped monitor (0 when it is none). */
  get listenerCount(): number {
    return isMonitor(this.inner) ? this.inner.listenerCount : 0;
  }

  /** Terminal inputs for the trace (merged into what was set before; applies to the current and later sessions). */
  setInputs(inputs: TraceInputs): void {
    if (typeof inputs !== 'object' || inputs === null) throw new TypeError('inputs: expected an object');
    this.inputs = { ...this.inputs, ...inputs };
  }

  async waitForCard(signal?: AbortSignal): Promise<CardSession> {
    const s = await this.inner.waitForCard(signal);
    const rec = new RecordingSession(s, this);
    this.current = rec;
    return rec;
  }

  /** The trace of the current session (so far) or of the last one; null before any session. */
  trace(): Trace | null {
    return this.current ? this.current.build() : null;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** @internal */
  buildTrace(s: RecordingSession): Trace {
    return {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      reader: this.name,
      atr: toHex(s.atr),
      startedAt: s.startedAt,
      inputs: { ...(s.inputs ?? this.inputs) },
      masked: this.mask,
      exchanges: s.exchanges.map((e) => ({ ...e, r: e.r === null || !this.mask ? e.r : toHex(maskResponse(Buffer.from(e.r, 'hex'))) })),
    };
  }

  /** @internal */
  emitTrace(s: RecordingSession): void {
    s.inputs = { ...this.inputs }; // frozen: later setInputs calls belong to later taps
    if (!this.onTrace) return;
    try {
      this.onTrace(this.buildTrace(s));
    } catch (e) {
      // A failing sink must not turn a good disconnect into a transport fault.
      process.emitWarning(`shanfu: RecordingReader onTrace threw: ${(e as Error)?.stack ?? String(e)}`);
    }
  }
}

class RecordingSession implements CardSession {
  readonly startedAt = new Date().toISOString();
  readonly exchanges: TraceExchange[] = [];
  /** The inputs as they were at disconnect; undefined while the session is open. */
  inputs: TraceInputs | undefined;
  private readonly t0 = process.hrtime.bigint();
  private done = false;

  constructor(
    private readonly inner: CardSession,
    private readonly owner: RecordingReader,
  ) {}

  get atr(): Uint8Array {
    return this.inner.atr;
  }

  async transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
    const c = toHex(tx.subarray(0, txLen));
    const start = process.hrtime.bigint();
    const t = Number(start - this.t0) / 1000;
    try {
      const n = await this.inner.transceive(tx, txLen, rx);
      this.exchanges.push({ c, r: toHex(rx.subarray(0, n)), t, us: Number(process.hrtime.bigint() - start) / 1000 });
      return n;
    } catch (e) {
      if (e instanceof TransportError) this.exchanges.push({ c, r: null, error: e.code, t, us: Number(process.hrtime.bigint() - start) / 1000 });
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    try {
      await this.inner.disconnect();
    } finally {
      if (!this.done) {
        this.done = true;
        this.owner.emitTrace(this);
      }
    }
  }

  build(): Trace {
    return this.owner.buildTrace(this);
  }
}
