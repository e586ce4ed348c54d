/**
 * HidReader: the Reader, ReaderMonitor and LED / buzzer / display capabilities of one USB-HID
 * contactless reader speaking a HidFraming (default: FRAMING.md).
 *
 * node-hid has no events for cards or hot-plug, so the reader polls: every `pollIntervalMs` it
 * asks the firmware for the card in the field (card-present / card-removed events), and while the
 * device is gone it looks for it again in the enumeration (reader-detached / reader-attached).
 * APDUs go through the shared 61xx/6Cxx helper, so callers see whole responses.
 */
import { transceiveChained } from '../apdu-chaining.js';
import { EventHub } from '../event-hub.js';
import {
  TransportError,
  type BuzzerCapability,
  type CardSession,
  type DisplayCapability,
  type LedCapability,
  type Reader,
  type ReaderEvent,
  type ReaderMonitor,
} from '../transport.js';
import { hex4, loadNodeHid, udevRule, type HidBackend, type HidDevice, type HidDeviceInfo } from './device.js';
import { shanfuFraming, type BuzzerPattern, type HidFraming, type HidRequest, type HidResponse, type LedColor } from './framing.js';
import { HidLink } from './link.js';
import { describeVisibleHid } from './probe.js';

export type HidReaderOptions = {
  vendorId: number;
  productId: number;
  /** hidraw path, when several readers with the same ids are plugged in. */
  path?: string;
  /** An already open device (e.g. a node-hid HID object). Without `backend` it is not reopened after unplug. */
  device?: HidDevice;
  /** Enumeration and open (default: node-hid, loaded lazily). */
  backend?: HidBackend;
  framing?: HidFraming;
  /** Card and device polling period (ms, default 100). */
  pollIntervalMs?: number;
  /** Limit for one request to the firmware (ms, default 2000). */
  responseTimeoutMs?: number;
  name?: string;
};

const COLORS: readonly LedColor[] = ['off', 'green', 'red', 'yellow', 'blue'];
const PATTERNS: readonly BuzzerPattern[] = ['ok', 'error', 'attention'];

/** Opens the reader (ShanfuError 'hid.unavailable' without node-hid; TransportError 'access-denied' / 'reader-removed'). */
export async function openHidReader(options: HidReaderOptions): Promise<HidReader> {
  if (!options || !Number.isInteger(options.vendorId) || options.vendorId < 0 || options.vendorId > 0xffff) throw new TypeError('options.vendorId: expected a 16-bit USB vendor id');
  if (!Number.isInteger(options.productId) || options.productId < 0 || options.productId > 0xffff) throw new TypeError('options.productId: expected a 16-bit USB product id');
  const backend = options.backend ?? (options.device ? null : await loadNodeHid());
  const device = options.device ?? openDevice(backend!, options);
  return new HidReader(device, backend, options);
}

function findDevice(backend: HidBackend, o: HidReaderOptions): HidDeviceInfo | undefined {
  return backend.devices().find((d) => d.vendorId === o.vendorId && d.productId === o.productId && (o.path === undefined || d.path === o.path) && d.path !== undefined);
}

function openDevice(backend: HidBackend, o: HidReaderOptions): HidDevice {
  const info = findDevice(backend, o);
  const id = `${hex4(o.vendorId)}:${hex4(o.productId)}`;
  if (!info) throw new TransportError('reader-removed', `no HID reader ${id}${o.path ? ` at ${o.path}` : ''} is plugged in; ${describeVisibleHid(backend)}`);
  try {
    return backend.open(info.path!);
  } catch (e) {
    // hidapi reports a hidraw node without read/write permission as "cannot open device".
    throw new TransportError(
      'access-denied',
      `cannot open the HID reader ${id} at ${info.path} (${(e as Error).message}). This user may not use its hidraw node: ` +
        `add the udev rule ${udevRule(o.vendorId)} to /etc/udev/rules.d/99-shanfu-hid.rules, run \`udevadm control --reload && udevadm trigger\`, ` +
        'and make sure the user is in group plugdev (or close the program that holds the reader).',
      { cause: e },
    );
  }
}

type CardInField = { atr: Uint8Array; uid: Uint8Array };

export class HidReader implements Reader, ReaderMonitor, LedCapability, BuzzerCapability, DisplayCapability {
  readonly name: string;
  private readonly hub = new EventHub();
  private readonly framing: HidFraming;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private link: HidLink | null = null;
  private card: CardInField | null = null;
  /** Increments whenever the card or the device changes: a session belongs to one generation. */
  private generation = 0;
  private session: HidSession | null = null;
  private waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Times the device was (re)opened; 1 after open. */
  opens = 0;

  constructor(
    device: HidDevice,
    private readonly backend: HidBackend | null,
    private readonly options: HidReaderOptions,
  ) {
    this.name = options.name ?? `USB-HID reader ${hex4(options.vendorId)}:${hex4(options.productId)}`;
    this.framing = options.framing ?? shanfuFraming;
    this.pollMs = options.pollIntervalMs ?? 100;
    this.timeoutMs = options.responseTimeoutMs ?? 2000;
    if (!(this.pollMs > 0)) throw new RangeError(`options.pollIntervalMs: ${this.pollMs} is not a positive number of ms`);
    this.attach(device);
    this.schedule();
  }

  subscribe(listener: (event: ReaderEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }
  get listenerCount(): number {
    return this.hub.listenerCount;
  }
  /** waitForCard calls waiting for a change (for leak checks). */
  get pendingWaits(): number {
    return this.waiters.size;
  }
  get cardPresent(): boolean {
    return this.card !== null;
  }
  get attached(): boolean {
    return this.link !== null;
  }

  async waitForCard(signal?: AbortSignal): Promise<CardSession> {
    if (this.session) await this.session.disconnect();
    for (;;) {
      if (this.closed) throw new TransportError('closed', `the HID reader ${this.name} is closed`);
      if (signal?.aborted) throw signal.reason;
      const link = this.link;
      if (this.card && link) {
        const gen = this.generation;
        const { atr, uid } = this.card;
        const res = await link.request({ command: 'field', on: true }).catch((e: TransportError) => e);
        if (res instanceof TransportError && res.code === 'closed' && this.closed) throw res;
        if (!(res instanceof Error) && res.status === 'ok' && gen === this.generation) {
          this.session = new HidSession(this, link, gen, atr, uid);
          return this.session;
        }
        // The card or the device went away meanwhile, or the firmware did not answer: next poll round.
      }
      await this.nextChange(signal);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.session) await this.session.disconnect();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.link?.close();
    this.link = null;
    this.card = null;
    this.wake();
    this.hub.emit({ type: 'reader-detached', reader: this.name });
    this.hub.clear();
  }

  setLed(color: LedColor): Promise<void> {
    if (!COLORS.includes(color)) return Promise.reject(new TypeError(`color: expected one of ${COLORS.join(', ')}`));
    return this.command({ command: 'led', color }).then(() => undefined);
  }

  beep(pattern: BuzzerPattern): Promise<void> {
    if (!PATTERNS.includes(pattern)) return Promise.reject(new TypeError(`pattern: expected one of ${PATTERNS.join(', ')}`));
    return this.command({ command: 'buzzer', pattern }).then(() => undefined);
  }

  showLines(lines: readonly string[]): Promise<void> {
    if (!Array.isArray(lines) || lines.some((l) => typeof l !== 'string' || l.includes('\n'))) return Promise.reject(new TypeError('lines: expected strings without line breaks'));
    return this.command({ command: 'display', lines }).then(() => undefined);
  }

  /** The firmware's name and version, as it reports them. */
  async firmwareInfo(): Promise<string> {
    return new TextDecoder().decode((await this.command({ command: 'firmware-info' })).data);
  }

  /** @internal One C-APDU of a session, without chaining. */
  async exchange(s: HidSession, capdu: Uint8Array): Promise<Uint8Array> {
    if (s.link !== this.link || !s.link.alive) throw new TransportError('reader-removed', `the HID reader ${this.name} was unplugged during the session; ask for the card to be presented again once it is back`);
    if (s.generation !== this.generation) throw new TransportError('card-removed', 'the card left the field; ask for the card to be presented again');
    const res = await s.link.request({ command: 'transceive', apdu: capdu });
    switch (res.status) {
      case 'ok':
        return res.data;
      case 'no-card':
      case 'card-removed':
        throw new TransportError('card-removed', 'the card left the field during the command; ask for the card to be presented again');
      case 'timeout':
        throw new TransportError('timeout', 'the card did not answer the reader in time; ask for the card to be presented again');
      default:
        throw new TransportError('protocol', `the HID reader rejected the command (${res.status}); ask for the card to be presented again`);
    }
  }

  /** @internal Field off at the end of a session (errors ignored: the card or reader is gone anyway). */
  async endSession(s: HidSession): Promise<void> {
    if (this.session === s) this.session = null;
    if (s.link === this.link && s.link.alive) await s.link.request({ command: 'field', on: false }).catch(() => undefined);
  }

  private async command(req: HidRequest): Promise<HidResponse> {
    if (this.closed) throw new TransportError('closed', `the HID reader ${this.name} is closed`);
    if (!this.link) throw new TransportError('reader-removed', `the HID reader ${this.name} is unplugged; plug it in again, shanfu reopens it`);
    const res = await this.link.request(req);
    if (res.status !== 'ok') throw new TransportError('protocol', `the HID reader answered ${req.command} with ${res.status}`);
    return res;
  }

  private attach(device: HidDevice): void {
    const link = new HidLink(device, this.framing, this.name, this.timeoutMs);
    link.onDead = () => this.detach(link);
    this.link = link;
    this.opens++;
    this.generation++;
    queueMicrotask(() => {
      if (this.link === link) this.hub.emit({ type: 'reader-attached', reader: this.name });
    });
  }

  private detach(link: HidLink): void {
    if (this.link !== link) return;
    this.link = null;
    this.cardGone();
    this.generation++;
    this.hub.emit({ type: 'reader-detached', reader: this.name });
    this.wake();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    try {
      if (!this.link) this.reopen();
      const link = this.link;
      if (link) {
        const res = await link.request({ command: 'poll' }).catch(() => null);
        // A timeout or malformed answer skips this round; an unplug already detached the link.
        if (res && link === this.link && !this.closed) {
          if (res.status === 'ok' && res.card) this.cardSeen(res.card);
          else if (res.status === 'no-card') this.cardGone();
        }
      }
    } finally {
      // Waiters re-check every round, so a failed field-on (slow firmware) is retried, not stuck.
      this.wake();
      this.schedule();
    }
  }

  /** Looks for the device again after an unplug (node-hid has no hot-plug events). */
  private reopen(): void {
    if (!this.backend || this.closed) return;
    try {
      this.attach(openDevice(this.backend, this.options));
    } catch {
      // Not back yet, or its hidraw node is not ready: next round.
    }
  }

  private cardSeen(c: CardInField): void {
    const cur = this.card;
    if (cur && same(cur.atr, c.atr) && same(cur.uid, c.uid)) return;
    if (cur) this.cardGone();
    this.card = { atr: c.atr.slice(), uid: c.uid.slice() };
    this.generation++;
    this.hub.emit({ type: 'card-present', reader: this.name, atr: c.atr.slice() });
    this.wake();
  }

  private cardGone(): void {
    if (!this.card) return;
    this.card = null;
    this.generation++;
    this.hub.emit({ type: 'card-removed', reader: this.name });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  private nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export class HidSession implements CardSession {
  private open = true;
  private readonly raw: (capdu: Uint8Array) => Promise<Uint8Array>;

  constructor(
    private readonly reader: HidReader,
    /** @internal */ readonly link: HidLink,
    /** @internal */ readonly generation: number,
    readonly atr: Uint8Array,
    /** The card's UID as the reader's anticollision saw it (from the poll answer). */
    readonly uid: Uint8Array,
  ) {
    this.atr = atr.slice();
    this.uid = uid.slice();
    this.raw = (capdu) => this.reader.exchange(this, capdu);
  }

  transceive(tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
    if (!this.open) return Promise.reject(new TransportError('closed', 'the session was disconnected; call waitForCard again'));
    return transceiveChained(this.raw, tx, txLen, rx);
  }

  async disconnect(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.reader.endSession(this);
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
