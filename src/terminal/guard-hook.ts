/**
 * The terminal's guards as one KernelHook, chained before the profile's (DESIGN.md "Profiles plug
 * into the kernel"). They must act before the card commits (qpboc-facts §7.2: at the last record),
 * so they run first in afterGpo, where PAN and PSN are known:
 *   1. torn resolution: the card has open torn records → TornResolver (GET TRANS PROVE, the log,
 *      GET DATA 9F79 through k.tx/k.rx). Committed → `k.endTap(Approved, torn-completed)`: the earlier
 *      charge stands and this tap charges nothing. Not committed → the tap goes on and charges.
 *   2. anti-passback: the card was charged here within the window → `k.endTap(Declined, already-charged)`.
 *   3. the profile's afterGpo (e.g. UPDATE CAPP DATA CACHE).
 * beforeGpo is the profile's; the hook also notes the log place (9F4D) from the SELECT response the
 * kernel just parsed (the kernel keeps only the DF name and PDOL of the FCI).
 */
import { Outcome, Reason, type KernelHook, type QuickPassKernel } from '../../kernels/qpboc/index.js';
import { TlvCursor } from '../../kernels/tlv/cursor.js';
import { cardIdOf, type TornRecord, type TornStore } from './torn-store.js';
import { TornResolver, type LogEntry } from './torn-resolver.js';

/** Cards charged recently, by card id: the same card within `windowMs` is not charged again. */
export class AntiPassback {
  private readonly last = new Map<string, number>();
  constructor(readonly windowMs: number) {
    if (!Number.isInteger(windowMs) || windowMs < 0) throw new RangeError('antiPassbackMs must be an integer ≥ 0');
  }
  /** True when `cardId` was charged within the window before `now`. */
  recent(cardId: string, now: number): boolean {
    const t = this.last.get(cardId);
    return t !== undefined && now >= t && now - t < this.windowMs;
  }
  note(cardId: string, now: number): void {
    if (this.windowMs === 0) return;
    this.last.delete(cardId);
    this.last.set(cardId, now);
    // Map order is insertion order: drop the oldest entries once they are out of the window.
    for (const [id, t] of this.last) {
      if (now - t < this.windowMs) break;
      this.last.delete(id);
    }
  }
}

const PH_GUARD = 0;
const PH_RESOLVE = 1;
const PH_PROFILE = 2;

export class GuardHook implements KernelHook {
  /** The card of this tap (set once the PAN is known), or null. */
  cardId: string | null = null;
  /** Open torn records of this card found in afterGpo (`resolver.verdicts` says what became of them). */
  matched: TornRecord[] = [];
  /** The log place from the selected application's FCI (9F4D), null when absent. */
  logEntry: LogEntry | null = null;
  readonly resolver = new TornResolver();

  private phase = PH_GUARD;
  private time = 0;
  private profileHook: KernelHook | null = null;
  /** Identification pass (Terminal.identifyAfterRefusal): no profile, end right after the guards. */
  private identifyOnly = false;
  private readonly cursor = new TlvCursor();

  constructor(
    private readonly torn: TornStore,
    private readonly passback: AntiPassback,
    private readonly cardKey: Uint8Array | null,
  ) {}

  /**
   * Before each tap: the tap's time and the profile's hook. `identifyOnly`: a GPO only to learn the
   * card (PAN + PSN) and settle its torn records; the tap always ends in afterGpo, before any record,
   * so the card cannot commit it.
   */
  reset(time: number, profileHook: KernelHook | null, identifyOnly = false): void {
    this.time = time;
    this.profileHook = profileHook;
    this.identifyOnly = identifyOnly;
    this.phase = PH_GUARD;
    this.cardId = null;
    this.matched = [];
    this.logEntry = null;
  }

  /** The card id from the kernel's PAN + PSN (after GPO or the records); null without a PAN. */
  identify(k: QuickPassKernel): string | null {
    if (this.cardId === null && k.panLength > 0) this.cardId = cardIdOf(k.panDigits(), k.psn, this.cardKey);
    return this.cardId;
  }

  beforeGpo(k: QuickPassKernel, n: number): number {
    if (n < 0) this.logEntry = findLogEntry(k.rx, this.cursor);
    const h = this.profileHook;
    return h?.beforeGpo ? h.beforeGpo(k, n) : 0;
  }

  afterGpo(k: QuickPassKernel, n: number): number {
    if (this.phase === PH_GUARD) {
      const id = this.identify(k);
      this.matched = id === null ? [] : this.torn.matching(id);
      if (this.matched.length === 0) return this.passbackThenProfile(k);
      this.resolver.begin(this.matched, this.logEntry, k.atc);
      this.phase = PH_RESOLVE;
      n = -1;
    }
    if (this.phase === PH_RESOLVE) {
      const len = this.resolver.step(k.tx, k.rx, n);
      if (len > 0) return len;
      if (this.resolver.verdicts.includes('charged')) {
        k.endTap(Outcome.Approved, Reason.TornCompleted);
        return 0;
      }
      return this.passbackThenProfile(k);
    }
    const h = this.profileHook;
    return h?.afterGpo ? h.afterGpo(k, n) : 0;
  }

  private passbackThenProfile(k: QuickPassKernel): number {
    if (this.identifyOnly) {
      k.endTap(Outcome.Declined, Reason.ProfileDeclined);
      return 0;
    }
    if (this.cardId !== null && this.passback.recent(this.cardId, this.time)) {
      k.endTap(Outcome.Declined, Reason.AlreadyCharged);
      return 0;
    }
    this.phase = PH_PROFILE;
    const h = this.profileHook;
    return h?.afterGpo ? h.afterGpo(k, -1) : 0;
  }
}

/**
 * 9F4D (log entry: SFI, records) from the SELECT AID response still in `rx` (6F{… A5{… BF0C{9F4D}}}).
 * The response length is not passed to a hook, so the walk is bounded by the 6F template's own length.
 */
function findLogEntry(rx: Uint8Array, c: TlvCursor): LogEntry | null {
  c.reset(rx, 0, rx.length);
  if (!c.next() || (c.tag as number) !== 0x6f) return null;
  c.reset(rx, 0, c.valueEnd);
  if (!c.find(0x9f4d) || c.length !== 2) return null;
  const sfi = rx[c.valueOffset]!;
  const records = rx[c.valueOffset + 1]!;
  return sfi >= 1 && sfi <= 30 && records >= 1 ? { sfi, records } : null;
}
