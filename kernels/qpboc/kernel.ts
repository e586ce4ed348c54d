/**
 * The QuickPass (qPBOC) kernel: a sans-I/O, synchronous state machine (DESIGN.md "The kernel is
 * sans-I/O"). It says what to send (`tx[0, txLen)`) and is told what came back (`rx[0, n)`):
 *
 *   const k = new QuickPassKernel(params);
 *   k.begin(txn);
 *   while (k.action === Action.Transmit) { const n = await session.transceive(k.tx, k.txLen, k.rx); k.receive(n); }
 *   k.outcome;
 *
 * Flow (qpboc-facts §1): SELECT PPSE → candidate list → SELECT AID → [profile hook] → pre-processing →
 * GPO → (ARQC/AAC: done) → [profile hook] → READ RECORD (AFL) → processing restrictions → deny list →
 * fDDA → CVM → outcome.
 *
 * Everything is allocated in the constructor; `begin`, `receive` and `fail` allocate nothing on the
 * non-ODA path (measured by test/kernel-alloc.test.ts and bench/kernel.bench.ts). Card behaviour never
 * throws: every response ends in an outcome with a reason. Exceptions are for bad parameters (at
 * construction) and programming errors (calling `receive` when no command is pending).
 */
import { randomFillSync } from 'node:crypto';
import { TlvCursor, TlvError } from '../tlv/cursor.js';
import { TagStore, TAG_STORE_FULL } from '../emv/tag-store.js';
import { buildDolData, dolDataLength } from '../emv/dol.js';
import { Afl, AflError, AflWalker, parseAfl } from '../emv/afl.js';
import { readAmount, writeAmount } from '../emv/bcd.js';
import {
  setBit,
  TSI_CVM_PERFORMED,
  TSI_ODA_PERFORMED,
  TVR_CARD_ON_EXCEPTION_FILE,
  TVR_DDA_FAILED,
  TVR_ICC_DATA_MISSING,
  TVR_ODA_NOT_PERFORMED,
  TVR_SDA_FAILED,
  TVR_TX_EXCEEDS_FLOOR_LIMIT,
} from '../emv/tvr.js';
import { ShanfuError } from '../util/errors.js';
import { beginGpo, buildReadRecord, buildSelectAid, buildSelectPpse, finishGpo, finishInternalAuthenticate, MAX_CAPDU } from './apdu.js';
import { cardDecision, dolHasTag, missingMandatoryTag } from './gpo.js';
import type { KernelHook } from './hook.js';
import { KernelOdaMethod, type OdaProvider, type OdaRequest } from './oda.js';
import { Action, Cryptogram, Outcome, Reason, type ActionCode, type OutcomeCode } from './outcome.js';
import type { AidConfig, DenyList, KernelParams } from './params.js';
import { preprocess, TTQ1_SIGNATURE_SUPPORTED, TTQ2_CVM_REQUIRED } from './preprocess.js';
import { RECORD_DUPLICATE, StaticData, storeRecord } from './records.js';
import { checkAppVersion, checkCurrency, checkDates, checkUsageControl } from './restrictions.js';
import { CandidateList, FciView, fillFromConfig, matchAid, parseAppFci, parsePpse } from './selection.js';

/** Why the caller stopped the exchange (`fail(code)`). */
export const KernelFailure = {
  /** The card left the field (TransportError 'card-removed', 'timeout', 'protocol', 'response-too-long'). */
  CardRemoved: 1,
  /** The reader or its service failed (TransportError 'reader-removed', 'service-unavailable', …). */
  ReaderFault: 2,
} as const;
export type KernelFailureCode = (typeof KernelFailure)[keyof typeof KernelFailure];

/**
 * Maps a TransportError code (hal/transport.ts) to the kernel's failure: card faults ('card-removed',
 * 'timeout', 'protocol', 'response-too-long') → CardRemoved (tap again); the rest → ReaderFault.
 */
export function kernelFailureOf(transportCode: string): KernelFailureCode {
  return transportCode === 'card-removed' || transportCode === 'timeout' || transportCode === 'protocol' || transportCode === 'response-too-long'
    ? KernelFailure.CardRemoved
    : KernelFailure.ReaderFault;
}

/** One transaction's inputs. Reuse one object per terminal to keep `begin` allocation-free. */
export interface Transaction {
  /** Amount, Authorised 9F02 in minor units (fen). 0..999999999999. */
  amount: number;
  /** Amount, Other 9F03 (cashback); default 0. */
  amountOther?: number;
  /** Transaction type 9C as its BCD byte (0x00 purchase, 0x20 refund…); default 0x00. */
  type?: number;
  /** CAPP transaction indicator DF60 (qpboc-facts §1.4); default 00. A profile hook may change it. */
  cappIndicator?: number;
}

export interface KernelOptions {
  /** Profile extension points (after selection; after GPO). */
  hook?: KernelHook | null;
  /** Offline data authentication engine; without one, ODA is "not performed" and offline approval fails per CTQ. */
  oda?: OdaProvider | null;
  /** Epoch milliseconds; default Date.now. Injected so every run can be replayed. */
  clock?: () => number;
  /** Fills `out[off, off+len)` with unpredictable bytes (9F37); default node:crypto randomFillSync (pooled). */
  random?: (out: Uint8Array, off: number, len: number) => void;
}

// States (numeric; DESIGN.md hot-path rules).
const ST_IDLE = 0;
const ST_SELECT_PPSE = 1;
const ST_SELECT_AID = 2;
const ST_HOOK_BEFORE_GPO = 3;
const ST_GPO = 4;
const ST_HOOK_AFTER_GPO = 5;
const ST_READ_RECORD = 6;
const ST_INTERNAL_AUTH = 8;
const ST_DONE = 7;

const SW_OK = 0x9000;
/** Largest R-APDU: 256 data bytes + SW1 SW2 (short Le), with 2 bytes to spare. */
export const RX_SIZE = 260;

/** Tags of an authorisation request's ICC data (IC field 55; qpboc-facts §1.12), in output order. */
const ONLINE_TAGS = [
  0x57, 0x5f34, 0x9f26, 0x9f27, 0x9f10, 0x9f36, 0x82, 0x9f6c, 0x9f5d, 0x9f63, 0x9f37, 0x9f02, 0x9f03, 0x9f1a, 0x95,
  0x5f2a, 0x9a, 0x9f21, 0x9c, 0x9f66, 0x9f33, 0x9f35, 0x9f1e, 0xdf60,
] as const;

/** Card data objects of a torn record (writeTornRecord). */
const TORN_CARD_TAGS = [0x5f34, 0x9f36, 0x9f5d, 0x9f79, 0x9f26] as const;

const RANDOM_POOL = 256;

export class QuickPassKernel {
  /** What to do next. */
  action: ActionCode = Action.Idle;
  /** The command to send: `tx[0, txLen)`. */
  readonly tx = new Uint8Array(MAX_CAPDU);
  txLen = 0;
  /** Where the caller puts the response (data ‖ SW1 SW2). */
  readonly rx = new Uint8Array(RX_SIZE);

  outcome: OutcomeCode = Outcome.None;
  /** Reason code (REASONS[reason].name). */
  reason: number = Reason.None;
  /** The cryptogram type the card returned at GPO (Cryptogram.*). */
  cryptogram: number = Cryptogram.None;
  /** Terminal Verification Results 95 (5 bytes). */
  readonly tvr = new Uint8Array(5);
  /** Transaction Status Information 9B (2 bytes). */
  readonly tsi = new Uint8Array(2);
  /** The selected application's DF name (`aid[0, aidLength)`). */
  readonly aid = new Uint8Array(16);
  aidLength = 0;
  /** Index in `params.aids` of the selected application, or -1. */
  aidIndex = -1;
  /** Card data: GPO response and records, as (tag → value) views. */
  readonly card = new TagStore(4096, 128);
  /** Terminal data: 9F02, 9F37, 9F66, 9A, … as sent to the card. */
  readonly terminal = new TagStore(512, 48);
  /** PAN in 5A form (BCD, F-padded): `pan[0, panLength)`; from 5A, else from track 2 (57). */
  readonly pan = new Uint8Array(10);
  panLength = 0;
  /** Cardholder verification outcome flags. */
  signatureRequired = false;
  onlinePinRequired = false;
  consumerDeviceCvm = false;
  /** Provider reason code of the last ODA failure (0 = none). */
  odaFailure = 0;
  /**
   * The card left after GPO returned TC and before the last record's response: the card may or may not
   * have debited (qpboc-facts §7.2). PAN, PSN, ATC, amount and balance stay readable for a torn record.
   */
  torn = false;
  /**
   * The card answered the last record after GPO returned TC: a qPBOC card debits EC (and commits a
   * cached CAPP record) there (qpboc-facts §7.2), whatever the terminal decides afterwards (ODA, CVM).
   * The terminal journals the amount as charged when this is set.
   */
  committed = false;
  /** Commands exchanged in this tap (timing counter). */
  apduCount = 0;
  /** Transaction date yyyymmdd and time hhmmss (from the clock at `begin`). */
  transactionDate = 0;
  transactionTime = 0;

  readonly params: KernelParams;
  hook: KernelHook | null;
  oda: OdaProvider | null;
  private readonly denyList: DenyList | null;
  private readonly clock: () => number;
  private readonly random: (out: Uint8Array, off: number, len: number) => void;

  private state = ST_IDLE;
  private amount_ = 0;
  private readonly cursor = new TlvCursor();
  private readonly candidates = new CandidateList();
  private readonly fci = new FciView();
  private readonly pdol = new Uint8Array(256);
  private pdolLength = 0;
  private readonly afl = new Afl();
  private readonly walker = new AflWalker();
  private readonly staticData = new StaticData();
  /** DDOL data of INTERNAL AUTHENTICATE (DDA), `ddolData[0, ddolDataLength)`. */
  private readonly ddolData = new Uint8Array(252);
  private ddolDataLength = 0;
  /** INTERNAL AUTHENTICATE was sent and answered: ODA runs as DDA. */
  private ddaDone = false;
  private ddaFailed = false;
  private tornWindow = false;
  /** DF69 = 01 went to the card in the PDOL data (the card may answer with SM data, §1.4/§3.1). */
  private df69Sent = false;
  /** card.used after the GPO response: values below it came from GPO (records.ts storeRecord). */
  private gpoBoundary = 0;
  private readonly randomPool = new Uint8Array(RANDOM_POOL);
  private randomUsed = RANDOM_POOL;
  private readonly odaRequest: OdaRequest;

  constructor(params: KernelParams, options: KernelOptions = {}) {
    checkParams(params);
    this.params = params;
    this.hook = options.hook ?? null;
    this.oda = options.oda ?? null;
    this.denyList = params.denyList ?? null;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? this.pooledRandom;
    this.odaRequest = {
      method: KernelOdaMethod.Fdda,
      sm: false,
      card: this.card,
      terminal: this.terminal,
      aid: this.aid,
      aidLength: 0,
      pan: this.pan,
      panLength: 0,
      ddolData: this.ddolData,
      ddolDataLength: 0,
      staticData: this.staticData.buf,
      staticDataLength: 0,
      transactionDate: 0,
    };
  }

  /** Amount, Authorised in minor units for this tap. */
  get amount(): number {
    return this.amount_;
  }

  /** Starts a tap: resets all per-transaction state and asks for SELECT PPSE. */
  begin(txn: Transaction): void {
    const amount = txn.amount;
    const other = txn.amountOther ?? 0;
    const type = txn.type ?? 0;
    const capp = txn.cappIndicator ?? 0;
    if (!Number.isInteger(amount) || amount < 0 || amount > 999_999_999_999) throw new RangeError('txn.amount must be an integer in 0..999999999999');
    if (!Number.isInteger(other) || other < 0 || other > 999_999_999_999) throw new RangeError('txn.amountOther must be an integer in 0..999999999999');
    if (!Number.isInteger(type) || type < 0 || type > 0x99) throw new RangeError('txn.type must be a BCD byte');
    if (!Number.isInteger(capp) || capp < 0 || capp > 255) throw new RangeError('txn.cappIndicator must be a byte');
    this.outcome = Outcome.None;
    this.reason = Reason.None;
    this.cryptogram = Cryptogram.None;
    this.tvr.fill(0);
    this.tsi.fill(0);
    this.aidLength = 0;
    this.aidIndex = -1;
    this.panLength = 0;
    this.signatureRequired = false;
    this.onlinePinRequired = false;
    this.consumerDeviceCvm = false;
    this.odaFailure = 0;
    this.torn = false;
    this.tornWindow = false;
    this.committed = false;
    this.apduCount = 0;
    this.card.clear();
    this.staticData.clear();
    this.afl.count = 0;
    this.ddolDataLength = 0;
    this.ddaDone = false;
    this.ddaFailed = false;
    this.amount_ = amount;
    this.setTerminalData(other, type, capp);
    this.txLen = buildSelectPpse(this.tx);
    this.state = ST_SELECT_PPSE;
    this.action = Action.Transmit;
  }

  /** For profile hooks (before GPO): the amount to authorise, in minor units. */
  setAmount(amount: number): void {
    if (this.state !== ST_HOOK_BEFORE_GPO) throw new Error('setAmount: only from a beforeGpo hook');
    if (!Number.isInteger(amount) || amount < 0 || amount > 999_999_999_999) throw new RangeError('amount must be an integer in 0..999999999999');
    this.amount_ = amount;
    writeAmount(amount, this.terminal.buf, this.terminal.offset(0x9f02), 6);
  }

  /** For profile hooks (before GPO): the CAPP transaction indicator DF60 (qpboc-facts §1.4). */
  setCappIndicator(value: number): void {
    if (this.state !== ST_HOOK_BEFORE_GPO) throw new Error('setCappIndicator: only from a beforeGpo hook');
    this.terminal.buf[this.terminal.offset(0xdf60)] = value & 0xff;
  }

  /**
   * For profile hooks (either step): ends the tap now with `outcome` and `reason` — e.g. a terminal's
   * anti-passback guard (Declined `already-charged`) or torn-transaction recovery (Approved
   * `torn-completed`). Before the last record the card has not committed, so nothing is charged.
   * The hook then returns 0.
   */
  endTap(outcome: OutcomeCode, reason: number): void {
    if (this.state !== ST_HOOK_BEFORE_GPO && this.state !== ST_HOOK_AFTER_GPO) throw new Error('endTap: only from a KernelHook');
    if (outcome === Outcome.None || !Number.isInteger(reason) || reason <= Reason.None) throw new RangeError('endTap: an outcome and a reason code');
    this.tornWindow = false;
    this.finish(outcome, reason);
  }

  /** The card's response is in `rx[0, n)`. */
  receive(n: number): void {
    if (this.action !== Action.Transmit) throw new Error('receive: no command is pending (check k.action)');
    if (!Number.isInteger(n) || n < 0 || n > RX_SIZE) throw new RangeError(`receive: n must be an integer in 0..${RX_SIZE}`);
    this.apduCount++;
    if (n < 2) {
      this.finish(Outcome.EndApplication, Reason.ResponseTooShort);
      return;
    }
    const sw = (this.rx[n - 2]! << 8) | this.rx[n - 1]!;
    const dataLen = n - 2;
    switch (this.state) {
      case ST_SELECT_PPSE:
        this.onSelectPpse(sw, dataLen);
        break;
      case ST_SELECT_AID:
        this.onSelectAid(sw, dataLen);
        break;
      case ST_HOOK_BEFORE_GPO:
      case ST_HOOK_AFTER_GPO:
        this.runHook(n);
        break;
      case ST_GPO:
        this.onGpo(sw, dataLen);
        break;
      case ST_READ_RECORD:
        this.onRecord(sw, dataLen);
        break;
      case ST_INTERNAL_AUTH:
        this.onInternalAuthenticate(sw, dataLen);
        break;
      default:
        throw new Error('receive: kernel in an unexpected state');
    }
  }

  /**
   * The exchange failed (card removed, reader fault). Ends the tap: TryAgain `card-removed`, or
   * EndApplication `reader-fault`. Sets `torn` when the card left inside the qPBOC risk window.
   */
  fail(code: KernelFailureCode): void {
    if (this.action !== Action.Transmit) return;
    // qpboc-facts §7.2: the window runs from GPO (TC) until the last record's response.
    this.torn = this.tornWindow;
    if (code === KernelFailure.ReaderFault) this.finish(Outcome.EndApplication, Reason.ReaderFault);
    else this.finish(Outcome.TryAgain, Reason.CardRemoved);
  }

  // ---- terminal data ----------------------------------------------------------------------

  /** Writes the terminal's data objects for this tap (PDOL sources; online data). */
  private setTerminalData(amountOther: number, type: number, capp: number): void {
    const t = this.terminal;
    const p = this.params;
    t.clear();
    writeAmount(this.amount_, t.buf, t.reserve(0x9f02, 6), 6);
    writeAmount(amountOther, t.buf, t.reserve(0x9f03, 6), 6);
    writeAmount(p.countryCode, t.buf, t.reserve(0x9f1a, 2), 2);
    writeAmount(p.currencyCode, t.buf, t.reserve(0x5f2a, 2), 2);
    t.setByte(0x5f36, p.currencyExponent);
    t.reserve(0x95, 5); // TVR: zero at GPO time (§1.4); final value written by finish()
    for (let i = 0; i < 5; i++) t.buf[t.offset(0x95) + i] = 0;
    t.setByte(0x9c, type); // n2 as one BCD byte, e.g. 0x00 purchase
    t.setByte(0xdf60, capp);
    t.setByte(0xdf69, p.smSupported ? 0x01 : 0x00); // §1.4: SM algorithm support indicator
    t.setByte(0x9f35, p.terminalType);
    t.set(0x9f33, p.capabilities, 0, 3);
    t.set(0x9f40, p.additionalCapabilities, 0, 5);
    t.set(0x9f66, p.ttq, 0, 4);
    this.writeDateTime();
    const un = t.reserve(0x9f37, 4);
    this.random(t.buf, un, 4);
  }

  /** 9A (YYMMDD) and 9F21 (hhmmss) from the injected clock, in the configured time zone. No Date object. */
  private writeDateTime(): void {
    const ms = this.clock() + this.params.timezoneOffsetMinutes * 60000;
    const days = Math.floor(ms / 86400000);
    let secs = Math.floor((ms - days * 86400000) / 1000);
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    this.transactionDate = y * 10000 + m * 100 + d;
    const hh = Math.floor(secs / 3600);
    secs -= hh * 3600;
    const mi = Math.floor(secs / 60);
    const ss = secs - mi * 60;
    this.transactionTime = hh * 10000 + mi * 100 + ss;
    const t = this.terminal;
    const o = t.reserve(0x9a, 3);
    writeAmount(y % 100, t.buf, o, 1);
    writeAmount(m, t.buf, o + 1, 1);
    writeAmount(d, t.buf, o + 2, 1);
    writeAmount(this.transactionTime, t.buf, t.reserve(0x9f21, 3), 3);
  }

  /** Default unpredictable-number source: randomFillSync into a pool, refilled every 64 taps. */
  private readonly pooledRandom = (out: Uint8Array, off: number, len: number): void => {
    for (let i = 0; i < len; i++) {
      if (this.randomUsed >= RANDOM_POOL) {
        randomFillSync(this.randomPool);
        this.randomUsed = 0;
      }
      out[off + i] = this.randomPool[this.randomUsed++]!;
    }
  };

  // ---- selection (EMV Book B §3.3; qpboc-facts §1.2) ---------------------------------------------

  /** PPSE response: build the candidate list; 6A82 (no PPSE) → the configured AIDs by direct SELECT. */
  private onSelectPpse(sw: number, dataLen: number): void {
    if (sw === SW_OK) {
      const r = parsePpse(this.rx, dataLen, this.cursor, this.params.aids, this.candidates);
      if (r !== Reason.None) {
        this.finish(Outcome.EndApplication, r);
        return;
      }
    } else if (sw === 0x6a82) {
      fillFromConfig(this.params.aids, this.candidates);
    } else {
      this.finish(Outcome.EndApplication, Reason.SelectFailed);
      return;
    }
    this.selectNextCandidate();
  }

  /**
   * SELECT the next candidate, or end with `no-application` when none is left. Chosen over
   * TryAnotherInterface: a card without a matching qPBOC application cannot be helped by contact
   * on a contactless-only validator; terminals with contact may map it themselves.
   */
  private selectNextCandidate(): void {
    const c = this.candidates;
    if (c.current >= c.count) {
      this.finish(Outcome.EndApplication, Reason.NoApplication);
      return;
    }
    this.txLen = buildSelectAid(this.tx, c.aids, c.aidOffset(c.current), c.aidLen[c.current]!);
    this.state = ST_SELECT_AID;
  }

  /** SELECT AID response: 9000 with a valid FCI → final selection; 6283 (blocked) or anything else → next. */
  private onSelectAid(sw: number, dataLen: number): void {
    const c = this.candidates;
    if (sw !== SW_OK || parseAppFci(this.rx, dataLen, this.cursor, this.fci) !== Reason.None) {
      c.current++;
      this.selectNextCandidate();
      return;
    }
    const f = this.fci;
    // EMV Book 1 §12.4: the FCI's DF name (84) must be the name selected, or start with it (partial
    // selection returns the full name), and must still be one the terminal accepts.
    const idx = matchAid(this.params.aids, this.rx, f.dfNameOff, f.dfNameLen);
    if (idx < 0 || f.pdolLen > this.pdol.length || !startsWith(this.rx, f.dfNameOff, f.dfNameLen, c.aids, c.aidOffset(c.current), c.aidLen[c.current]!)) {
      c.current++;
      this.selectNextCandidate();
      return;
    }
    this.aidIndex = idx;
    this.aidLength = f.dfNameLen;
    for (let i = 0; i < f.dfNameLen; i++) this.aid[i] = this.rx[f.dfNameOff + i]!;
    this.pdolLength = f.pdolOff < 0 ? 0 : f.pdolLen;
    for (let i = 0; i < this.pdolLength; i++) this.pdol[i] = this.rx[f.pdolOff + i]!;
    const aidCfg = this.params.aids[idx]!;
    this.terminal.set(0x9f09, aidCfg.appVersion, 0, 2);
    this.terminal.set(0x9f06, aidCfg.aid, 0, aidCfg.aid.length);
    if (this.hook !== null && this.hook.beforeGpo !== undefined) {
      this.state = ST_HOOK_BEFORE_GPO;
      this.runHook(-1);
    } else this.startGpo();
  }

  // ---- profile hooks (DESIGN.md "Profiles plug into the kernel") --------------------------------

  /** Calls the hook of the current step; it sends a command (>0), finishes the step (0) or ends the tap (<0). */
  private runHook(responseLength: number): void {
    const h = this.hook!;
    const before = this.state === ST_HOOK_BEFORE_GPO;
    const r = before ? h.beforeGpo!(this, responseLength) : h.afterGpo!(this, responseLength);
    if (this.state === ST_DONE) return; // the hook called endTap
    if (r > 0) {
      if (!Number.isInteger(r) || r > MAX_CAPDU) throw new RangeError('KernelHook: command length must be an integer ≤ 261');
      this.txLen = r;
      return;
    }
    if (r < 0) {
      this.finish(Outcome.EndApplication, Reason.HookFailed);
      return;
    }
    if (before) this.startGpo();
    else this.startRecords();
  }

  // ---- pre-processing + GPO (qpboc-facts §1.4–§1.7) -----------------------------------------------

  /** Pre-processing for the selected AID, then GET PROCESSING OPTIONS with the PDOL data. */
  private startGpo(): void {
    const aidCfg: AidConfig = this.params.aids[this.aidIndex]!;
    const t = this.terminal;
    const ttqOff = t.offset(0x9f66);
    for (let i = 0; i < 4; i++) t.buf[ttqOff + i] = this.params.ttq[i]!;
    const pre = preprocess(aidCfg, this.amount_, this.params.currencyExponent, t.buf, ttqOff);
    if (pre !== Reason.None) {
      this.finish(Outcome.TryAnotherInterface, pre);
      return;
    }
    if (aidCfg.floorLimit !== null && this.amount_ >= aidCfg.floorLimit) setBit(this.tvr, 0, TVR_TX_EXCEEDS_FLOOR_LIMIT);
    // §1.4: a qPBOC PDOL must ask for the TTQ; otherwise this is not a qPBOC application.
    if (!dolHasTag(this.pdol, 0, this.pdolLength, 0x9f66)) {
      this.finish(this.params.contactSupported ? Outcome.TryAnotherInterface : Outcome.EndApplication, Reason.PdolWithoutTtq);
      return;
    }
    const len = dolDataLength(this.pdol, 0, this.pdolLength);
    if (len < 0) {
      this.finish(Outcome.EndApplication, Reason.FciMalformed);
      return;
    }
    // 5 header + 3 (83 81 Ln) + data + Le must fit the short C-APDU.
    if (len > MAX_CAPDU - 9) {
      this.finish(Outcome.EndApplication, Reason.DataOverflow);
      return;
    }
    this.df69Sent = this.params.smSupported && dolHasTag(this.pdol, 0, this.pdolLength, 0xdf69);
    const off = beginGpo(this.tx, len);
    buildDolData(this.pdol, 0, this.pdolLength, t, this.tx, off);
    this.txLen = finishGpo(this.tx, off + len);
    this.card.clear();
    this.state = ST_GPO;
  }

  /** GPO response: status words, format 1/2 parsing, mandatory data, the card's decision. */
  private onGpo(sw: number, dataLen: number): void {
    if (sw !== SW_OK) {
      if (sw === 0x6985) {
        // §1.2 (QK QAppInit): conditions not satisfied → next candidate.
        this.candidates.current++;
        this.selectNextCandidate();
      } else if (sw === 0x6984) this.finish(Outcome.TryAnotherInterface, Reason.TryAnotherInterfaceRequested);
      else if (sw === 0x6986) this.finish(Outcome.TryAgain, Reason.SeePhone);
      else this.finish(Outcome.EndApplication, Reason.GpoFailed);
      return;
    }
    const r = this.parseGpoResponse(dataLen);
    if (r !== Reason.None) {
      this.finish(Outcome.EndApplication, r);
      return;
    }
    const card = this.card;
    this.gpoBoundary = card.used;
    if (missingMandatoryTag(card) !== 0) {
      // §1.7 (QK): no qPBOC data (AIP byte 2 b8 clear, no 9F26) → the contact interface may work.
      const noQpboc = (card.byte(0x82, 1) & 0x80) === 0 && !card.has(0x9f26);
      if (noQpboc && this.params.contactSupported) this.finish(Outcome.TryAnotherInterface, Reason.TryAnotherInterfaceRequested);
      else this.finish(Outcome.EndApplication, Reason.MissingMandatoryData);
      return;
    }
    if (card.has(0x9f6c) && card.length(0x9f6c) !== 2) {
      this.finish(Outcome.EndApplication, Reason.BadData);
      return;
    }
    this.extractPan();
    const decision = cardDecision(card);
    this.cryptogram = decision;
    if (decision === Cryptogram.None) {
      this.finish(Outcome.EndApplication, Reason.NoCryptogramDecision);
      return;
    }
    if (decision === Cryptogram.AAC) {
      this.finish(Outcome.Declined, Reason.CardDeclined);
      return;
    }
    if (this.cashNeedsAnotherInterface()) {
      this.finish(Outcome.TryAnotherInterface, Reason.CashNotAllowed);
      return;
    }
    if (decision === Cryptogram.ARQC) {
      // §1.12 rule 1: online with the GPO data; the CVM the card asks for goes with it.
      this.evaluateCvm();
      this.goOnline(this.onlinePinRequired ? Reason.OnlinePin : Reason.OnlineAuthorisation);
      return;
    }
    // TC: the records follow (§1.12 rule 2).
    const aflOff = card.offset(0x94);
    if (aflOff >= 0 && (aflRfuBitsSet(card.buf, aflOff, card.length(0x94)) || parseAfl(card.buf, aflOff, card.length(0x94), this.afl) !== AflError.None)) {
      this.finish(Outcome.EndApplication, Reason.AflInvalid);
      return;
    }
    // Exception file before the records: the card commits (debits EC) when it answers the last
    // record (qpboc-facts §7.2), so a deny-listed card is stopped here when the GPO carried PAN + PSN;
    // otherwise completeOffline checks it once the records have supplied them.
    if (this.card.has(0x5f34) && this.checkDenyList()) return;
    this.tornWindow = this.afl.count > 0;
    if (this.hook !== null && this.hook.afterGpo !== undefined) {
      this.state = ST_HOOK_AFTER_GPO;
      this.runHook(-1);
    } else this.startRecords();
  }

  /**
   * Stores the GPO response data `rx[0, dataLen)`: format 1 `80 | AIP(2) AFL(4n)` or format 2 template 77
   * (EMV Book 3 §6.5.8.4). Returns Reason.None or why the response is unusable.
   */
  private parseGpoResponse(dataLen: number): number {
    const c = this.cursor;
    const rx = this.rx;
    c.reset(rx, 0, dataLen);
    if (!c.next()) return Reason.GpoMalformed;
    const end = c.valueEnd;
    if (c.tag === 0x80 && !c.constructed) {
      const len = c.length;
      if (len < 2 || (len - 2) % 4 !== 0) return Reason.GpoMalformed;
      this.card.set(0x82, rx, c.valueOffset, 2);
      if (len > 2) this.card.set(0x94, rx, c.valueOffset + 2, len - 2);
    } else if (c.tag === 0x77 && c.constructed) {
      const s = this.card.storeTlv(rx, c.valueOffset, c.length, c);
      if (s === TAG_STORE_FULL) return Reason.DataOverflow;
      if (s !== TlvError.None) return Reason.GpoMalformed;
      if (this.card.duplicate) return Reason.DuplicateData;
    } else return Reason.GpoMalformed;
    // Nothing but padding may follow the template (Book 3 §6.5.8.4).
    c.reset(rx, end, dataLen);
    if (c.next() || c.error !== TlvError.None) return Reason.GpoMalformed;
    return Reason.None;
  }

  /**
   * qpboc-facts §1.8: CTQ byte 1 0x04 "switch interface for cash" (9C = 01) and 0x02 "switch
   * interface for cashback" (9C = 09, or an Amount, Other) send the cardholder to another interface.
   */
  private cashNeedsAnotherInterface(): boolean {
    const ctq1 = this.card.byte(0x9f6c);
    if (ctq1 < 0 || (ctq1 & 0x06) === 0) return false;
    const t = this.terminal;
    const type = t.byte(0x9c);
    if (type === 0x01 && (ctq1 & 0x04) !== 0) return true;
    if ((ctq1 & 0x02) === 0) return false;
    if (type === 0x09) return true;
    const o = t.offset(0x9f03);
    for (let i = 0; i < 6; i++) if (t.buf[o + i] !== 0) return true;
    return false;
  }

  /** PAN in 5A form into `pan`: from 5A, else the digits of track 2 (57) before the 'D' separator. */
  private extractPan(): void {
    const card = this.card;
    const b = card.buf;
    let off = card.offset(0x5a);
    let len = card.length(0x5a);
    if (off >= 0 && len > 0 && len <= 10) {
      for (let i = 0; i < len; i++) this.pan[i] = b[off + i]!;
      this.panLength = len;
      return;
    }
    off = card.offset(0x57);
    len = card.length(0x57);
    let digits = 0;
    while (digits < 19 && digits < len * 2) {
      const nib = digits % 2 === 0 ? b[off + (digits >> 1)]! >> 4 : b[off + (digits >> 1)]! & 15;
      if (nib > 9) break;
      digits++;
    }
    const bytes = (digits + 1) >> 1;
    for (let i = 0; i < bytes; i++) this.pan[i] = b[off + i]!;
    if (digits % 2 === 1) this.pan[bytes - 1] = (this.pan[bytes - 1]! & 0xf0) | 0x0f;
    this.panLength = bytes;
  }

  // ---- read records (EMV Book 3 §10.2; qpboc-facts §1.11, §2.6) -----------------------------------

  private startRecords(): void {
    this.walker.reset(this.afl);
    this.readNextRecord();
  }

  private readNextRecord(): void {
    if (this.walker.next()) {
      this.txLen = buildReadRecord(this.tx, this.walker.sfi, this.walker.record);
      this.state = ST_READ_RECORD;
      return;
    }
    this.tornWindow = false;
    this.completeOffline();
  }

  /** A record: template 70 parsed into the card store; ODA records appended to the static data (§2.6). */
  private onRecord(sw: number, dataLen: number): void {
    if (sw !== SW_OK) {
      this.finish(Outcome.EndApplication, sw === 0x6a83 ? Reason.RecordNotFound : Reason.RecordFailed);
      return;
    }
    // The last record's response arrived: the card has committed (§7.2).
    if (this.walker.isLast) {
      this.tornWindow = false;
      this.committed = true;
    }
    const w = this.walker;
    const c = this.cursor;
    const rx = this.rx;
    // SFI 1–10 hold EMV data in template 70 (Book 3 §10.2); SFI 11–30 are issuer files whose content
    // the kernel reads when it is TLV but does not require to be.
    const emvFile = w.sfi <= 10;
    c.reset(rx, 0, dataLen);
    const is70 = c.next() && c.tag === 0x70 && c.constructed;
    if (!is70) {
      if (emvFile && c.error !== TlvError.None) {
        this.finish(Outcome.EndApplication, Reason.RecordMalformed);
        return;
      }
      // Book 3 §10.3 / qpboc-facts §1.11 (QK "SDA data error"): an ODA record not in template 70 fails
      // ODA; any other non-70 record in SFI 1–10 is unusable data.
      if (w.forOda) this.staticData.error = true;
      else if (emvFile) {
        this.finish(Outcome.EndApplication, Reason.RecordMalformed);
        return;
      }
      this.readNextRecord();
      return;
    }
    const vOff = c.valueOffset;
    const vLen = c.length;
    // Book 3 §10.2: nothing may follow template 70 — not even FF/00 padding (openemv-utils agrees:
    // emv_read_application_data test 5).
    if (emvFile && c.valueEnd !== dataLen) {
      this.finish(Outcome.EndApplication, Reason.RecordMalformed);
      return;
    }
    const s = storeRecord(this.card, rx, vOff, vLen, c, this.gpoBoundary);
    if (s === RECORD_DUPLICATE || s === TAG_STORE_FULL || (s !== TlvError.None && emvFile)) {
      // Book 3 §10.2: a data object already read is a reason to terminate (records.ts storeRecord).
      this.finish(Outcome.EndApplication, s === TAG_STORE_FULL ? Reason.DataOverflow : s === RECORD_DUPLICATE ? Reason.DuplicateData : Reason.RecordMalformed);
      return;
    }
    // §2.6: SFI 1–10 → the value of template 70; SFI 11–30 → the whole record.
    if (w.forOda) {
      if (emvFile) this.staticData.append(rx, vOff, vLen);
      else this.staticData.append(rx, 0, dataLen);
    }
    this.readNextRecord();
  }

  // ---- after the records: restrictions, deny list, ODA, CVM (qpboc-facts §1.12 rule 2) ------------

  private completeOffline(): void {
    const card = this.card;
    // The PAN may arrive in the records (5A).
    this.extractPan();
    // §2.6: 9F4A (SDA tag list) may only list 82 → append the AIP.
    if (card.has(0x9f4a)) {
      if (card.length(0x9f4a) === 1 && card.byte(0x9f4a) === 0x82) this.staticData.append(card.buf, card.offset(0x82), 2);
      else this.staticData.error = true;
    }
    if (this.checkRestrictions()) return;
    if (this.checkDenyList()) return;
    if (this.needsInternalAuthenticate()) {
      this.sendInternalAuthenticate();
      return;
    }
    this.authenticateAndDecide();
  }

  /** ODA, then CVM, then the offline decision (§1.12 rule 2). */
  private authenticateAndDecide(): void {
    if (!this.performOda()) {
      this.odaFailed();
      return;
    }
    this.evaluateCvm();
    if (this.onlinePinRequired) {
      this.goOnline(Reason.OnlinePin);
      return;
    }
    this.finish(Outcome.Approved, Reason.ApprovedOffline);
  }

  /**
   * DDA (EMV Book 3 §10.3, Book 2 §6.5): the AIP says DDA and the card gave no SDAD (9F4B) at GPO or in
   * the records, so it expects INTERNAL AUTHENTICATE. (With 9F4B present, ODA is qPBOC fDDA.)
   */
  private needsInternalAuthenticate(): boolean {
    return this.oda !== null && (this.card.byte(0x82) & 0x20) !== 0 && !this.card.has(0x9f4b) && !this.staticData.error;
  }

  /** INTERNAL AUTHENTICATE with the card's DDOL 9F49, or the default DDOL 9F3704 (Book 3 §6.5.9). */
  private sendInternalAuthenticate(): void {
    const card = this.card;
    const off = card.offset(0x9f49);
    let len = 0;
    if (off >= 0) {
      len = dolDataLength(card.buf, off, card.length(0x9f49));
      if (len >= 0 && len <= 250) len = buildDolData(card.buf, off, card.length(0x9f49), this.terminal, this.tx, 5);
      else len = -1;
    } else {
      // Default DDOL = 9F37 04: the unpredictable number.
      len = this.terminal.copyTo(0x9f37, this.tx, 5);
    }
    if (len < 0) {
      this.ddaFailed = true;
      this.ddaDone = true;
      this.authenticateAndDecide();
      return;
    }
    for (let i = 0; i < len; i++) this.ddolData[i] = this.tx[5 + i]!;
    this.ddolDataLength = len;
    this.txLen = finishInternalAuthenticate(this.tx, len);
    this.state = ST_INTERNAL_AUTH;
  }

  /** INTERNAL AUTHENTICATE response: format 1 `80 <SDAD>` or template 77 with 9F4B (Book 3 §6.5.9.4). */
  private onInternalAuthenticate(sw: number, dataLen: number): void {
    this.ddaDone = true;
    const c = this.cursor;
    c.reset(this.rx, 0, dataLen);
    if (sw !== SW_OK || !c.next()) this.ddaFailed = true;
    else if (c.tag === 0x80 && !c.constructed) {
      if (!this.card.set(0x9f4b, this.rx, c.valueOffset, c.length)) this.ddaFailed = true;
    } else if (c.tag === 0x77 && c.constructed) {
      c.enter();
      let found = false;
      while (c.next()) {
        if ((c.tag as number) === 0x9f4b) {
          found = this.card.set(0x9f4b, this.rx, c.valueOffset, c.length);
          break;
        }
      }
      if (!found) this.ddaFailed = true;
    } else this.ddaFailed = true;
    this.authenticateAndDecide();
  }

  /** Processing restrictions (restrictions.ts). True when the tap ended. */
  private checkRestrictions(): boolean {
    const card = this.card;
    const dates = checkDates(card, this.transactionDate, this.tvr);
    if (dates === Reason.BadData) {
      this.finish(Outcome.EndApplication, Reason.BadData);
      return true;
    }
    if (dates === Reason.ApplicationNotEffective) {
      this.finish(Outcome.Declined, Reason.ApplicationNotEffective);
      return true;
    }
    if (dates === Reason.ApplicationExpired) {
      // §1.12 rule 3: expired + CTQ byte 1 0x08 ("go online if application expired") → online; else decline.
      if ((card.byte(0x9f6c) & 0x08) !== 0 && !this.params.offlineOnly) this.finish(Outcome.OnlineRequest, Reason.ExpiredOnline);
      else this.finish(Outcome.Declined, Reason.ApplicationExpired);
      return true;
    }
    checkAppVersion(card, this.params.aids[this.aidIndex]!.appVersion, this.tvr);
    if (checkUsageControl(card, this.params.countryCode, this.tvr) !== Reason.None) {
      this.finish(Outcome.Declined, Reason.ServiceNotAllowed);
      return true;
    }
    if (checkCurrency(card, this.params.currencyCode) !== Reason.None) {
      this.finish(Outcome.Declined, Reason.CurrencyMismatch);
      return true;
    }
    return false;
  }

  /** Terminal exception file (§1.11): PAN + PSN. True when the tap ended. */
  private checkDenyList(): boolean {
    if (this.denyList === null || this.panLength === 0) return false;
    if (!this.denyList.isDenied(this.pan, 0, this.panLength, this.card.byte(0x5f34))) return false;
    setBit(this.tvr, 0, TVR_CARD_ON_EXCEPTION_FILE);
    this.finish(Outcome.Declined, Reason.DenyList);
    return true;
  }

  /**
   * ODA per the AIP (byte 1: 0x20 DDA → fDDA in qPBOC, 0x40 SDA; Book 3 §10.3, qpboc-facts §1.11).
   * True when authentication succeeded; sets the TVR/TSI bits either way.
   */
  private performOda(): boolean {
    const card = this.card;
    const aip1 = card.byte(0x82);
    const method = (aip1 & 0x20) !== 0 ? (this.ddaDone ? KernelOdaMethod.Dda : KernelOdaMethod.Fdda) : (aip1 & 0x40) !== 0 ? KernelOdaMethod.Sda : 0;
    if (method === 0 || this.oda === null) {
      setBit(this.tvr, 0, TVR_ODA_NOT_PERFORMED);
      return false;
    }
    setBit(this.tsi, 0, TSI_ODA_PERFORMED);
    const failedBit = method === KernelOdaMethod.Sda ? TVR_SDA_FAILED : TVR_DDA_FAILED;
    if (this.staticData.error || this.ddaFailed) {
      setBit(this.tvr, 0, failedBit);
      return false;
    }
    const sm = this.df69Sent && isSmData(card);
    if (odaDataMissing(card, method, sm)) {
      // Book 3 §10.3: a data object ODA needs is absent → "ICC data missing" and ODA failed.
      setBit(this.tvr, 0, TVR_ICC_DATA_MISSING);
      setBit(this.tvr, 0, failedBit);
      return false;
    }
    const q = this.odaRequest;
    q.method = method;
    q.sm = sm;
    q.aidLength = this.aidLength;
    q.panLength = this.panLength;
    q.ddolDataLength = this.ddolDataLength;
    q.staticDataLength = this.staticData.length;
    q.transactionDate = this.transactionDate;
    const code = this.oda.authenticate(q);
    if (code !== 0) {
      this.odaFailure = code;
      setBit(this.tvr, 0, failedBit);
      return false;
    }
    return true;
  }

  /** §1.8 (QK QfDDAProcess): CTQ 0x20 + online-capable → online; 0x10 → contact; else decline. */
  private odaFailed(): void {
    const ctq1 = this.card.byte(0x9f6c);
    if (ctq1 >= 0 && (ctq1 & 0x20) !== 0 && !this.params.offlineOnly) this.finish(Outcome.OnlineRequest, Reason.OdaFailedOnline);
    else if (ctq1 >= 0 && (ctq1 & 0x10) !== 0) this.finish(Outcome.TryAnotherInterface, Reason.OdaFailedTryContact);
    else this.finish(Outcome.Declined, Reason.OdaFailed);
  }

  /**
   * CVM (§1.8; QK QCardholderVerification): CTQ byte 2 0x80 = consumer device CVM performed (satisfies
   * the CVM); byte 1 0x80 = online PIN; byte 1 0x40 = signature. Without a CTQ: signature when the
   * reader supports it (TTQ byte 1 0x02) and the CVM is required (TTQ byte 2 0x40).
   */
  private evaluateCvm(): void {
    const card = this.card;
    if (card.length(0x9f6c) === 2) {
      const ctq1 = card.byte(0x9f6c, 0);
      const ctq2 = card.byte(0x9f6c, 1);
      if ((ctq2 & 0x80) !== 0) this.consumerDeviceCvm = true;
      else if ((ctq1 & 0x80) !== 0) this.onlinePinRequired = true;
      else if ((ctq1 & 0x40) !== 0) this.signatureRequired = true;
    } else {
      const t = this.terminal;
      const ttqOff = t.offset(0x9f66);
      if ((t.buf[ttqOff]! & TTQ1_SIGNATURE_SUPPORTED) !== 0 && (t.buf[ttqOff + 1]! & TTQ2_CVM_REQUIRED) !== 0) this.signatureRequired = true;
    }
    if (this.consumerDeviceCvm || this.onlinePinRequired || this.signatureRequired) setBit(this.tsi, 0, TSI_CVM_PERFORMED);
  }

  /** OnlineRequest, or Declined `online-not-possible` on an offline-only reader. */
  private goOnline(reason: number): void {
    if (this.params.offlineOnly) this.finish(Outcome.Declined, Reason.OnlineNotPossible);
    else this.finish(Outcome.OnlineRequest, reason);
  }

  private finish(outcome: OutcomeCode, reason: number): void {
    this.outcome = outcome;
    this.reason = reason;
    this.action = Action.Done;
    this.state = ST_DONE;
    this.txLen = 0;
    const t = this.terminal;
    const o = t.offset(0x95);
    if (o >= 0) for (let i = 0; i < 5; i++) t.buf[o + i] = this.tvr[i]!;
  }

  // ---- outcome data accessors -------------------------------------------------------------------

  /** Application Transaction Counter 9F36, or -1. */
  get atc(): number {
    const o = this.card.offset(0x9f36);
    return o < 0 || this.card.length(0x9f36) !== 2 ? -1 : (this.card.buf[o]! << 8) | this.card.buf[o + 1]!;
  }

  /** PAN sequence number 5F34, or -1. */
  get psn(): number {
    return this.card.byte(0x5f34);
  }

  /** Copies the 8-byte application cryptogram 9F26 to `out[off…]`; returns 8, or 0 when absent. */
  copyCryptogram(out: Uint8Array, off: number): number {
    return this.card.length(0x9f26) === 8 ? this.card.copyTo(0x9f26, out, off) : 0;
  }

  /**
   * EC balance after the transaction as reported by the card: 9F5D (available offline spending amount)
   * or 9F79 (EC balance); -1 when the card sent neither. qPBOC cards report it after the debit [?, §1.10].
   */
  get balanceAfter(): number {
    const c = this.card;
    let o = c.offset(0x9f5d);
    if (o < 0 || c.length(0x9f5d) !== 6) {
      o = c.offset(0x9f79);
      if (o < 0 || c.length(0x9f79) !== 6) return -1;
    }
    return readAmount(c.buf, o, 6);
  }

  /** Balance before the transaction: balanceAfter + amount for an offline approval, else balanceAfter. */
  get balanceBefore(): number {
    const after = this.balanceAfter;
    if (after < 0) return -1;
    return this.outcome === Outcome.Approved || this.torn ? after + this.amount_ : after;
  }

  /** The PAN digits (no F padding; allocates; for the terminal's journal and card ids). */
  panDigits(): string {
    let s = '';
    for (let i = 0; i < this.panLength * 2; i++) {
      const b = this.pan[i >> 1]!;
      const nib = i % 2 === 0 ? b >> 4 : b & 15;
      if (nib > 9) break;
      s += String(nib);
    }
    return s;
  }

  /** The PAN with all but the first 6 and last 4 digits masked (allocates; for display and logs). */
  maskedPan(): string {
    const s = this.panDigits();
    let out = '';
    for (let i = 0; i < s.length; i++) out += i < 6 || i >= s.length - 4 ? s[i] : '*';
    return out;
  }

  /**
   * The torn-transaction record (qpboc-facts §7.2) as BER-TLV into `out[off…]`, for the terminal's
   * journal: 84 AID, 5A PAN, 5F34 PSN, 9F36 ATC, 9F02 amount, 9F5D/9F79 balance as the card reported it,
   * 9A/9F21 date and time, 9F26 cryptogram (each when present). Returns the end offset; `off` when the
   * tap is not torn. Allocation-free. On the next tap the terminal compares ATC/balance (GET DATA 9F79,
   * the transaction log) to decide whether the card debited.
   */
  writeTornRecord(out: Uint8Array, off: number): number {
    if (!this.torn) return off;
    let o = off;
    o = writeTlv(out, o, 0x84, this.aid, 0, this.aidLength);
    o = writeTlv(out, o, 0x5a, this.pan, 0, this.panLength);
    const c = this.card;
    const t = this.terminal;
    const tags = TORN_CARD_TAGS;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i]!;
      const len = c.length(tag);
      if (len >= 0) o = writeTlv(out, o, tag, c.buf, c.offset(tag), len);
    }
    o = writeTlv(out, o, 0x9f02, t.buf, t.offset(0x9f02), 6);
    o = writeTlv(out, o, 0x9a, t.buf, t.offset(0x9a), 3);
    o = writeTlv(out, o, 0x9f21, t.buf, t.offset(0x9f21), 3);
    return o;
  }

  /**
   * Writes the ICC data of an authorisation request (IC field 55; §1.12) as BER-TLV into `out[off…]`:
   * 57 5F34 9F26 9F27 9F10 9F36 82 9F6C 9F5D 9F63 9F37 9F02 9F03 9F1A 95 5F2A 9A 9F21 9C 9F66 9F33 9F35
   * 9F1E DF60 and 84 (the DF name), each when present. Returns the end offset. Allocation-free.
   */
  writeOnlineData(out: Uint8Array, off: number): number {
    let o = off;
    for (let i = 0; i < ONLINE_TAGS.length; i++) {
      const tag = ONLINE_TAGS[i]!;
      const store = this.card.has(tag) ? this.card : this.terminal;
      const len = store.length(tag);
      if (len < 0) continue;
      o = writeTl(out, o, tag, len);
      o += store.copyTo(tag, out, o);
    }
    if (this.aidLength > 0) {
      o = writeTl(out, o, 0x84, this.aidLength);
      for (let i = 0; i < this.aidLength; i++) out[o++] = this.aid[i]!;
    }
    return o;
  }
}

/** True when `a[aOff, aOff+aLen)` starts with `b[bOff, bOff+bLen)`. */
function startsWith(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): boolean {
  if (aLen < bLen) return false;
  for (let i = 0; i < bLen; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/**
 * True when the card's ODA data are PBOC SM objects (qpboc-facts §3.1): plain data with a format byte
 * and a fixed layout — issuer certificate 90 = `12 … 11 40` (142 bytes), else SDAD 9F4B = `15 L_DD …`
 * (2 + L_DD + 64 bytes), else SSAD 93 = `13 …` (67 bytes). The layout checks keep an RSA cryptogram
 * that happens to start with 12/13/15 from being taken for SM.
 */
function isSmData(card: TagStore): boolean {
  if (card.has(0x90)) return card.length(0x90) === 142 && card.byte(0x90) === 0x12 && card.byte(0x90, 12) === 0x11 && card.byte(0x90, 13) === 0x40;
  if (card.has(0x9f4b)) return card.byte(0x9f4b) === 0x15 && card.length(0x9f4b) === 2 + card.byte(0x9f4b, 1) + 64;
  return card.byte(0x93) === 0x13 && card.length(0x93) === 67;
}

/**
 * The data objects ODA needs (EMV Book 3 §10.3, Book 2 §5.1/§6.1): 8F and 90 always; RSA also 9F32;
 * SDA 93; fDDA/DDA 9F46 and 9F4B (RSA also 9F47). True when one is absent.
 */
function odaDataMissing(card: TagStore, method: number, sm: boolean): boolean {
  if (!card.has(0x8f) || !card.has(0x90) || (!sm && !card.has(0x9f32))) return true;
  if (method === KernelOdaMethod.Sda) return !card.has(0x93);
  return !card.has(0x9f46) || !card.has(0x9f4b) || (!sm && !card.has(0x9f47));
}

/**
 * EMV Book 3 §10.2: AFL byte 1 is SFI << 3 with the three low bits RFU (0). openemv-utils rejects an
 * entry like 09 (its read-application-data test 2); parseAfl (kernels/emv) only checks the SFI range.
 */
function aflRfuBitsSet(buf: Uint8Array, off: number, len: number): boolean {
  for (let p = off; p < off + len; p += 4) if ((buf[p]! & 0x07) !== 0) return true;
  return false;
}

/** Writes `tag` with the value `src[off, off+len)`; returns the offset after it. */
function writeTlv(out: Uint8Array, o: number, tag: number, src: Uint8Array, off: number, len: number): number {
  o = writeTl(out, o, tag, len);
  for (let i = 0; i < len; i++) out[o++] = src[off + i]!;
  return o;
}

/** Writes a tag and a length (≤ 0xFFFF) at `o`; returns the offset after them. */
function writeTl(out: Uint8Array, o: number, tag: number, len: number): number {
  if (tag > 0xff) out[o++] = (tag >> 8) & 0xff;
  out[o++] = tag & 0xff;
  if (len < 0x80) out[o++] = len;
  else if (len <= 0xff) {
    out[o++] = 0x81;
    out[o++] = len;
  } else {
    out[o++] = 0x82;
    out[o++] = len >> 8;
    out[o++] = len & 0xff;
  }
  return o;
}

/** Constructor check: bad parameters throw ShanfuError('config.invalid') naming the field. */
function checkParams(p: KernelParams): void {
  const bad = (path: string, what: string): never => {
    throw new ShanfuError('config.invalid', `${path}: ${what}`);
  };
  if (p === null || typeof p !== 'object') bad('(root)', 'kernel parameters must be an object (use validateConfig)');
  if (!Array.isArray(p.aids) || p.aids.length === 0) bad('aids', 'must contain at least one AID');
  for (let i = 0; i < p.aids.length; i++) {
    const a = p.aids[i]!;
    if (!(a.aid instanceof Uint8Array) || a.aid.length < 5 || a.aid.length > 16) bad(`aids[${i}].aid`, 'must be 5–16 bytes (Uint8Array; use validateConfig for JSON)');
    if (!(a.appVersion instanceof Uint8Array) || a.appVersion.length !== 2) bad(`aids[${i}].appVersion`, 'must be 2 bytes');
  }
  if (!(p.ttq instanceof Uint8Array) || p.ttq.length !== 4) bad('ttq', 'must be 4 bytes');
  if (!(p.capabilities instanceof Uint8Array) || p.capabilities.length !== 3) bad('capabilities', 'must be 3 bytes');
  if (!(p.additionalCapabilities instanceof Uint8Array) || p.additionalCapabilities.length !== 5) bad('additionalCapabilities', 'must be 5 bytes');
  if (!Number.isInteger(p.countryCode) || p.countryCode < 0 || p.countryCode > 999) bad('countryCode', 'must be an integer in 0..999');
  if (!Number.isInteger(p.currencyCode) || p.currencyCode < 0 || p.currencyCode > 999) bad('currencyCode', 'must be an integer in 0..999');
  if (!Number.isInteger(p.currencyExponent) || p.currencyExponent < 0 || p.currencyExponent > 3) bad('currencyExponent', 'must be an integer in 0..3');
  if (!Number.isInteger(p.terminalType) || p.terminalType < 0 || p.terminalType > 255) bad('terminalType', 'must be a byte');
  if (!Number.isInteger(p.timezoneOffsetMinutes)) bad('timezoneOffsetMinutes', 'must be an integer');
  if (p.denyList !== undefined && (p.denyList === null || typeof p.denyList.isDenied !== 'function'))
    bad('denyList', 'must be an object with isDenied(pan, panOff, panLen, psn)');
}
