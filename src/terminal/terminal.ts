/**
 * Terminal: a reader, the kernel and a sector profile, running the validator loop (DESIGN.md
 * "Layers": src/terminal). wait for a card → tap → journal → outcome → feedback → wait for removal.
 *
 *   const t = new Terminal({ reader, config, oda, profile, journal, terminalId: 'BUS-0042', tornFile });
 *   t.on('tap', (e) => console.log(e.tap.outcomeName, e.tap.charged));
 *   await t.run({ signal });          // resolves after a clean stop (abort)
 *   const tap = await t.tapOnce();    // scripts and tests: one card, no wait for removal
 *
 * Money rules (src/terminal/README.md):
 * - every tap appends a journal entry, and the 'tap' / 'feedback' events come only after `append`
 *   resolved (durable). A failed append halts the terminal: 'error' (fatal) + 'stopped' {halted},
 *   `run` and `tapOnce` reject with ShanfuError('terminal.halted'); no further card is accepted.
 * - the guards (torn resolution, anti-passback) act in afterGpo, before the card commits (guard-hook.ts).
 * - a torn tap is kept in the TornStore (a file written atomically) and resolved on the card's next
 *   tap within `tornLifetimeMs`; expired records are journalled as 'torn-expired'.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TransportError, type CardSession, type Reader, type ReaderEvent, type ReaderMonitor } from '../../hal/transport.js';
import {
  CRYPTOGRAM_NAMES, Cryptogram, Outcome, QuickPassKernel, Reason, outcomeName, reasonName, type KernelParams, type OdaProvider, type Transaction,
} from '../../kernels/qpboc/index.js';
import { toHex } from '../../kernels/util/hex.js';
import { ShanfuError } from '../../kernels/util/errors.js';
import type { JournalEntry, JournalHistory, JournalStore } from '../journal/types.js';
import type { SectorProfile } from '../profiles/types.js';
import { driveTap } from './drive.js';
import { TerminalEvents, type Feedback, type TapResult, type TerminalEvent, type TerminalEventOf, type TerminalEventType, type TornSummary } from './events.js';
import { feedbackFor, showFeedback } from './feedback.js';
import { AntiPassback, GuardHook } from './guard-hook.js';
import { TornStore, cardIdOf, type TornRecord } from './torn-store.js';
import type { TornVerdict } from './torn-resolver.js';

export interface TerminalOptions {
  /** Any HAL reader (PC/SC, HID, virtual, replay). */
  reader: Reader;
  /** Kernel parameters (a validated TerminalConfig; `denyList` is consulted by the kernel itself). */
  config: KernelParams;
  /** ODA engine (createOdaProvider(config)); null: ODA not performed. */
  oda?: OdaProvider | null;
  profile: SectorProfile;
  journal: JournalStore;
  /** Written into every journal entry. */
  terminalId: string;
  /** Epoch ms; default Date.now. Injected for replays and tests (tap time, anti-passback, torn lifetime, 9A/9F21). */
  clock?: () => number;
  /** Unpredictable-number source for the kernel (9F37). */
  random?: (out: Uint8Array, off: number, len: number) => void;
  /** The same card is not charged again within this many ms (default 60 000; 0 = off). */
  antiPassbackMs?: number;
  /** Lifetime of a torn record (default 300 000 ms, as Kernel 2's DF811C default; qpboc-facts §7.1). */
  tornLifetimeMs?: number;
  /** Where torn records persist across restarts (default: memory only). */
  tornFile?: string | null;
  /** Key of the card ids in the torn file (HMAC-SHA-256 of PAN + PSN); use the journal key. */
  cardKey?: Uint8Array | null;
  /** Wait between retries after a reader fault (default 1000 ms). */
  readerRetryMs?: number;
  /** Poll interval for card removal on readers without a monitor (default 100 ms). */
  removalPollMs?: number;
}

export type TapOnceOptions = { signal?: AbortSignal };
export type RunOptions = { signal?: AbortSignal; /** stop after this many taps */ taps?: number };

const ICC_BUF = 1024;
/** The identification pass's kernel input (identifyAfterRefusal): never committed. */
const IDENTIFY_TXN: Transaction = { amount: 1, cappIndicator: 0 };

export class Terminal {
  readonly kernel: QuickPassKernel;
  readonly reader: Reader;
  readonly profile: SectorProfile;
  readonly terminalId: string;
  private readonly journal: JournalStore;
  private readonly events = new TerminalEvents();
  private readonly clock: () => number;
  private readonly torn: TornStore;
  private readonly passback: AntiPassback;
  private readonly cardKey: Uint8Array | null;
  private readonly guard: GuardHook;
  private readonly tornLifetimeMs: number;
  private readonly readerRetryMs: number;
  private readonly removalPollMs: number;
  private readonly txn: Transaction = { amount: 0, cappIndicator: 0 };
  private readonly rtx = new Uint8Array(261);
  private readonly rrx = new Uint8Array(260);
  private readonly icc = new Uint8Array(ICC_BUF);
  private loaded = false;
  private haltedBy: Error | null = null;
  private busy = false;

  constructor(options: TerminalOptions) {
    const o = options;
    if (!o || typeof o !== 'object') throw new TypeError('options: expected an object');
    if (!o.reader || typeof o.reader.waitForCard !== 'function') throw new TypeError('options.reader: expected a Reader');
    if (!o.profile || typeof o.profile.startTap !== 'function' || typeof o.profile.finishTap !== 'function') throw new TypeError('options.profile: expected a SectorProfile');
    if (!o.journal || typeof o.journal.append !== 'function') throw new TypeError('options.journal: expected a JournalStore');
    if (typeof o.terminalId !== 'string' || o.terminalId.length === 0) throw new TypeError('options.terminalId: expected a non-empty string');
    const ms = (name: string, v: number | undefined, dflt: number): number => {
      const x = v ?? dflt;
      if (!Number.isInteger(x) || x < 0) throw new RangeError(`options.${name}: expected an integer number of ms ≥ 0`);
      return x;
    };
    this.reader = o.reader;
    this.profile = o.profile;
    this.journal = o.journal;
    this.terminalId = o.terminalId;
    this.clock = o.clock ?? Date.now;
    this.tornLifetimeMs = ms('tornLifetimeMs', o.tornLifetimeMs, 300_000);
    this.readerRetryMs = ms('readerRetryMs', o.readerRetryMs, 1000);
    this.removalPollMs = Math.max(1, ms('removalPollMs', o.removalPollMs, 100));
    this.passback = new AntiPassback(ms('antiPassbackMs', o.antiPassbackMs, 60_000));
    this.torn = new TornStore(o.tornFile ?? null);
    this.cardKey = o.cardKey ?? null;
    this.guard = new GuardHook(this.torn, this.passback, this.cardKey);
    this.kernel = new QuickPassKernel(o.config, { oda: o.oda ?? null, hook: this.guard, clock: this.clock, random: o.random });
  }

  /** Subscribes to one event type ('*' for all); returns the unsubscribe function. */
  on<T extends TerminalEventType>(type: T, listener: (event: TerminalEventOf<T>) => void): () => void;
  on(type: '*', listener: (event: TerminalEvent) => void): () => void;
  on(type: string, listener: (event: never) => void): () => void {
    return this.events.on(type as '*', listener as (e: TerminalEvent) => void);
  }

  get listenerCount(): number {
    return this.events.listenerCount;
  }

  /** Open torn records (oldest first). */
  get tornRecords(): TornRecord[] {
    return this.torn.list();
  }

  /** The fault that halted the terminal (journal or torn-store write), or null. */
  get halted(): Error | null {
    return this.haltedBy;
  }

  /**
   * Loads the torn records, rebuilds the anti-passback window from the journal, and journals the
   * expired torn records. Called by `run`/`tapOnce`; idempotent.
   */
  async open(): Promise<void> {
    this.checkHalted();
    if (!this.loaded) {
      this.torn.load();
      await this.restorePassback();
      this.loaded = true;
    }
    await this.expireTorn();
  }

  /**
   * Anti-passback survives a restart: the charges of the last `antiPassbackMs` are read back from
   * the journal (newest first, a page at a time, until an entry is older than the window) and their
   * cards noted again — the PAN comes from the entry's sealed data, so this needs a journal that
   * keeps its history (JournalHistory: `Journal`, `MemoryJournal`) and its key.
   */
  private async restorePassback(): Promise<void> {
    const j = this.journal as JournalStore & Partial<JournalHistory>;
    const window = this.passback.windowMs;
    if (window === 0 || typeof j.read !== 'function') return;
    const now = this.clock();
    const charges: { id: string; time: number }[] = [];
    const PAGE = 64;
    for (let to = j.stats().lastSeq; to >= 1; ) {
      const from = Math.max(1, to - PAGE + 1);
      const page = await j.read(from, to - from + 1);
      let older = page.length === 0;
      for (const e of page) {
        if (now - e.time >= window) older = true;
        else if (e.kind === 'tap' && ((e.charged ?? 0) > 0 || e.reason === 'torn-completed')) {
          const pan = j.unseal(e)?.pan;
          if (pan) charges.push({ id: cardIdOf(pan, e.psn ?? -1, this.cardKey), time: e.time });
        }
      }
      if (older) break;
      to = from - 1;
    }
    charges.sort((a, b) => a.time - b.time);
    for (const c of charges) this.passback.note(c.id, c.time);
  }

  /** Journals and drops torn records older than the lifetime at `now`. Returns how many expired. */
  async expireTorn(now: number = this.clock()): Promise<number> {
    const expired = this.torn.list().filter((r) => now - r.time > this.tornLifetimeMs);
    for (const r of expired) {
      await this.append({ ...tornEntry(this, r, 'torn-expired', now), charged: 0 });
      this.storeChange(() => this.torn.remove([r]));
      this.events.emit({ type: 'torn-expired', torn: summary(r) });
    }
    return expired.length;
  }

  /** Waits for one card and taps it (no wait for removal). Rejects when the terminal is halted. */
  async tapOnce(options: TapOnceOptions = {}): Promise<TapResult> {
    this.enter();
    try {
      await this.open();
      const session = await this.reader.waitForCard(options.signal);
      return await this.tap(session);
    } finally {
      this.busy = false;
    }
  }

  /**
   * The validator loop until `signal` aborts (or `taps` taps). Reader faults are reported ('error',
   * kind 'reader') and retried; a closed reader stops the loop. Resolves after a clean stop; rejects
   * with ShanfuError('terminal.halted') when a journal or torn-store write failed.
   */
  async run(options: RunOptions = {}): Promise<void> {
    const { signal, taps } = options;
    if (taps !== undefined && (!Number.isInteger(taps) || taps < 1)) throw new RangeError('options.taps: expected an integer ≥ 1');
    this.enter();
    let count = 0;
    try {
      await this.open();
      for (;;) {
        if (signal?.aborted) return this.stopped('aborted');
        this.events.emit({ type: 'waiting' });
        let session: CardSession;
        try {
          session = await this.reader.waitForCard(signal);
        } catch (e) {
          if (signal?.aborted) return this.stopped('aborted');
          if (e instanceof TransportError && e.code === 'closed') return this.stopped('reader-closed');
          this.events.emit({ type: 'error', kind: 'reader', error: asError(e), fatal: false });
          if (!(await pause(this.readerRetryMs, signal))) return this.stopped('aborted');
          continue;
        }
        await this.tap(session);
        count++;
        await this.waitForRemoval(signal);
        if (taps !== undefined && count >= taps) return this.stopped('taps-done');
      }
    } catch (e) {
      if (this.haltedBy) this.stopped('halted');
      throw e;
    } finally {
      this.busy = false;
    }
  }

  private enter(): void {
    if (this.busy) throw new ShanfuError('terminal.busy', 'the terminal is already running a loop or a tap; wait for it to finish');
    this.busy = true;
  }

  private stopped(reason: TerminalEventOf<'stopped'>['reason']): void {
    this.events.emit({ type: 'stopped', reason });
  }

  private checkHalted(): void {
    if (this.haltedBy)
      throw new ShanfuError('terminal.halted', `the terminal stopped accepting taps: ${this.haltedBy.message}. Fix the journal / disk and start a new Terminal.`, { cause: this.haltedBy });
  }

  /** One tap on an open session: kernel with the guards, torn bookkeeping, journal, events, feedback. */
  private async tap(session: CardSession): Promise<TapResult> {
    const k = this.kernel;
    const time = this.clock();
    await this.expireTorn(time);
    this.events.emit({ type: 'card-present', time, atr: session.atr });
    // The anticollision UID when the adapter reports it (HidSession.uid): the profiles' trip history key.
    const uid = (session as { uid?: unknown }).uid;
    const plan = this.profile.startTap({ time, terminalId: this.terminalId, ...(uid instanceof Uint8Array ? { cardUid: uid } : {}) });
    this.guard.reset(time, this.profile.hook);
    this.txn.amount = plan.amount;
    this.txn.cappIndicator = plan.cappIndicator;
    let verdicts: { record: TornRecord; verdict: TornVerdict }[] = [];
    let identified = false;
    try {
      await driveTap(k, session, this.txn);
      identified = k.reason === Reason.ProfileDeclined && k.panLength === 0 && this.torn.size > 0;
      if (identified) await this.identifyAfterRefusal(session, time);
      verdicts = await this.resolveTorn(session);
    } finally {
      await session.disconnect().catch(() => undefined);
    }
    const result = this.profile.finishTap(k);
    const cardId = this.guard.identify(k);

    // Journal first (durable), then the store, then the events: never a charge without a record.
    for (const { record, verdict } of verdicts) {
      if (verdict === 'unknown') continue;
      const charged = verdict === 'charged' ? record.charge : 0;
      await this.append({ ...tornEntry(this, record, 'torn-resolved', time), resolution: verdict, charged });
      this.storeChange(() => this.torn.remove([record]));
      this.events.emit({ type: 'torn-resolved', torn: summary(record), resolution: verdict });
    }
    const completed = k.reason === Reason.TornCompleted;
    const charge = netCharge(k, result.details);
    const charged = k.committed ? charge : 0;
    const balance = completed ? this.guard.resolver.balance : balanceNow(k);
    // A 'charged' verdict means the ride was paid by the earlier tap. The hook ends the tap right
    // after it, before any record: a removal during the resolution leaves nothing this card could
    // have committed, so no new torn record (it would make the next tap charge the ride again).
    const ridePaid = verdicts.some((v) => v.verdict === 'charged');
    // Nor does the identification pass (it ends before the records by construction).
    if (k.torn && cardId !== null && !ridePaid && !identified) {
      const record: TornRecord = {
        cardId, maskedPan: k.maskedPan(), psn: k.psn, atc: k.atc, amount: k.amount, charge,
        cappIndicator: Math.max(0, k.terminal.byte(0xdf60)), balanceBefore: k.balanceBefore, balanceAfter: k.balanceAfter, time,
        aid: toHex(k.aid, 0, k.aidLength), cryptogram: cryptogramHex(k), profile: this.profile.name, details: { rule: result.rule, ...result.details },
      };
      this.storeChange(() => this.torn.add(record));
      await this.append({ ...tornEntry(this, record, 'torn-open', time), charged: 0, sensitive: { pan: k.panDigits() } });
      this.events.emit({ type: 'torn-open', torn: summary(record) });
    }
    const fare = identified ? this.txn.amount : k.amount;
    const seq = await this.append(this.tapEntry(time, fare, charged, balance, result.rule, result.details));
    if (cardId !== null && (charged > 0 || ridePaid)) this.passback.note(cardId, time);

    const tap: TapResult = {
      outcome: k.outcome, outcomeName: outcomeName(k.outcome), reason: reasonName(k.reason),
      fare, charged, balance, time, maskedPan: k.panLength ? k.maskedPan() : '', atc: k.atc,
      aid: toHex(k.aid, 0, k.aidLength), profile: this.profile.name, rule: result.rule, details: result.details,
      display: result.display, seq, torn: k.torn,
    };
    this.events.emit({ type: 'tap', tap });
    const fb = feedbackFor(tap, k.reason);
    await this.show(fb);
    this.events.emit({ type: 'feedback', feedback: fb, tap });
    return tap;
  }

  /**
   * The profile refused before GPO (e.g. a metro entry that sees the open journey a torn entry left),
   * so the card's PAN is unknown — and with torn records open here it may be one of them. A second
   * pass with the profile off (amount 0.01, DF60 00) runs GPO to identify the card and settle its torn
   * records in afterGpo; the guard always ends that pass before the records, so the card never commits
   * it. A committed torn tap ends it Approved `torn-completed` (the ride was paid); otherwise the
   * refusal stands (Declined `profile-declined`). Costs one SELECT + GPO, only in this rare case.
   */
  private async identifyAfterRefusal(session: CardSession, time: number): Promise<void> {
    this.guard.reset(time, null, true);
    await driveTap(this.kernel, session, IDENTIFY_TXN);
  }

  /**
   * Verdicts on this card's torn records: from the afterGpo hook, or — when the kernel ended before
   * it (ARQC/AAC, deny list) with the card still there — by the same resolver over the session.
   */
  private async resolveTorn(session: CardSession): Promise<{ record: TornRecord; verdict: TornVerdict }[]> {
    const k = this.kernel;
    const g = this.guard;
    const r = g.resolver;
    // Resolved in the hook — or cut short there by a removal: the verdicts proved so far stand
    // (the resolver decides 'not-charged' from the log only once it has read enough of it).
    if (g.matched.length > 0) return g.matched.map((record, i) => ({ record, verdict: r.verdicts[i]! }));
    const id = g.identify(k);
    if (id === null || k.reason === Reason.CardRemoved || k.reason === Reason.ReaderFault) return [];
    const matched = this.torn.matching(id);
    if (matched.length === 0) return [];
    r.begin(matched, g.logEntry, k.atc);
    let n = -1;
    for (;;) {
      const len = r.step(this.rtx, this.rrx, n);
      if (len === 0) break;
      try {
        n = await session.transceive(this.rtx, len, this.rrx);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        break;
      }
    }
    return matched.map((record, i) => ({ record, verdict: r.verdicts[i]! }));
  }

  private tapEntry(time: number, fare: number, charged: number, balance: number, rule: string, details: Record<string, unknown>): JournalEntry {
    const k = this.kernel;
    const hasCard = k.panLength > 0;
    const entry: JournalEntry = {
      kind: 'tap', time, terminalId: this.terminalId, profile: this.profile.name,
      outcome: outcomeName(k.outcome), reason: reasonName(k.reason), amount: fare, charged,
      details: { rule, ...details },
    };
    if (balance >= 0) entry.balanceAfter = balance;
    if (k.committed && balance >= 0) entry.balanceBefore = balance + charged;
    if (k.aidLength) entry.aid = toHex(k.aid, 0, k.aidLength);
    if (k.atc >= 0) entry.atc = k.atc;
    if (k.psn >= 0) entry.psn = k.psn;
    if (hasCard) {
      entry.maskedPan = k.maskedPan();
      entry.sensitive = { pan: k.panDigits() };
      const t2 = k.card.length(0x57);
      if (t2 > 0) entry.sensitive.track2 = toHex(k.card.buf, k.card.offset(0x57), k.card.offset(0x57) + t2);
    }
    const ac = cryptogramHex(k);
    if (ac) {
      entry.cryptogramType = CRYPTOGRAM_NAMES[k.cryptogram];
      entry.cryptogram = ac;
    }
    entry.tvr = toHex(k.tvr);
    // IC field 55 for clearing (committed) or an online request, without track 2 (kept sealed above).
    if (k.committed || k.outcome === Outcome.OnlineRequest) entry.iccData = toHex(this.icc, 0, stripTrack2(this.icc, k.writeOnlineData(this.icc, 0)));
    return entry;
  }

  /** Appends durably; on failure halts the terminal (money must not move without a record). */
  private async append(entry: JournalEntry): Promise<number> {
    try {
      return await this.journal.append(entry);
    } catch (e) {
      this.halt('journal', asError(e));
      throw new ShanfuError('terminal.halted', `journal append failed (${asError(e).message}); the terminal stopped accepting taps. The unrecorded entry is in the 'error' event.`, { cause: e });
    }
  }

  /** A torn-store change; a failed write halts the terminal like a failed journal append. */
  private storeChange(change: () => void): void {
    try {
      change();
    } catch (e) {
      this.halt('torn-store', asError(e));
      throw new ShanfuError('terminal.halted', `${asError(e).message}; the terminal stopped accepting taps.`, { cause: e });
    }
  }

  private halt(kind: 'journal' | 'torn-store', error: Error): void {
    this.haltedBy = error;
    this.events.emit({ type: 'error', kind, error, fatal: true });
    void this.show({ led: 'red', beep: 'error', lines: ['Out of service'] });
  }

  private async show(fb: Feedback): Promise<void> {
    try {
      await showFeedback(this.reader, fb);
    } catch (e) {
      this.events.emit({ type: 'error', kind: 'feedback', error: asError(e), fatal: false });
    }
  }

  /**
   * Until the card leaves: the reader's monitor when it has one, else polling `cardPresent`; readers
   * with neither return at once (anti-passback still stops a second charge of a card left in the field).
   */
  private async waitForRemoval(signal?: AbortSignal): Promise<void> {
    const r = this.reader as Reader & Partial<ReaderMonitor> & { cardPresent?: boolean };
    if (typeof r.cardPresent !== 'boolean') return;
    if (typeof r.subscribe === 'function') {
      await new Promise<void>((resolve) => {
        const done = () => {
          unsubscribe();
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const unsubscribe = r.subscribe!((e: ReaderEvent) => {
          if (e.type === 'card-removed' || e.type === 'reader-detached') done();
        });
        signal?.addEventListener('abort', done, { once: true });
        if (!r.cardPresent || signal?.aborted) done();
      });
    } else {
      while (r.cardPresent && !signal?.aborted) if (!(await pause(this.removalPollMs, signal))) break;
    }
    if (!signal?.aborted) this.events.emit({ type: 'card-removed', time: this.clock() });
  }
}

function tornEntry(t: Terminal, r: TornRecord, kind: 'torn-open' | 'torn-resolved' | 'torn-expired', time: number): JournalEntry {
  return {
    kind, time, terminalId: t.terminalId, profile: r.profile, amount: r.amount, atc: r.atc, aid: r.aid, maskedPan: r.maskedPan,
    ...(r.psn >= 0 ? { psn: r.psn } : {}),
    ...(r.balanceBefore >= 0 ? { balanceBefore: r.balanceBefore } : {}),
    ...(r.cryptogram ? { cryptogramType: 'TC', cryptogram: r.cryptogram } : {}),
    details: { ...r.details, tornTime: r.time, cappIndicator: r.cappIndicator },
  };
}

/**
 * What the card's balance loses when this tap commits: the amount, except for a pre-authorisation
 * completion (DF60 03), where the card first releases the hold (hal/virtual commit.ts; qpboc-facts
 * §4.3): amount − the released hold the profile reports in `details.released` (may be negative).
 */
function netCharge(k: QuickPassKernel, details: Record<string, unknown>): number {
  const released = details.released;
  return k.terminal.byte(0xdf60) === 3 && typeof released === 'number' ? k.amount - released : k.amount;
}

/**
 * The card's balance after this tap: 9F5D/9F79 from GPO is the balance after the transaction for a TC
 * (qpboc-facts §1.10) and the current one for ARQC/AAC; a TC the card did not commit (ended by a guard
 * or the profile before the records) leaves the amount on the card. -1 when unknown (card gone).
 */
function balanceNow(k: QuickPassKernel): number {
  const after = k.balanceAfter;
  if (after < 0 || k.outcome === Outcome.TryAgain || k.reason === Reason.ReaderFault) return -1;
  return k.cryptogram === Cryptogram.TC && !k.committed ? after + k.amount : after;
}

function summary(r: TornRecord): TornSummary {
  return { maskedPan: r.maskedPan, atc: r.atc, amount: r.amount, time: r.time, profile: r.profile };
}

function cryptogramHex(k: QuickPassKernel): string {
  const b = new Uint8Array(8);
  return k.copyCryptogram(b, 0) === 8 ? toHex(b) : '';
}

/** Removes the top-level 57 (track 2) and 5A (PAN) objects from `buf[0, end)`; returns the new end. */
function stripTrack2(buf: Uint8Array, end: number): number {
  let r = 0;
  let w = 0;
  while (r < end) {
    const start = r;
    let tag = buf[r++]!;
    if ((tag & 0x1f) === 0x1f) do tag = (tag << 8) | buf[r]!; while (buf[r++]! & 0x80);
    let len = buf[r++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | buf[r++]!;
    }
    r += len;
    if (tag === 0x57 || tag === 0x5a) continue;
    buf.copyWithin(w, start, r);
    w += r - start;
  }
  return w;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Sleeps `ms`; false when `signal` aborted first. */
async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
