/**
 * The demo's passengers: virtual QuickPass cards made from the shipped personalities, each with its
 * own PAN (the personalisation regenerates the ICC certificate over it, so ODA still passes), and
 * what each of them does: commuters ride metro then bus with the extended application, other cards
 * take the bus, and a few show the validator's hard cases once (a card pulled away mid-tap, a lost
 * last response, a locked phone, a double tap, a deny-listed card).
 */
import { loadPersonality } from '../../hal/virtual/personalities.js';
import { QuickPassCard } from '../../hal/virtual/card.js';
import type { Personality } from '../../hal/virtual/personality.js';
import type { FaultSpec } from '../../hal/virtual/faults.js';

/** Which validators a passenger uses, in order, round and round. */
export type Stop = 'metro-entry' | 'metro-exit' | 'bus';

export interface Passenger {
  readonly id: number;
  /** What this passenger shows in the demo ("commuter", "deny-listed card", …). */
  readonly label: string;
  readonly personality: Personality;
  card: QuickPassCard;
  readonly route: readonly Stop[];
  /** Index of the next stop in `route`. */
  next: number;
  /** Faults for the passenger's first tap at `faultAt` (then taps again at once). */
  readonly fault?: { at: Stop; spec: FaultSpec; note: string };
  faultDone: boolean;
  /** Taps the same validator twice in a row once (the anti-passback guard). */
  readonly doubleTap?: boolean;
  /** On the deny list. */
  readonly denied?: boolean;
  /** Balance below which the passenger tops up (minor units); 0 = never. */
  readonly topUpBelow: number;
  topUps: number;
}

const METRO_TRIP: readonly Stop[] = ['metro-entry', 'metro-exit', 'bus'];
const BUS_ONLY: readonly Stop[] = ['bus'];

/** Luhn check digit of a digit string (ISO/IEC 7812). */
export function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A copy of personality `name` with PAN 622848 + 12 digits from `serial` + Luhn digit (19 digits). */
export function personalise(name: string, serial: number): Personality {
  const p = structuredClone(loadPersonality(name));
  const body = '622848' + String(serial).padStart(12, '0');
  for (const app of p.applications) app.pan = body + luhnDigit(body);
  return p;
}

type Kind = { personality: string; label: string; route: readonly Stop[]; fault?: Passenger['fault']; doubleTap?: boolean; denied?: boolean; topUp?: boolean };

/**
 * The special passengers first (each once), then commuters and bus riders. Command numbers of the
 * faults count every C-APDU of the card's session (hal/virtual/README.md "Faults"): at the metro exit
 * the tap is SELECT PPSE, SELECT AID, READ CAPP DATA, GPO, UPDATE CAPP DATA CACHE, then the five
 * records of the metro-transit card (commands 6–10; the card commits when it answers command 10).
 */
const SPECIAL: Kind[] = [
  { personality: 'metro-transit', label: 'pulls the card away during the records at the exit, taps again', route: METRO_TRIP, topUp: true,
    fault: { at: 'metro-exit', spec: { command: 7, action: 'leaveField', times: 1 }, note: 'card left before the last record: not charged, torn record kept' } },
  { personality: 'metro-transit', label: "the exit gate loses the card's last answer, taps again", route: METRO_TRIP, topUp: true,
    fault: { at: 'metro-exit', spec: { command: 10, action: 'leaveField', processed: true, times: 1 }, note: 'card committed, answer lost: charged once, found on the re-tap' } },
  { personality: 'metro-transit', label: 'taps the bus validator twice', route: METRO_TRIP, doubleTap: true, topUp: true },
  { personality: 'metro-transit', label: 'card on the deny list', route: METRO_TRIP, denied: true },
  { personality: 'phone-wallet-locked', label: 'locked phone: sees "see phone", unlocks, taps again', route: BUS_ONLY, topUp: true },
  { personality: 'phone-wallet', label: 'phone wallet (no transit record: bus only)', route: BUS_ONLY, topUp: true },
  { personality: 'ec-low-balance', label: 'balance too low', route: BUS_ONLY },
  { personality: 'expired', label: 'expired card', route: BUS_ONLY },
  { personality: 'bad-cert-hash', label: 'card with a broken certificate', route: BUS_ONLY },
  { personality: 'sm2-debit', label: 'national-algorithm (SM2) card, bus only', route: BUS_ONLY, topUp: true },
  { personality: 'debit-ec', label: 'debit card with electronic cash, bus only', route: BUS_ONLY, topUp: true },
];

/** `count` passengers (at least the special ones), deterministic for a given count. */
export function createPassengers(count: number): Passenger[] {
  const out: Passenger[] = [];
  for (let i = 0; i < Math.max(count, SPECIAL.length); i++) {
    const k: Kind = SPECIAL[i] ?? (i % 4 === 3
      ? { personality: 'debit-ec', label: 'bus rider', route: BUS_ONLY, topUp: true }
      : { personality: 'metro-transit', label: 'commuter (metro, then bus)', route: METRO_TRIP, topUp: true });
    const personality = personalise(k.personality, 100_000 + i);
    out.push({
      id: i + 1,
      label: k.label,
      personality,
      card: QuickPassCard.fromPersonality(personality),
      route: k.route,
      next: 0,
      fault: k.fault,
      faultDone: false,
      doubleTap: k.doubleTap,
      denied: k.denied,
      topUpBelow: k.topUp ? 2000 : 0,
      topUps: 0,
    });
  }
  return out;
}

/** Sum of the EC balances of a card's applications (minor units). */
export function balanceOf(card: QuickPassCard): number {
  return Object.values(card.state.apps).reduce((s, a) => s + a.ecBalance, 0);
}

/**
 * Tops the card up to its personalised balance (a top-up machine writes the EC balance; the demo
 * rebuilds the card from its saved state with the new balance). Returns the amount added.
 */
export function topUp(p: Passenger): number {
  const state = p.card.state;
  let added = 0;
  p.personality.applications.forEach((app) => {
    const s = state.apps[app.aid];
    if (!s || !app.ec) return;
    added += app.ec.balance - s.ecBalance;
    s.ecBalance = app.ec.balance;
  });
  p.card = QuickPassCard.fromPersonality(p.personality, state);
  p.topUps++;
  return added;
}
