/**
 * The hardware abstraction: one Reader / CardSession / monitor model for every adapter (PC/SC,
 * USB-HID, the virtual reader, a replayed trace). The kernel never sees an adapter, only the
 * `transceive` loop (../shared/DESIGN.md "The HAL").
 *
 * Reader faults (unplugged, service gone) are kept apart from card faults (card removed,
 * timeout): both surface as TransportError with a `code`.
 */
import { ShanfuError } from '../kernels/util/errors.js';

export interface Reader {
  readonly name: string;
  /** Resolves with a session when a card enters the field; rejects with AbortError on `signal`. */
  waitForCard(signal?: AbortSignal): Promise<CardSession>;
  close(): Promise<void>;
}

export interface CardSession {
  /** Answer to reset (contact) or the ATR the reader synthesises for a contactless card. */
  readonly atr: Uint8Array;
  /**
   * Sends `tx[0, txLen)` and writes the whole response (data ‖ SW1 SW2) into `rx`, returning its
   * length. 61xx (GET RESPONSE) and 6Cxx (wrong Le) are handled here, so the caller sees whole
   * responses. Rejects with TransportError ('card-removed', 'timeout', 'reader-removed', …).
   */
  transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number>;
  /** Ends the session; safe to call twice. */
  disconnect(): Promise<void>;
}

/** Codes of TransportError. Card faults first, then reader faults. */
export type TransportErrorCode =
  | 'card-removed'
  | 'timeout'
  | 'protocol'
  | 'response-too-long'
  | 'reader-removed'
  | 'service-unavailable'
  | 'access-denied'
  | 'closed';

export class TransportError extends ShanfuError {
  override readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TransportError';
    this.code = code;
    // Format the stacks now. Until then V8 keeps each frame's closure, and an adapter's closures
    // hold native handles: a pcsclite reader keeps its context's sockets to pcscd open until it is
    // collected (measured: a kept TransportError from a pcscd restart held 2 descriptors).
    void this.stack;
    void (options?.cause as Error | undefined)?.stack;
  }
  /** True for faults of the card (tap again), false for faults of the reader or service. */
  get isCardFault(): boolean {
    return this.code === 'card-removed' || this.code === 'timeout' || this.code === 'protocol' || this.code === 'response-too-long';
  }
}

export type ReaderEvent =
  | { type: 'reader-attached'; reader: string }
  | { type: 'reader-detached'; reader: string }
  | { type: 'card-present'; reader: string; atr: Uint8Array }
  | { type: 'card-removed'; reader: string };

/** Optional capabilities, discovered at run time; a reader that lacks one doesn't offer it. */
export interface LedCapability {
  setLed(color: 'off' | 'green' | 'red' | 'yellow' | 'blue'): Promise<void>;
}
export interface BuzzerCapability {
  beep(pattern: 'ok' | 'error' | 'attention'): Promise<void>;
}
export interface DisplayCapability {
  showLines(lines: readonly string[]): Promise<void>;
}
export function hasLed(r: unknown): r is LedCapability {
  return typeof (r as LedCapability)?.setLed === 'function';
}
export function hasBuzzer(r: unknown): r is BuzzerCapability {
  return typeof (r as BuzzerCapability)?.beep === 'function';
}
export function hasDisplay(r: unknown): r is DisplayCapability {
  return typeof (r as DisplayCapability)?.showLines === 'function';
}

/**
 * Reader and card events of an adapter (reader attached/detached, card present/removed).
 * `subscribe` returns the function that unsubscribes; `listenerCount` lets tests check for leaks.
 */
export interface ReaderMonitor {
  subscribe(listener: (event: ReaderEvent) => void): () => void;
  readonly listenerCount: number;
}
