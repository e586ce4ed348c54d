/**
 * PcscReader / PcscSession: the Reader and CardSession of one PC/SC reader.
 *
 * One session per reader at a time: pcsclite keeps one card handle per reader object, so a new
 * waitForCard ends the previous session first. A transmit that does not come back within
 * `transmitTimeoutMs` rejects with 'timeout' (the native call cannot be cancelled; the session
 * is unusable afterwards and is disconnected when the call returns).
 */
import { transceiveChained } from '../apdu-chaining.js';
import { TransportError, type CardSession, type Reader } from '../transport.js';
import type { PcscliteReader } from './binding.js';
import { pcscCode, toTransportError } from './errors.js';
import type { PcscService } from './service.js';

export type PcscDisposition = 'leave' | 'reset' | 'unpower' | 'eject';

export type PcscConnectOptions = {
  /** 'shared' (default: other programs, e.g. opensc-tool, may use the reader too) or 'exclusive'. */
  shareMode?: 'shared' | 'exclusive';
  /** 'T1', 'T0' or 'any' (default). Contactless readers report T=1. */
  protocol?: 'T0' | 'T1' | 'any';
  /** What disconnect does to the card (default 'unpower': the next tap starts from power-on). */
  disposition?: PcscDisposition;
  /** Per-exchange limit (ms, default 5000). */
  transmitTimeoutMs?: number;
};

/** Largest short R-APDU (256 data + SW) plus room for extended responses of contactless cards. */
const RX_MAX = 4096;

export class PcscReader implements Reader {
  private session: PcscSession | null = null;

  constructor(
    private readonly service: PcscService,
    readonly name: string,
    private readonly options: PcscConnectOptions,
  ) {}

  /** Present card state as the service sees it now. */
  get cardPresent(): boolean {
    return this.service.readers().some((r) => r.name === this.name && r.cardPresent);
  }

  /**
   * Resolves with a session when a card is in the field (at once if one is there already). Waits
   * through reader detach and pcscd restarts: those are reported on the service's monitor.
   */
  async waitForCard(signal?: AbortSignal): Promise<CardSession> {
    if (this.session) await this.session.disconnect();
    for (;;) {
      if (this.service.isClosed()) throw new TransportError('closed', 'the PC/SC service is closed');
      if (signal?.aborted) throw signal.reason;
      const t = this.service.lookup(this.name);
      if (t && (t.state & 0x20) !== 0 && (t.state & 0x200) === 0) {
        try {
          const s = await this.connect(t.raw);
          this.session = s;
          return s;
        } catch (e) {
          const err = e as TransportError;
          // The card left between the status event and the connect: wait for the next one.
          if (err.code !== 'card-removed' && err.code !== 'timeout' && err.code !== 'protocol') throw err;
        }
      }
      await this.service.nextChange(signal);
    }
  }

  async close(): Promise<void> {
    if (this.session) await this.session.disconnect();
    this.session = null;
  }

  private connect(raw: PcscliteReader): Promise<PcscSession> {
    const share = this.options.shareMode === 'exclusive' ? raw.SCARD_SHARE_EXCLUSIVE : raw.SCARD_SHARE_SHARED;
    const proto =
      this.options.protocol === 'T0' ? raw.SCARD_PROTOCOL_T0 : this.options.protocol === 'T1' ? raw.SCARD_PROTOCOL_T1 : raw.SCARD_PROTOCOL_T0 | raw.SCARD_PROTOCOL_T1;
    return new Promise((resolve, reject) => {
      raw.connect({ share_mode: share, protocol: proto }, (err, protocol) => {
        if (err) return reject(toTransportError(err, `connect to ${this.name}`));
        const atr = this.service.lookup(this.name)?.atr ?? new Uint8Array(0);
        resolve(new PcscSession(this.service, this.name, raw, protocol ?? proto, atr, this.options));
      });
    });
  }
}

export class PcscSession implements CardSession {
  readonly atr: Uint8Array;
  /** The protocol pcscd negotiated (SCARD_PROTOCOL_T0 = 1, T1 = 2). */
  readonly protocol: number;
  private open = true;
  private inFlight: Promise<unknown> | null = null;
  private readonly raw: (capdu: Uint8Array) => Promise<Uint8Array>;
  /**
   * The pcsclite reader, until disconnect. Dropped then: a pcsclite reader keeps its whole context
   * alive (its listeners close over it), and pcsclite frees their sockets to pcscd only when they
   * are collected, so a stale session object must not hold one (measured: 2 descriptors per
   * pcscd restart while the failed session was still referenced).
   */
  private reader: PcscliteReader | null;

  constructor(
    private readonly service: PcscService,
    readonly readerName: string,
    reader: PcscliteReader,
    protocol: number,
    atr: Uint8Array,
    private readonly options: PcscConnectOptions,
  ) {
    this.reader = reader;
    this.protocol = protocol;
    this.atr = atr.slice();
    this.raw = (capdu) => this.transmit(capdu);
  }

  transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
    if (!this.open) return Promise.reject(new TransportError('closed', 'the session was disconnected; call waitForCard again'));
    return transceiveChained(this.raw, tx, txLen, rx);
  }

  /** Ends the session with the configured disposition; safe to call twice. */
  disconnect(): Promise<void> {
    return this.disconnectWith(this.options.disposition ?? 'unpower');
  }

  async disconnectWith(disposition: PcscDisposition): Promise<void> {
    if (!this.open) return;
    this.open = false;
    // Let a timed-out native transmit return first: pcsclite serialises calls on the reader.
    if (this.inFlight) await this.inFlight.catch(() => undefined);
    const r = this.reader;
    this.reader = null;
    if (!r?.connected) return;
    const d = { leave: r.SCARD_LEAVE_CARD, reset: r.SCARD_RESET_CARD, unpower: r.SCARD_UNPOWER_CARD, eject: r.SCARD_EJECT_CARD }[disposition];
    await new Promise<void>((resolve) => {
      // Errors here (card gone, service gone) leave nothing to clean up on our side.
      r.disconnect(d, () => resolve());
    });
  }

  private transmit(capdu: Uint8Array): Promise<Uint8Array> {
    const reader = this.reader;
    if (!this.open || !reader) return Promise.reject(new TransportError('closed', 'the session was disconnected'));
    const limit = this.options.transmitTimeoutMs ?? 5000;
    const native = new Promise<Uint8Array>((resolve, reject) => {
      reader.transmit(Buffer.from(capdu.buffer, capdu.byteOffset, capdu.length), RX_MAX, this.protocol, (err, data) => {
        if (err) reject(this.classify(err));
        // Measured with vpcd: a card that leaves mid-command makes SCardTransmit succeed with 0
        // bytes (the driver returns an empty answer), so no status word means the card is gone.
        else if (data!.length === 0) reject(new TransportError('card-removed', 'the card left the field during the command (empty answer); ask for the card to be presented again'));
        else resolve(data!);
      });
    });
    this.inFlight = native;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.open = false;
        reject(new TransportError('timeout', `the card did not answer within ${limit} ms; ask for the card to be presented again`));
      }, limit);
    });
    return Promise.race([native, timeout]).finally(() => {
      clearTimeout(timer);
      native.then(
        () => void (this.inFlight === native && (this.inFlight = null)),
        () => void (this.inFlight === native && (this.inFlight = null)),
      );
    });
  }

  /** A transmit failure, refined by what the service knows (card gone, reader gone, pcscd gone). */
  private classify(err: Error): TransportError {
    const rc = pcscCode(err);
    const t = this.service.lookup(this.readerName);
    if (!this.service.serviceUp) return toTransportError(err, 'transmit', 'service-unavailable');
    if (rc === 0x80100016 /* NOT_TRANSACTED */ || rc === 0x80100003 /* INVALID_HANDLE */) {
      // vpcd and many contactless drivers report a card that left mid-exchange as "not
      // transacted"; the reader state tells removal apart from a real protocol error.
      if (!t) return toTransportError(err, 'transmit', 'reader-removed');
      if ((t.state & 0x20) === 0) return toTransportError(err, 'transmit', 'card-removed');
    }
    return toTransportError(err, 'transmit');
  }
}
