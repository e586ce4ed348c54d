/**
 * The device side of the HID framing: a reader's firmware, in process, around a CardEmulator. The
 * adapter opens it through the same HidDevice / HidBackend interfaces as node-hid, so tests drive
 * the real adapter code end to end.
 *
 * Fault switches: `unplug()` (open handles emit 'error' and stop answering; the device leaves the
 * enumeration until `plug()`), `garbageResponses` (the next N answers are replaced by a report no
 * framing accepts), `delayMs` (every answer waits), `followGetResponse` (the firmware follows 61xx
 * itself and sends one long, chained answer), `denyAccess` (open fails like a hidraw node without
 * permission), `unplugAfterReports` / `garbleReportIndex` (the next chained answer is cut by an
 * unplug after that many reports / has that report replaced by garbage), `inject()` (a report
 * nobody asked for).
 */
import { EventEmitter } from 'node:events';
import type { CardEmulator } from '../virtual/emulator.js';
import type { HidBackend, HidDevice, HidDeviceInfo } from './device.js';
import { commandName, HidFramingError, packetize, RESPONSE_BIT, shanfuFraming, type BuzzerPattern, type HidCommand, type HidDecoder, type HidFraming, type HidRequest, type HidResponse, type LedColor } from './framing.js';

export type HidFirmwareOptions = {
  vendorId?: number;
  productId?: number;
  path?: string;
  product?: string;
  framing?: HidFraming;
  /** Answer of 'firmware-info' (default 'shanfu-emulator 1.0'). */
  firmware?: string;
  /** Synthesised UID reported with the ATR by 'poll' (default 04 A1 B2 C3). */
  uid?: Uint8Array;
};

export class HidFirmwareEmulator {
  readonly info: Required<Pick<HidDeviceInfo, 'vendorId' | 'productId' | 'path' | 'product'>>;
  readonly framing: HidFraming;
  readonly firmware: string;
  readonly uid: Uint8Array;
  plugged = true;
  // Fault switches
  garbageResponses = 0;
  /** Only answers to this command are garbled (default: any). */
  garbageCommand: HidCommand | null = null;
  delayMs = 0;
  followGetResponse = false;
  denyAccess = false;
  /** The next answer of more than this many reports is cut: the device is unplugged after them (null: off). */
  unplugAfterReports: number | null = null;
  /** The next answer with a report at this index gets that report replaced by garbage (null: off). */
  garbleReportIndex: number | null = null;
  // What the host did, for tests
  fieldOn = false;
  led: LedColor = 'off';
  readonly beeps: BuzzerPattern[] = [];
  displayLines: string[] = [];
  requests = 0;
  private card: CardEmulator | null = null;
  private readonly handles = new Set<EmulatedHidHandle>();

  constructor(options: HidFirmwareOptions = {}) {
    this.info = {
      vendorId: options.vendorId ?? 0x1d6b,
      productId: options.productId ?? 0x5346,
      path: options.path ?? '/dev/hidraw-emulated0',
      product: options.product ?? 'shanfu HID reader emulator',
    };
    this.framing = options.framing ?? shanfuFraming;
    this.firmware = options.firmware ?? 'shanfu-emulator 1.0';
    this.uid = options.uid ?? Uint8Array.of(0x04, 0xa1, 0xb2, 0xc3);
  }

  /** Open handles (for leak checks). */
  get openHandles(): number {
    return this.handles.size;
  }

  /** The card enters the field (powered when the field is on). */
  present(card: CardEmulator): void {
    this.remove();
    this.card = card;
    if (this.fieldOn) card.powerOn();
  }

  remove(): void {
    this.card?.powerOff();
    this.card = null;
  }

  /** The cable is pulled: every open handle emits 'error' and is dead; open() fails until plug(). */
  unplug(): void {
    this.plugged = false;
    this.fieldOn = false;
    for (const h of [...this.handles]) h.kill(new Error('could not read from HID device'));
  }

  plug(): void {
    this.plugged = true;
  }

  /** What node-hid's `new HID(path)` does. */
  open(): HidDevice {
    if (!this.plugged) throw new Error(`cannot open device with path ${this.info.path}`);
    if (this.denyAccess) throw new Error(`cannot open device with path ${this.info.path}`);
    const h = new EmulatedHidHandle(this, this.framing.requestDecoder());
    this.handles.add(h);
    return h;
  }

  /** Sends `report` (padded to the report size) to every open handle, unasked: a stray or noisy report. */
  inject(report: Uint8Array): void {
    const r = new Uint8Array(this.framing.reportSize);
    r.set(report.subarray(0, r.length));
    for (const h of this.handles) h.push([r], false);
  }

  /** @internal How many reports of an answer of `n` go out before the unplug (null: all, no unplug). */
  takeCut(n: number): number | null {
    const k = this.unplugAfterReports;
    if (k === null || n <= k) return null;
    this.unplugAfterReports = null;
    return k;
  }

  /** @internal */
  dropHandle(h: EmulatedHidHandle): void {
    this.handles.delete(h);
  }

  /** @internal One decoded request → the response reports, with fault switches applied. */
  answer(report: Uint8Array, decoder: HidDecoder<HidRequest & { seq: number }>): Uint8Array[] | null {
    let req: (HidRequest & { seq: number }) | null;
    try {
      req = decoder.push(report);
    } catch (e) {
      if (!(e instanceof HidFramingError)) throw e;
      const command = commandName(report[0]!);
      // An unknown command byte cannot be named in a response; it is echoed with the response bit.
      if (!command) return packetize(report[0]! | RESPONSE_BIT, report[1]!, Uint8Array.of(6));
      return this.framing.encodeResponse({ seq: report[1]!, command, status: e.reason, data: new Uint8Array(0) });
    }
    if (!req) return null;
    this.requests++;
    const res = this.execute(req);
    if (this.garbageResponses > 0 && (this.garbageCommand === null || this.garbageCommand === req.command)) {
      this.garbageResponses--;
      return [garbage(this.framing.reportSize, this.requests)];
    }
    const reports = this.framing.encodeResponse(res);
    const g = this.garbleReportIndex;
    if (g !== null && g < reports.length) {
      this.garbleReportIndex = null;
      reports[g] = garbage(this.framing.reportSize, this.requests);
    }
    return reports;
  }

  private execute(req: HidRequest & { seq: number }): HidResponse {
    const ok = (data: Uint8Array = new Uint8Array(0)): HidResponse => ({ seq: req.seq, command: req.command, status: 'ok', data });
    const fail = (status: HidResponse['status']): HidResponse => ({ seq: req.seq, command: req.command, status, data: new Uint8Array(0) });
    switch (req.command) {
      case 'field':
        if (req.on) {
          // Field on is also a reset: the card starts from power-on.
          this.card?.powerOff();
          this.card?.powerOn();
        } else this.card?.powerOff();
        this.fieldOn = req.on;
        return ok();
      case 'poll':
        return this.card ? { ...ok(), card: { atr: this.card.atr, uid: this.uid } } : fail('no-card');
      case 'transceive':
        return this.transceive(req.apdu, ok, fail);
      case 'led':
        this.led = req.color;
        return ok();
      case 'buzzer':
        this.beeps.push(req.pattern);
        return ok();
      case 'display':
        this.displayLines = [...req.lines];
        return ok();
      case 'firmware-info':
        return ok(new TextEncoder().encode(this.firmware));
    }
  }

  private transceive(apdu: Uint8Array, ok: (d: Uint8Array) => HidResponse, fail: (s: HidResponse['status']) => HidResponse): HidResponse {
    const card = this.card;
    if (!card || !this.fieldOn) return fail('no-card');
    let r: Uint8Array | null = card.transmit(apdu);
    if (!r) return fail('card-removed');
    if (!this.followGetResponse) return ok(r);
    const parts: Uint8Array[] = [];
    for (let i = 0; r.length >= 2 && r[r.length - 2] === 0x61 && i < 64; i++) {
      parts.push(r.subarray(0, r.length - 2));
      r = card.transmit(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, r[r.length - 1]!));
      if (!r) return fail('card-removed');
    }
    parts.push(r);
    return ok(Buffer.concat(parts));
  }
}

/** A report no framing accepts (unknown command byte), varied by `n`. */
function garbage(size: number, n: number): Uint8Array {
  const g = new Uint8Array(size);
  for (let i = 0; i < size; i++) g[i] = (i * 73 + n * 151 + 0x5b) & 0xff;
  g[0] = 0x7f; // neither a request (0x01–0x07) nor a response (0x81–0x87)
  return g;
}

/** One open handle on the emulator, as node-hid's HID object behaves. */
export class EmulatedHidHandle extends EventEmitter implements HidDevice {
  private live = true;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();

  constructor(
    private readonly fw: HidFirmwareEmulator,
    private readonly decoder: HidDecoder<HidRequest & { seq: number }>,
  ) {
    super();
  }

  write(data: number[] | Buffer): number {
    if (!this.live) throw new Error('Cannot write to hid device');
    const bytes = Uint8Array.from(data);
    // Report id 0 (unnumbered reports) comes first on the wire, as hidraw expects.
    if (bytes[0] !== 0 || bytes.length !== this.fw.framing.reportSize + 1) throw new Error(`Cannot write to hid device (expected report id 0 and ${this.fw.framing.reportSize} bytes)`);
    const out = this.fw.answer(bytes.subarray(1), this.decoder);
    if (out) this.push(out);
    return bytes.length;
  }

  /** @internal Delivers reports to the host (after `delayMs`); an answer is cut by an unplug when the firmware says so. */
  push(reports: Uint8Array[], answer = true): void {
    const cut = answer ? this.fw.takeCut(reports.length) : null;
    if (cut === null) return this.deliver(reports);
    this.deliver(reports.slice(0, cut), () => this.fw.unplug());
  }

  close(): void {
    this.stop();
  }

  /** @internal The device is gone: 'error', then silence. */
  kill(err: Error): void {
    if (!this.live) return;
    this.stop();
    this.emit('error', err);
  }

  private deliver(reports: Uint8Array[], then?: () => void): void {
    const send = () => {
      if (!this.live) return;
      for (const r of reports) this.emit('data', Buffer.from(r));
      then?.();
    };
    // Without a delay the answer comes on the next loop turn, as node-hid's read thread delivers
    // it (a 0 ms timer would cost ≥ 1 ms per exchange and hide the adapter's own cost).
    if (this.fw.delayMs <= 0) {
      const im = setImmediate(() => {
        this.immediates.delete(im);
        send();
      });
      this.immediates.add(im);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      send();
    }, this.fw.delayMs);
    this.timers.add(t);
  }

  private stop(): void {
    this.live = false;
    for (const t of this.timers) clearTimeout(t);
    for (const im of this.immediates) clearImmediate(im);
    this.timers.clear();
    this.immediates.clear();
    this.fw.dropHandle(this);
  }
}

/** node-hid's enumeration and open, over a set of emulated devices. */
export function emulatorBackend(...devices: HidFirmwareEmulator[]): HidBackend {
  return {
    devices: () => devices.filter((d) => d.plugged).map((d) => ({ ...d.info })),
    open: (path) => {
      const d = devices.find((x) => x.info.path === path);
      if (!d) throw new Error(`cannot open device with path ${path}`);
      return d.open();
    },
  };
}
