/**
 * The PC/SC service: one pcsclite context, reader discovery and hot-plug, card presence per
 * reader, and recovery when pcscd goes away (a new context with backoff once it is back).
 *
 * pcsclite facts this relies on (pcsclite 1.0.1 src/*.cpp):
 * - the context constructor throws when pcscd is not running (SCardEstablishContext);
 * - its status thread ends on the first SCardGetStatusChange error (pcscd stopped) and emits
 *   'error' — an EventEmitter 'error' without a listener would crash the process, so every
 *   context and reader gets one;
 * - each reader runs its own status thread and keeps its own card context, so after a pcscd
 *   restart the old reader objects are useless: they are closed and rediscovered.
 */
import { EventHub } from '../event-hub.js';
import { TransportError, type ReaderEvent, type ReaderMonitor } from '../transport.js';
import { loadPcsclite, type PcscliteContext, type PcscliteFactory, type PcscliteReader } from './binding.js';
import { toTransportError } from './errors.js';
import { PcscReader, type PcscConnectOptions } from './reader.js';

export type PcscOptions = PcscConnectOptions & {
  /** First delay before reconnecting to pcscd (ms, default 200), doubling up to `maxBackoffMs` (2000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** When pcscd is not running at open: wait for it (true) or throw 'service-unavailable' (default). */
  waitForService?: boolean;
};

export type PcscReaderKind = 'contactless' | 'contact' | 'unknown';

export type PcscReaderInfo = {
  name: string;
  kind: PcscReaderKind;
  cardPresent: boolean;
  atr?: Uint8Array;
  /** Optional capabilities (LED, buzzer, display); PC/SC readers offer none through this adapter. */
  capabilities: string[];
};

/** Names of readers that are contactless (PICC, NFC, vpcd's virtual PCD used for QuickPass tests). */
export const CONTACTLESS_NAME = /PICC|contactless|\bCL\b|NFC|ACR122|Virtual PCD/i;

/** A reader chooser: a name (substring), a RegExp on the name, or a name and/or ATR pattern. */
export type ReaderMatch = string | RegExp | { name?: string | RegExp; atr?: RegExp; kind?: PcscReaderKind };

type Tracked = { raw: PcscliteReader; state: number; atr?: Uint8Array };

export class PcscService implements ReaderMonitor {
  private readonly hub = new EventHub();
  private ctx: PcscliteContext | null = null;
  private readonly tracked = new Map<string, Tracked>();
  private backoff: number;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly changeWaiters = new Set<() => void>();
  /** Times a context was (re)established; 1 after open. */
  contexts = 0;

  private constructor(
    private readonly factory: PcscliteFactory,
    readonly options: PcscOptions,
  ) {
    this.backoff = options.minBackoffMs ?? 200;
  }

  /** Loads pcsclite and connects to pcscd. */
  static async open(options: PcscOptions = {}): Promise<PcscService> {
    const factory = await loadPcsclite();
    const s = new PcscService(factory, options);
    const err = s.establish();
    if (err) {
      if (!options.waitForService) throw err;
      s.scheduleReconnect();
    }
    return s;
  }

  get serviceUp(): boolean {
    return this.ctx !== null;
  }

  subscribe(listener: (event: ReaderEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  get listenerCount(): number {
    return this.hub.listenerCount;
  }

  /** Readers known now, with presence and kind. */
  readers(): PcscReaderInfo[] {
    return [...this.tracked].map(([name, t]) => this.info(name, t));
  }

  /**
   * Resolves once discovery has reported every reader's state (pcsclite reports readers and
   * their first status asynchronously), or after `timeoutMs` (default 1000; with no reader
   * attached it always waits that long).
   */
  async settled(timeoutMs = 1000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.tracked.size > 0 && [...this.tracked.values()].every((t) => t.state !== 0)) return;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), Math.max(1, end - Date.now()));
      try {
        await this.nextChange(ac.signal);
      } catch {
        return;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** A Reader for the first reader matching `match` (default: the first contactless one). */
  reader(match: ReaderMatch = { kind: 'contactless' }): PcscReader {
    const found = this.readers().find((r) => matches(r, match));
    if (!found) {
      const known = this.readers().map((r) => r.name);
      throw new TransportError('reader-removed', `no PC/SC reader matches ${String(match instanceof RegExp || typeof match === 'string' ? match : JSON.stringify(match))}; readers: ${known.length ? known.join(', ') : 'none'}`);
    }
    return new PcscReader(this, found.name, this.options);
  }

  /** Waits until a reader matching `match` is attached. */
  async waitForReader(match: ReaderMatch = { kind: 'contactless' }, signal?: AbortSignal): Promise<PcscReader> {
    for (;;) {
      if (this.closed) throw new TransportError('closed', 'the PC/SC service is closed');
      const found = this.readers().find((r) => matches(r, match));
      if (found) return new PcscReader(this, found.name, this.options);
      await this.nextChange(signal);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.dropContext(false);
    this.wakeAll();
    this.hub.clear();
  }

  // ---- for PcscReader -------------------------------------------------------------------

  /** The raw reader and its state, or undefined when detached / service down. */
  lookup(name: string): Tracked | undefined {
    return this.tracked.get(name);
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Resolves at the next reader/card/service change (or rejects on abort / close). */
  nextChange(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('closed', 'the PC/SC service is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.changeWaiters.delete(wake);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.changeWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Pending waits (for leak checks). */
  get pendingWaits(): number {
    return this.changeWaiters.size;
  }

  // ---- context management ---------------------------------------------------------------

  private establish(): TransportError | null {
    let ctx: PcscliteContext;
    try {
      ctx = this.factory();
    } catch (e) {
      return toTransportError(e, 'cannot reach pcscd');
    }
    this.ctx = ctx;
    this.contexts++;
    this.backoff = this.options.minBackoffMs ?? 200;
    ctx.on('error', (e) => this.onContextError(ctx, e));
    ctx.on('reader', (r) => this.onReader(ctx, r));
    this.wakeAll();
    return null;
  }

  private onContextError(ctx: PcscliteContext, e: Error): void {
    if (ctx !== this.ctx) return;
    // pcscd stopped (SCARD_E_NO_SERVICE / SERVICE_STOPPED) or the context broke: start over.
    // A TransportError formats its stack at once, so `lastError` does not keep this dead context
    // (a frame's receiver) and its socket to pcscd alive.
    this.lastError = toTransportError(e, 'pcscd went away');
    this.dropContext(true);
    this.scheduleReconnect();
  }

  /** The last service fault (for messages). */
  lastError: TransportError | null = null;

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 2000);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.closed) return;
      const err = this.establish();
      if (err) {
        this.lastError = err;
        this.scheduleReconnect();
      }
    }, delay);
  }

  private dropContext(emit: boolean): void {
    const ctx = this.ctx;
    this.ctx = null;
    for (const [name, t] of this.tracked) {
      this.tracked.delete(name);
      closeQuietly(t.raw);
      if (emit) {
        if (t.state & t.raw.SCARD_STATE_PRESENT) this.hub.emit({ type: 'card-removed', reader: name });
        this.hub.emit({ type: 'reader-detached', reader: name });
      }
    }
    if (ctx) {
      ctx.removeAllListeners('reader');
      // Keep an 'error' listener: the native thread may still report its last error.
      try {
        ctx.close();
      } catch {
        /* already stopped */
      }
    }
    this.wakeAll();
  }

  private onReader(ctx: PcscliteContext, r: PcscliteReader): void {
    if (ctx !== this.ctx || this.closed) {
      closeQuietly(r);
      return;
    }
    const name = r.name;
    const t: Tracked = { raw: r, state: 0 };
    this.tracked.set(name, t);
    r.on('error', () => {
      // The reader's status thread ended (service stopping); 'end' follows.
    });
    r.on('end', () => {
      if (this.tracked.get(name) !== t) return;
      this.tracked.delete(name);
      if (present(t)) this.hub.emit({ type: 'card-removed', reader: name });
      this.hub.emit({ type: 'reader-detached', reader: name });
      this.wakeAll();
    });
    r.on('status', (s) => {
      if (this.tracked.get(name) !== t) return;
      const was = present(t);
      t.state = s.state;
      const is = present(t);
      if (is && s.atr && s.atr.length > 0) t.atr = trimAtr(Uint8Array.from(s.atr));
      if (is && !was) this.hub.emit({ type: 'card-present', reader: name, atr: t.atr ?? new Uint8Array(0) });
      else if (!is && was) {
        t.atr = undefined;
        this.hub.emit({ type: 'card-removed', reader: name });
      }
      this.wakeAll();
    });
    this.hub.emit({ type: 'reader-attached', reader: name });
    this.wakeAll();
  }

  private wakeAll(): void {
    const ws = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const w of ws) w();
  }

  private info(name: string, t: Tracked): PcscReaderInfo {
    const i: PcscReaderInfo = { name, kind: readerKind(name), cardPresent: present(t), capabilities: [] };
    if (t.atr) i.atr = t.atr;
    return i;
  }
}

/**
 * The ATR without trailing padding. Measured with vpcd: the first status after a card arrives can
 * carry the whole 33-byte ATR buffer (zero-padded); the length follows from the ATR itself
 * (ISO/IEC 7816-3 §8.2: T0, interface bytes by the Y bits, K historical bytes, TCK unless only T=0).
 */
export function trimAtr(atr: Uint8Array): Uint8Array {
  if (atr.length < 2) return atr;
  let y = atr[1]! >> 4;
  const k = atr[1]! & 0x0f;
  let i = 2;
  let tck = false;
  while (y !== 0) {
    const hasTd = (y & 8) !== 0;
    i += ((y & 1) !== 0 ? 1 : 0) + ((y & 2) !== 0 ? 1 : 0) + ((y & 4) !== 0 ? 1 : 0);
    if (!hasTd) break;
    if (i >= atr.length) return atr;
    const td = atr[i++]!;
    if ((td & 0x0f) !== 0) tck = true;
    y = td >> 4;
  }
  const n = i + k + (tck ? 1 : 0);
  return n < atr.length ? atr.slice(0, n) : atr;
}

function present(t: Tracked): boolean {
  const PRESENT = 0x20;
  const MUTE = 0x200;
  return (t.state & PRESENT) !== 0 && (t.state & MUTE) === 0;
}

export function readerKind(name: string): PcscReaderKind {
  if (CONTACTLESS_NAME.test(name)) return 'contactless';
  if (/SAM|contact|CCID|smart ?card/i.test(name)) return 'contact';
  return 'unknown';
}

function matches(r: PcscReaderInfo, m: ReaderMatch): boolean {
  if (typeof m === 'string') return r.name.includes(m);
  if (m instanceof RegExp) return m.test(r.name);
  if (m.kind && r.kind !== m.kind) return false;
  if (m.name !== undefined && !(typeof m.name === 'string' ? r.name.includes(m.name) : m.name.test(r.name))) return false;
  if (m.atr) {
    if (!r.atr) return false;
    if (!m.atr.test(Buffer.from(r.atr).toString('hex').toUpperCase())) return false;
  }
  return true;
}

function closeQuietly(r: PcscliteReader): void {
  r.removeAllListeners('status');
  r.removeAllListeners('end');
  // 'error' stays attached (a no-op) in case the native thread reports once more.
  try {
    r.close();
  } catch {
    /* its thread already ended */
  }
}
