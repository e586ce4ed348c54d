/**
 * HidLink: one open HID device, spoken to through a HidFraming. Requests are serialised (one in
 * flight: the firmware answers in order), each gets a sequence number, and the answer with that
 * number resolves it. Faults become TransportError:
 * - no answer within `timeoutMs` → 'timeout' (a late answer, with an old sequence number, is dropped);
 * - a report the framing rejects (garbage, broken chain) → 'protocol' for the request in flight;
 * - the device's 'error' event or a failing write (unplugged) → 'reader-removed', for this and every
 *   later request; the link is dead and the owner opens a new one.
 */
import { TransportError } from '../transport.js';
import type { HidDevice } from './device.js';
import { HidFramingError, type HidDecoder, type HidFraming, type HidRequest, type HidResponse } from './framing.js';

type Pending = { seq: number; command: HidRequest['command']; resolve: (r: HidResponse) => void; reject: (e: TransportError) => void; timer: NodeJS.Timeout };

export class HidLink {
  private readonly decoder: HidDecoder<HidResponse>;
  private seq = 0;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private dead: TransportError | null = null;
  private readonly onData = (data: Buffer) => this.receive(data);
  private readonly onError = (err: Error) => this.fail(new TransportError('reader-removed', `the HID reader ${this.name} went away (${err.message}); plug it in again, shanfu reopens it`, { cause: err }));
  /** Called once when the link dies (device error or failed write), not on close(). */
  onDead: ((err: TransportError) => void) | null = null;

  constructor(
    private readonly device: HidDevice,
    private readonly framing: HidFraming,
    private readonly name: string,
    private readonly timeoutMs: number,
  ) {
    this.decoder = framing.responseDecoder();
    device.on('data', this.onData);
    device.on('error', this.onError);
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Sends one request and resolves with its response (whatever its status). */
  request(req: HidRequest): Promise<HidResponse> {
    const run = () => this.exchange(req);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Detaches from the device and closes it; pending and later requests reject 'closed'. */
  close(): void {
    if (this.dead) return;
    this.fail(new TransportError('closed', `the HID reader ${this.name} was closed`), false);
  }

  private exchange(req: HidRequest): Promise<HidResponse> {
    if (this.dead) return Promise.reject(this.dead);
    this.seq = (this.seq + 1) & 0xff;
    const seq = this.seq;
    return new Promise<HidResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        this.decoder.reset();
        reject(new TransportError('timeout', `the HID reader ${this.name} did not answer ${req.command} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending = { seq, command: req.command, resolve, reject, timer };
      try {
        for (const report of this.framing.encodeRequest(req, seq)) {
          const out = Buffer.alloc(report.length + 1); // report id 0, then the report
          out.set(report, 1);
          this.device.write(out);
        }
      } catch (e) {
        this.fail(new TransportError('reader-removed', `writing to the HID reader ${this.name} failed (${(e as Error).message}); plug it in again, shanfu reopens it`, { cause: e }));
      }
    });
  }

  private receive(data: Buffer): void {
    if (this.dead) return;
    let res: HidResponse | null;
    try {
      res = this.decoder.push(data);
    } catch (e) {
      if (!(e instanceof HidFramingError)) throw e;
      this.decoder.reset();
      const p = this.settle();
      p?.reject(new TransportError('protocol', `the HID reader ${this.name} sent a malformed report (${e.message}); ask for the card to be presented again`, { cause: e }));
      return;
    }
    // A late answer to a timed-out request, or a stray report whose sequence number happens to match.
    if (!res || !this.pending || res.seq !== this.pending.seq || res.command !== this.pending.command) return;
    this.settle()!.resolve(res);
  }

  private settle(): Pending | null {
    const p = this.pending;
    if (p) clearTimeout(p.timer);
    this.pending = null;
    return p;
  }

  private fail(err: TransportError, notify = true): void {
    if (this.dead) return;
    this.dead = err;
    this.device.removeListener('data', this.onData);
    this.device.removeListener('error', this.onError);
    // A late 'error' from the closing device must not crash the process (EventEmitter throws on an unheard 'error').
    this.device.on('error', ignore);
    try {
      this.device.close();
    } catch {
      // already gone
    }
    this.settle()?.reject(err);
    if (notify) this.onDead?.(err);
  }
}

function ignore(): void {}
