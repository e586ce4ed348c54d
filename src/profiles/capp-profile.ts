/**
 * The extended-application exchange every transit profile shares (qpboc-facts §4.5):
 *   before GPO — READ CAPP DATA (80 B4) of the records the profile looks at (its own record last:
 *                the card commits the cached update only when it matches the LAST read, §4.3 6974),
 *                then the profile decides the amount and DF60 (`decide`);
 *   after a TC GPO — UPDATE CAPP DATA CACHE (84 DE) with the record the profile built and the MAC
 *                from the CappMacProvider over this GPO's ATC;
 *   the card commits the debit and the record together when it answers the last AFL record.
 * A card without the extended application answers READ CAPP DATA with an error (6D00 on the virtual
 * card); the profile then sees its record as `absent` and applies its no-extended-app rule.
 *
 * Hook code is synchronous and allocation-light: the APDU, record and header buffers are allocated
 * once per profile; per tap, only the journal `details` object and the MAC provider's result.
 */
import { randomFillSync } from 'node:crypto';
import { Outcome, Reason, type KernelHook, type QuickPassKernel } from '../../kernels/qpboc/index.js';
import { clearRecord, defaultRecordCodec, emptyRecord, type RecordState, type TransitRecord, type TransitRecordCodec } from './record-codec.js';
import type { CappMacProvider, ProfileTapResult, SectorProfile, TapContext, TapPlan } from './types.js';

/** One record of the extended application: file SFI (1–30) and 2-byte record ID. */
export interface RecordRef {
  sfi: number;
  recordId: number;
}

/** Options every transit profile takes. */
export interface CappProfileOptions {
  /** The record this profile reads and writes; default SFI 21 (0x15, facts §4.6) ID 0x2701. */
  record?: RecordRef;
  /** Record layout; default `defaultRecordCodec` (README.md "The default record"). */
  codec?: TransitRecordCodec;
  /** A record that fails its check (CRC, version): 'decline' (default: staff look at the card) or 'ignore' (treated as blank and overwritten). */
  onBadRecord?: 'decline' | 'ignore';
  /** Minor units → display text; default "¥12.34". */
  formatAmount?: (minor: number) => string;
  /**
   * Fills the READ CAPP DATA terminal random (only sent when the MAC provider checks read MACs);
   * default node:crypto. Injected, like the kernel's 9F37 source, so replays are deterministic.
   */
  random?: (out: Uint8Array, off: number, len: number) => void;
}

/** Where a profile's record came from, for the journal. */
export type OwnRecordState = RecordState | 'absent';

export const DEFAULT_RECORD: RecordRef = Object.freeze({ sfi: 21, recordId: 0x2701 });

const SW_OK = 0x9000;

export function yuan(minor: number): string {
  return `¥${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

function checkRef(r: RecordRef, name: string): RecordRef {
  if (!Number.isInteger(r.sfi) || r.sfi < 1 || r.sfi > 30) throw new RangeError(`${name}.sfi must be an integer in 1..30`);
  if (!Number.isInteger(r.recordId) || r.recordId < 0 || r.recordId > 0xffff) throw new RangeError(`${name}.recordId must be an integer in 0..65535`);
  return { sfi: r.sfi, recordId: r.recordId };
}

/**
 * Base of the bus, metro and toll profiles: runs the exchange above and leaves the fare policy to
 * `decide`, which calls `charge` (amount + DF60 + rule, and sets `write` with `next` filled) or `refuse`.
 */
export abstract class CappProfile implements SectorProfile {
  abstract readonly name: string;
  readonly hook: KernelHook;
  readonly record: RecordRef;
  readonly codec: TransitRecordCodec;
  protected readonly mac: CappMacProvider | null;
  protected readonly onBadRecord: 'decline' | 'ignore';
  protected readonly fmt: (minor: number) => string;
  /** Records read before the own record (e.g. the bus's transfer sources). */
  protected readonly extraRefs: RecordRef[];

  // ---- per-tap state (reset by startTap) ----
  protected ctx: TapContext = { time: 0, terminalId: '' };
  protected readonly plan: TapPlan = { amount: 0, cappIndicator: 0 };
  /** The profile's own record as read from the card. */
  protected readonly own: TransitRecord = emptyRecord();
  protected ownState: OwnRecordState = 'absent';
  /** Status word of the own record's READ CAPP DATA (0 = not read). */
  protected ownSw = 0;
  protected readonly extras: TransitRecord[];
  protected readonly extraStates: OwnRecordState[];
  /** The record to write after GPO (when `write`). */
  protected readonly next: TransitRecord = emptyRecord();
  protected write = false;
  protected fare = 0;
  protected rule = '';
  protected refused = false;
  protected message = '';
  protected details: Record<string, unknown> = {};
  private step = 0;
  private written = false;
  private readonly recordBuf: Uint8Array;
  private readonly header = new Uint8Array(5);
  private readonly readRandom = new Uint8Array(8);

  /** The fare table's version and operator, for every journal entry. */
  protected readonly tableId: { version: string; operatorId: number };
  private readonly random: (out: Uint8Array, off: number, len: number) => void;

  protected constructor(table: { version: string; operatorId: number }, options: CappProfileOptions, mac: CappMacProvider | null, extraRefs: RecordRef[] = []) {
    this.tableId = { version: table.version, operatorId: table.operatorId };
    this.record = checkRef(options.record ?? DEFAULT_RECORD, 'options.record');
    this.codec = options.codec ?? defaultRecordCodec;
    if (!Number.isInteger(this.codec.recordLength) || this.codec.recordLength < 2 || this.codec.recordLength > 239)
      throw new RangeError('options.codec.recordLength must be 2..239 (record + MAC in one short APDU)');
    const bad = options.onBadRecord ?? 'decline';
    if (bad !== 'decline' && bad !== 'ignore') throw new RangeError("options.onBadRecord must be 'decline' or 'ignore'");
    this.onBadRecord = bad;
    this.fmt = options.formatAmount ?? yuan;
    if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('options.random must be a function (out, off, len)');
    this.random = options.random ?? ((out, off, len) => randomFillSync(out, off, len));
    this.mac = mac;
    this.extraRefs = extraRefs.map((r, i) => checkRef(r, `extra record ${i}`));
    this.extras = this.extraRefs.map(() => emptyRecord());
    this.extraStates = this.extraRefs.map(() => 'absent');
    this.recordBuf = new Uint8Array(this.codec.recordLength);
    this.hook = {
      beforeGpo: (k, n) => this.beforeGpo(k, n),
      afterGpo: (k, n) => this.afterGpo(k, n),
    };
  }

  /** The plan before the card is read (the hook sets the real amount before GPO). */
  protected abstract initialPlan(): void;
  /** Decides the tap from the records read: `charge(...)` or `refuse(...)`. */
  protected abstract decide(): void;
  /** The journal details of this profile (station, route…), added to the common ones. */
  protected abstract describe(details: Record<string, unknown>): void;

  startTap(ctx: TapContext): TapPlan {
    if (!Number.isFinite(ctx.time) || ctx.time < 0) throw new RangeError('ctx.time must be an epoch time in ms');
    this.ctx = ctx;
    this.ownState = 'absent';
    this.ownSw = 0;
    for (let i = 0; i < this.extraStates.length; i++) this.extraStates[i] = 'absent';
    this.write = false;
    this.written = false;
    this.refused = false;
    this.fare = 0;
    this.rule = '';
    this.message = '';
    this.details = {};
    this.step = 0;
    this.plan.amount = 0;
    this.plan.cappIndicator = 0;
    this.initialPlan();
    return this.plan;
  }

  /** Charges `amount` with DF60 `cappIndicator` (kernel amount = `authorised`, e.g. the pre-authorised maximum). */
  protected charge(fare: number, cappIndicator: number, rule: string, authorised = fare): void {
    this.fare = fare;
    this.rule = rule;
    this.plan.amount = authorised;
    this.plan.cappIndicator = cappIndicator;
  }

  /** Ends the tap uncharged (Declined `profile-declined`) with a rule name and a passenger message. */
  protected refuse(rule: string, message: string): void {
    this.refused = true;
    this.rule = rule;
    this.message = message;
  }

  /** Prepares `next` for writing: starts from the record read (or blank) and stamps this tap. */
  protected stamp(sector: number, operatorId: number, line: number): TransitRecord {
    const n = this.next;
    Object.assign(n, this.own);
    n.sector = sector;
    n.operatorId = operatorId;
    n.line = line;
    n.terminalId = this.ctx.terminalId;
    n.lastTime = this.ctx.time;
    this.write = true;
    return n;
  }

  /** READ CAPP DATA `80 B4 00 (SFI<<3) Lc ID [‖ terminal random(8)] 00` (facts §4.3). */
  private sendRead(k: QuickPassKernel, ref: RecordRef): number {
    const t = k.tx;
    const authenticated = this.mac?.readMac !== undefined;
    t[0] = 0x80;
    t[1] = 0xb4;
    t[2] = 0x00;
    t[3] = ref.sfi << 3;
    t[4] = authenticated ? 0x0a : 0x02;
    t[5] = ref.recordId >> 8;
    t[6] = ref.recordId & 0xff;
    if (!authenticated) {
      t[7] = 0x00; // Le
      return 8;
    }
    this.random(this.readRandom, 0, this.readRandom.length);
    t.set(this.readRandom, 7);
    t[15] = 0x00;
    return 16;
  }

  /** Decodes a READ CAPP DATA response of `dataLen` bytes (record [‖ RMAC]) into `target`. */
  private decodeRead(k: QuickPassKernel, dataLen: number, ref: RecordRef, target: TransitRecord): RecordState {
    const len = this.codec.recordLength;
    const rmac = this.mac?.readMac !== undefined;
    // A record of another length than the codec's is not this operator's layout: invalid, not absent.
    if (dataLen !== len + (rmac ? 4 : 0)) return 'invalid';
    if (rmac) {
      const expected = this.mac!.readMac!(ref.sfi, ref.recordId, k.rx.subarray(0, len), this.readRandom);
      if (expected !== null) for (let i = 0; i < 4; i++) if (expected[i] !== k.rx[len + i]) return 'invalid';
    }
    return this.codec.decode(k.rx, 0, target);
  }

  private beforeGpo(k: QuickPassKernel, n: number): number {
    const reads = this.extraRefs.length + 1;
    if (n >= 0) {
      // Response to read number `step`: the extras first, the own record last (6974 rule).
      const sw = n >= 2 ? (k.rx[n - 2]! << 8) | k.rx[n - 1]! : 0;
      const own = this.step === reads - 1;
      const target = own ? this.own : this.extras[this.step]!;
      const ref = own ? this.record : this.extraRefs[this.step]!;
      const state: OwnRecordState = sw !== SW_OK ? 'absent' : this.decodeRead(k, n - 2, ref, target);
      if (own) {
        this.ownState = state;
        this.ownSw = sw;
      } else this.extraStates[this.step] = state;
      // INS/CLA not supported: the card has no extended application; skip straight to the decision.
      this.step = sw === 0x6d00 || sw === 0x6e00 ? reads : this.step + 1;
    }
    if (this.step < reads) return this.sendRead(k, this.step === reads - 1 ? this.record : this.extraRefs[this.step]!);
    if (this.ownState === 'invalid') {
      if (this.onBadRecord === 'decline') {
        this.refuse('bad-record', 'Card record unreadable: please see staff');
        return this.end(k);
      }
      this.details.badRecordIgnored = true;
      this.ownState = 'blank';
      clearRecord(this.own); // a failed decode may have filled some fields
    }
    this.decide();
    if (this.refused) return this.end(k);
    k.setAmount(this.plan.amount);
    k.setCappIndicator(this.plan.cappIndicator);
    return 0;
  }

  private end(k: QuickPassKernel): number {
    k.endTap(Outcome.Declined, Reason.ProfileDeclined);
    return 0;
  }

  private afterGpo(k: QuickPassKernel, n: number): number {
    if (!this.write) return 0;
    if (n >= 0) {
      const sw = n >= 2 ? (k.rx[n - 2]! << 8) | k.rx[n - 1]! : 0;
      if (sw === SW_OK) {
        this.written = true;
        return 0;
      }
      // The card refused the record (6988 MAC, 6A84/6A80 length…): end before the commit so the
      // debit never happens without the record (the passenger taps again).
      this.details.updateSw = sw.toString(16).padStart(4, '0');
      this.rule = 'record-update-failed';
      return -1;
    }
    const len = this.codec.recordLength;
    this.codec.encode(this.next, this.record.recordId, this.recordBuf, 0);
    const h = this.header;
    h[0] = 0x84;
    h[1] = 0xde;
    h[2] = 0x00;
    h[3] = this.record.sfi << 3;
    h[4] = len + 4;
    const mac = this.mac ? this.mac.updateMac(this.record.sfi, this.record.recordId, k.atc, h, this.recordBuf) : null;
    if (mac === null || mac.length !== 4) {
      this.refuse('no-mac-key', 'This card cannot be written here: please see staff');
      return this.end(k);
    }
    const t = k.tx;
    t.set(h, 0);
    t.set(this.recordBuf, 5);
    t.set(mac, 5 + len);
    return 5 + len + 4;
  }

  finishTap(k: QuickPassKernel): ProfileTapResult {
    const approved = k.outcome === Outcome.Approved;
    const d = this.details;
    d.tableVersion = this.tableId.version;
    d.operatorId = this.tableId.operatorId;
    d.outcome = approved ? 'approved' : this.refused ? 'refused' : 'not-approved';
    d.extendedApp = this.ownState !== 'absent';
    d.recordState = this.ownState;
    if (this.ownSw !== 0 && this.ownSw !== SW_OK) d.readSw = this.ownSw.toString(16).padStart(4, '0');
    d.recordWritten = approved && this.written;
    d.cappIndicator = this.plan.cappIndicator;
    // Card gone between the TC GPO and the last record: it may have committed debit and record
    // (qpboc-facts §7.2). The terminal's torn-transaction recovery decides; the fare here is 0.
    if (k.torn) d.torn = { fare: this.fare, recordSent: this.written };
    this.describe(d);
    const fare = approved ? this.fare : 0;
    const balance = k.balanceAfter;
    let display: string;
    if (this.refused) display = this.message;
    else if (!approved) display = 'Not accepted: please tap again or use another card';
    else display = `${this.message || `Fare ${this.fmt(fare)}`}${balance >= 0 ? ` · balance ${this.fmt(balance)}` : ''}`;
    return { fare, rule: this.rule, details: d, display };
  }
}
