/**
 * Sector profiles (DESIGN.md "Profiles plug into the kernel, not around it"): bus, metro and toll are
 * data (fare tables, record codecs) and small policies on top of the kernel's two extension points.
 * The Terminal (src/terminal) drives one profile per validator: `startTap` → kernel tap with
 * `profile.hook` → `finishTap`.
 */
import type { KernelHook, QuickPassKernel } from '../../kernels/qpboc/index.js';

/** What the terminal knows when a card arrives. */
export interface TapContext {
  /** Epoch ms of this tap (the terminal's injected clock: replays and tests stay deterministic). */
  readonly time: number;
  readonly terminalId: string;
  /**
   * Added for the profiles (additive): the card's anticollision UID when the reader reports it. The
   * only card identity known before GPO (the PAN arrives with GPO, after the amount is fixed), so the
   * bus profile's TripHistory is keyed by it. Phone wallets randomise it: no history match there.
   */
  readonly cardUid?: Uint8Array;
  /** Added for the toll profiles (additive): the vehicle class the lane detected (1-based, toll table classes). */
  readonly vehicleClass?: number;
}

/** The kernel inputs a profile chooses before the tap (its hook may still change them before GPO). */
export interface TapPlan {
  /** Amount to authorise (minor units); a metro exit / toll exit sets it in its beforeGpo hook. */
  amount: number;
  /** DF60: 00 normal, 01 segmented deduction (extended application), 02 pre-auth, 03 completion. */
  cappIndicator: number;
}

/** What the profile reports for the journal after the kernel is done. */
export interface ProfileTapResult {
  /** The fare this tap charges when the kernel approved it (minor units). */
  fare: number;
  /** Fare rule applied: 'flat', 'zone', 'transfer', 'distance', 'penalty-no-entry', 'penalty-same-station', 'penalty-overtime', 'entry'… */
  rule: string;
  /** Profile data for the journal (station ids, route, zone, vehicle class, table version, entry time…). */
  details: Record<string, unknown>;
  /** A short line for the passenger display ("Fare ¥3.00 · balance ¥47.00"). */
  display: string;
}

/** MAC for UPDATE CAPP DATA CACHE (a SAM or HSM in the field; a test key in tests). */
export interface CappMacProvider {
  /**
   * The 4-byte MAC over `00×6 ‖ ATC ‖ header(5) ‖ record` for the record with `recordId` in file `sfi`
   * (hal/virtual/README.md "Extended application and its MAC"). Synchronous: it runs inside the
   * sans-I/O hook. Returns null when this provider has no key for that record (the tap then ends
   * without writing).
   */
  updateMac(sfi: number, recordId: number, atc: number, header: Uint8Array, record: Uint8Array): Uint8Array | null;
  /**
   * Added for the profiles (additive, optional): the 4-byte READ CAPP DATA response MAC over
   * `record ‖ terminalRandom(8)`, or null without a key. When present, profiles read with a terminal
   * random and treat a record whose RMAC does not match as invalid (src/profiles/README.md).
   */
  readMac?(sfi: number, recordId: number, record: Uint8Array, terminalRandom: Uint8Array): Uint8Array | null;
}

export interface SectorProfile {
  /** 'bus' | 'metro-entry' | 'metro-exit' | 'toll-entry' | 'toll-exit' (or an operator's own). */
  readonly name: string;
  /** Called for every tap before `kernel.begin`; resets the profile's per-tap state. */
  startTap(ctx: TapContext): TapPlan;
  /** The profile's extension points; the terminal chains its own guards before `afterGpo`. */
  readonly hook: KernelHook | null;
  /** Called once the kernel is done (any outcome). */
  finishTap(k: QuickPassKernel): ProfileTapResult;
}
