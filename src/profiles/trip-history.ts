/**
 * The previous leg from the terminal's side, for the bus transfer discount on cards without the
 * extended-application record.
 *
 * Why it is keyed by the card UID and not the PAN: the fare (and so the discount) must be fixed
 * before GPO (the card signs the amount in its GPO answer), and the PAN only arrives with GPO. The
 * one identity known before GPO is the anticollision UID the reader reports (TapContext.cardUid).
 * It is stable on plastic cards; phone wallets randomise it per tap, so they simply get no match and
 * pay the full fare — the discount is applied only when the previous leg is known before GPO, never
 * guessed. The bus profile records each approved leg here itself (finishTap) when it has a UID.
 */
import { toHex } from '../../kernels/util/hex.js';

export interface TripLeg {
  /** Epoch ms of the leg's last tap (bus boarding, metro exit). */
  time: number;
  operatorId: number;
  /** Sector code (record-codec.ts Sector). */
  sector: number;
  /** Route / line. */
  line: number;
  /** Legs of the journey so far (1 = first leg). */
  legs: number;
  /** Fares paid in the journey so far. */
  journeyTotal: number;
}

/** Synchronous: it is consulted inside the kernel hook. A shared store (e.g. fed by the uplink) implements the same two methods. */
export interface TripHistory {
  previousLeg(cardUid: Uint8Array): TripLeg | null;
  recordLeg(cardUid: Uint8Array, leg: TripLeg): void;
}

/** An in-memory history of the last `maxEntries` cards (oldest forgotten first); default 10,000. */
export function createMemoryTripHistory(options: { maxEntries?: number } = {}): TripHistory {
  const max = options.maxEntries ?? 10_000;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('options.maxEntries must be a positive integer');
  const legs = new Map<string, TripLeg>();
  return {
    previousLeg(uid) {
      return legs.get(toHex(uid)) ?? null;
    },
    recordLeg(uid, leg) {
      const key = toHex(uid);
      legs.delete(key); // re-insert: Map order = least recently written first
      legs.set(key, { ...leg });
      if (legs.size > max) legs.delete(legs.keys().next().value!);
    },
  };
}
