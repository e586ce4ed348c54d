/**
 * Torn taps across every profile (bus is in terminal-torn.test.ts): metro entry/exit (segmented
 * deduction), metro with pre-authorisation at entry and completion at exit (DF60 02/03), toll
 * entry/exit. For each tap of the journey, the card leaves at every command (not run, and run with
 * the response lost) and taps again at the same gate: the card's balance change equals the clean
 * journey's, the gate's journal says the same, the card's record ends as after a clean tap, and no
 * torn record stays open.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { QuickPassCard } from '../hal/virtual/card.js';
import { loadFareTable, type MetroTable, type TollTable } from '../src/profiles/fare-tables.js';
import { createMetroEntryProfile, createMetroExitProfile } from '../src/profiles/metro.js';
import { createTollEntryProfile, createTollExitProfile } from '../src/profiles/toll.js';
import { DEFAULT_RECORD } from '../src/profiles/capp-profile.js';
import type { SectorProfile } from '../src/profiles/types.js';
import { CONFIG as PROFILE_CONFIG, FARES_DIR, MIN, T0, TEST_MAC, cardRecord, transitCard } from './profile-setup.js';
import { journalCharged, rig, type Rig } from './terminal-fixtures.js';

const metro = loadFareTable(join(FARES_DIR, 'metro-line.json')) as MetroTable;
const zones = loadFareTable(join(FARES_DIR, 'metro-zones-preauth.json')) as MetroTable;
const toll = loadFareTable(join(FARES_DIR, 'toll-road.json')) as TollTable;

type Gate = () => SectorProfile;
type Journey = { name: string; gates: Gate[] };
const JOURNEYS: Journey[] = [
  { name: 'metro segmented', gates: [() => createMetroEntryProfile(metro, { station: 202, mac: TEST_MAC }), () => createMetroExitProfile(metro, { station: 208, mac: TEST_MAC })] },
  { name: 'metro pre-auth', gates: [() => createMetroEntryProfile(zones, { station: 501, mac: TEST_MAC }), () => createMetroExitProfile(zones, { station: 508, mac: TEST_MAC })] },
  { name: 'toll', gates: [() => createTollEntryProfile(toll, { station: 6501, mac: TEST_MAC, vehicleClass: 1 }), () => createTollExitProfile(toll, { station: 6504, mac: TEST_MAC, vehicleClass: 1 })] },
];

const clock = { now: T0 };
function gate(profile: SectorProfile): Rig {
  return rig({ profile, config: PROFILE_CONFIG, clock: () => clock.now });
}

async function tapAt(r: Rig, card: QuickPassCard) {
  r.reader.present(card);
  try {
    return await r.terminal.tapOnce();
  } finally {
    r.reader.remove();
  }
}

/** The record fields a clean tap decides (not its times or terminal id). */
function recordOf(card: QuickPassCard) {
  const { state, rec } = cardRecord(card, DEFAULT_RECORD.recordId);
  return { state, status: rec.status, sector: rec.sector, chargeMode: rec.chargeMode, entryStation: rec.entryStation, lastStation: rec.lastStation, amount: rec.amount, held: rec.held };
}

/** Clean taps through gates[0..upTo]; returns the card and the balance change of each tap. */
async function cleanJourney(j: Journey, upTo: number): Promise<{ card: QuickPassCard; deltas: number[] }> {
  const card = transitCard();
  const deltas: number[] = [];
  clock.now = T0;
  for (let g = 0; g <= upTo; g++) {
    const before = card.balance();
    const t = await tapAt(gate(j.gates[g]!()), card);
    expect(t.outcomeName, `${j.name} clean tap ${g}`).toBe('approved');
    deltas.push(before - card.balance());
    clock.now += 30 * MIN;
  }
  return { card, deltas };
}

describe('torn taps in every profile: removal at every command, then a re-tap at the same gate', () => {
  for (const j of JOURNEYS) {
    for (let g = 0; g < j.gates.length; g++) {
      it(`${j.name}, ${j.gates[g]!().name}`, async () => {
        // The clean journey: what this gate's tap does to the card (balance, record), and its length.
        const ref = await cleanJourney(j, g);
        const refDelta = ref.deltas[g]!;
        const refRecord = recordOf(ref.card);
        const probe = await cleanJourney(j, g - 1);
        const probeGate = gate(j.gates[g]!());
        await tapAt(probeGate, probe.card);
        const commands = probeGate.terminal.kernel.apduCount;
        expect(commands).toBeGreaterThanOrEqual(9);
        const outcomes = new Set<string>();
        for (let n = 1; n <= commands; n++) {
          for (const processed of [false, true]) {
            const label = `${j.name} gate ${g}: command ${n}${processed ? ' (run, response lost)' : ''}`;
            const { card } = await cleanJourney(j, g - 1);
            const before = card.balance();
            const r = gate(j.gates[g]!());
            card.faults.add({ command: n, action: 'leaveField', processed });
            const first = await tapAt(r, card);
            expect(first.outcomeName, label).toBe('try-again');
            clock.now += 5_000;
            const second = await tapAt(r, card);
            outcomes.add(second.reason);
            expect(second.outcomeName, label).toBe('approved');
            expect(before - card.balance(), label).toBe(refDelta);
            expect(journalCharged(await r.journal.entries()), label).toBe(refDelta);
            expect(recordOf(card), label).toEqual(refRecord);
            expect(r.terminal.tornRecords, label).toEqual([]);
          }
        }
        // Both ways out were taken: the torn tap had committed (torn-completed) and had not.
        expect([...outcomes].sort()).toEqual(['approved-offline', 'torn-completed']);
      });
    }
  }
});
