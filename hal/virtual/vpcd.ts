/**
 * The vpcd bridge: puts a CardEmulator into a real PC/SC reader. vsmartcard-vpcd is a pcscd
 * driver that listens on TCP (port 35963 for "Virtual PCD 00 00", 35964 for "… 00 01"); the card
 * side connects to it and answers.
 *
 * Wire format (vpcd.c): 2-byte big-endian length + payload. A 1-byte payload is a control:
 * 00 power off, 01 power on, 02 reset (no answer), 04 get ATR (answer the ATR). Anything else is a
 * C-APDU; answer the R-APDU.
 *
 * Card presence: vpcd polls with "get ATR"; the card is present while the socket is connected and
 * answers, and vpcd closes the socket when a read fails. So `remove()` closes the socket and
 * `present()` connects again. When the emulator returns null (the card left mid-command) the
 * bridge closes the socket too and stays removed until `present()`.
 *
 * A card must be seen to leave before another one enters. Measured with pcscd 1.9.9: when one
 * bridge stops and the next connects to the same port before pcscd's next presence poll (every
 * 400 ms), pcscd never sees the card leave, its power-up of the "new" card fails with
 * SCARD_W_REMOVED_CARD and the reader stays unusable. (Answering the first get-ATR empty to force
 * a removal was tried: it stalls vpcd's polling for good.) So a card on a port stays out of the
 * field for FIELD_GAP_MS after the previous one left, across all bridges of this process.
 *
 * When the other side goes away (pcscd restarted, vpcd not listening yet) the bridge reconnects
 * with exponential backoff (100 ms doubling to 2 s), unless the card was removed on purpose.
 *
 * A bridge and a PC/SC client in one thread can deadlock across a pcscd restart (measured with
 * pcscd 1.9.9 + pcsclite 1.0.1): pcsclite opens its context synchronously (SCardEstablishContext
 * in the constructor, on the main thread), while a starting pcscd that powers up the bridge's
 * card waits for that card's answer — which this thread can no longer send. Keep the card out of
 * the field until the client has reconnected (test/pcsc-vpcd.test.ts does), or run the card in
 * another process (`shanfu sim`).
 */
import { Socket } from 'node:net';
import type { CardEmulator } from './emulator.js';

export const VPCD_PORT = 35963;

export type VpcdBridgeState = 'connecting' | 'connected' | 'removed' | 'stopped';

export type VpcdBridgeEvent =
  | { type: 'state'; state: VpcdBridgeState; detail?: string }
  | { type: 'power'; on: boolean }
  | { type: 'apdu'; capdu: Uint8Array; rapdu: Uint8Array | null };

export type VpcdBridgeOptions = {
  host?: string;
  port?: number;
  /** First reconnect delay (ms, default 100); doubles up to `maxBackoffMs` (default 2000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Emit an 'apdu' event per exchange (off by default: it allocates on the hot path). */
  traceApdus?: boolean;
};

/** pcscd's presence poll (PCSCLITE_STATUS_POLL_RATE, 400 ms) plus margin. */
export const FIELD_GAP_MS = 600;
/** When the last card on each port left the field (ms, performance.now()). */
const leftAt = new Map<number, number>();

const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;

export class VpcdBridge {
  readonly host: string;
  readonly port: number;
  private card: CardEmulator;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly traceApdus: boolean;
  private socket: Socket | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private backoff: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private listeners = new Set<(e: VpcdBridgeEvent) => void>();
  private _state: VpcdBridgeState = 'removed';
  /** Exchanges answered since start (APDUs, not controls). */
  exchanges = 0;
  /** Successful TCP connections since start. */
  connects = 0;

  constructor(card: CardEmulator, options: VpcdBridgeOptions = {}) {
    if (!card || typeof card.transmit !== 'function') throw new TypeError('card: expected a CardEmulator');
    this.card = card;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? VPCD_PORT;
    if (!Number.isInteger(this.port) || this.port <= 0 || this.port > 65535) throw new RangeError(`port: ${options.port} is not a TCP port`);
    this.minBackoff = options.minBackoffMs ?? 100;
    this.maxBackoff = options.maxBackoffMs ?? 2000;
    this.backoff = this.minBackoff;
    this.traceApdus = options.traceApdus ?? false;
  }

  get state(): VpcdBridgeState {
    return this._state;
  }

  onEvent(listener: (e: VpcdBridgeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The card enters the field: connect to vpcd (optionally with another card). */
  present(card?: CardEmulator): void {
    if (this._state === 'stopped') throw new Error('the vpcd bridge is stopped');
    if (card) {
      if (typeof card.transmit !== 'function') throw new TypeError('card: expected a CardEmulator');
      if (this.socket) this.dropSocket('removed', 'card replaced');
      this.card = card;
    }
    if (this._state === 'connected' || this._state === 'connecting') return;
    this.backoff = this.minBackoff;
    const wait = (leftAt.get(this.port) ?? -Infinity) + FIELD_GAP_MS - performance.now();
    if (wait <= 0) return this.connect();
    this.setState('connecting', `waiting ${Math.ceil(wait)} ms for pcscd to see the previous card leave`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, wait);
  }

  /** The card leaves the field: close the socket and stay away until `present()`. */
  remove(): void {
    if (this._state === 'stopped') return;
    this.dropSocket('removed', 'card removed');
  }

  /** Resolves when connected (or rejects after `timeoutMs`). */
  whenConnected(timeoutMs = 5000): Promise<void> {
    if (this._state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`vpcd at ${this.host}:${this.port} did not accept a connection within ${timeoutMs} ms; is pcscd running with vsmartcard-vpcd?`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.type === 'state' && e.state === 'connected') {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this._state === 'stopped') return;
    this.dropSocket('stopped', 'bridge stopped');
    this.listeners.clear();
  }

  private setState(state: VpcdBridgeState, detail?: string): void {
    if (this._state === state) return;
    this._state = state;
    this.emit(detail === undefined ? { type: 'state', state } : { type: 'state', state, detail });
  }

  private emit(e: VpcdBridgeEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private connect(): void {
    this.clearRetry();
    this.setState('connecting', `${this.host}:${this.port}`);
    const s = new Socket();
    this.socket = s;
    this.pending = Buffer.alloc(0);
    // Nagle would hold our short answers back for an ACK from vpcd; send each frame at once.
    s.setNoDelay(true);
    s.on('connect', () => {
      if (this.socket !== s) return;
      this.connects++;
      this.backoff = this.minBackoff;
      this.setState('connected', `${this.host}:${this.port}`);
    });
    s.on('data', (chunk: Buffer) => {
      if (this.socket === s) this.onData(s, chunk);
    });
    s.on('error', () => {
      // 'close' follows; the reason is in the state detail there.
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      // vpcd or pcscd went away (or was never there): try again, the card is still "held" in the field.
      this.card.powerOff();
      leftAt.set(this.port, performance.now());
      this.scheduleRetry();
    });
    s.connect(this.port, this.host);
  }

  private scheduleRetry(): void {
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.maxBackoff);
    this.setState('connecting', `vpcd at ${this.host}:${this.port} not reachable; retrying in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private dropSocket(state: VpcdBridgeState, detail: string): void {
    this.clearRetry();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.destroy();
      this.card.powerOff();
      leftAt.set(this.port, performance.now());
    }
    this.setState(state, detail);
  }

  private onData(s: Socket, chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) return;
      const payload = this.pending.subarray(2, 2 + len);
      this.pending = this.pending.subarray(2 + len);
      if (!this.onMessage(s, payload)) return;
    }
  }

  /** Handles one message; false when the socket was dropped. */
  private onMessage(s: Socket, payload: Buffer): boolean {
    if (payload.length === 1) {
      switch (payload[0]) {
        case CTRL_OFF:
          this.card.powerOff();
          this.emit({ type: 'power', on: false });
          return true;
        case CTRL_ON:
          this.card.powerOn();
          this.emit({ type: 'power', on: true });
          return true;
        case CTRL_RESET:
          this.card.powerOff();
          this.card.powerOn();
          this.emit({ type: 'power', on: true });
          return true;
        case CTRL_ATR:
          this.send(s, this.card.atr);
          return true;
        default:
          // Unknown control: vpcd would wait for no answer; ignore it.
          return true;
      }
    }
    const rapdu = this.card.transmit(payload);
    if (this.traceApdus) this.emit({ type: 'apdu', capdu: Uint8Array.from(payload), rapdu: rapdu && Uint8Array.from(rapdu) });
    if (rapdu === null) {
      // The card left during this command: vpcd sees the socket close and reports the card removed.
      this.dropSocket('removed', 'card left the field during a command');
      return false;
    }
    this.exchanges++;
    this.send(s, rapdu);
    return true;
  }

  private send(s: Socket, payload: Uint8Array): void {
    // One write (length ‖ payload) so the frame leaves in one segment.
    const frame = Buffer.allocUnsafe(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    frame.set(payload, 2);
    s.write(frame);
  }
}
