/**
 * The profiles inside the real Terminal (src/terminal): its guard hook chained before the profile's
 * afterGpo, the journal entry carrying the profile's rule and details (fare-table version), the
 * card's balance and record after a metro entry at one gate and the exit at another.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { VirtualReader } from '../hal/virtual/reader.js';
import { createOdaProvider } from '../src/config/oda-provider.js';
import { MemoryJournal } from '../src/journal/memory.js';
import { Terminal } from '../src/terminal/terminal.js';
import { loadFareTable, metroFare, type MetroTable } from '../src/profiles/fare-tables.js';
import { createMetroEntryProfile, createMetroExitProfile } from '../src/profiles/metro.js';
import { DEFAULT_RECORD } from '../src/profiles/capp-profile.js';
import { RecordStatus } from '../src/profiles/record-codec.js';
import type { SectorProfile } from '../src/profiles/types.js';
import { CONFIG, FARES_DIR, MIN, T0, TEST_MAC, cardRecord, transitCard } from './profile-setup.js';

const table = loadFareTable(join(FARES_DIR, 'metro-line.json')) as MetroTable;
const oda = createOdaProvider(CONFIG);
const readers: VirtualReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.close();
});

function gate(profile: SectorProfile, terminalId: string, now: { t: number }) {
  const reader = new VirtualReader();
  readers.push(reader);
  const journal = new MemoryJournal({ key: new Uint8Array(32).fill(7), terminalId });
  const terminal = new Terminal({ reader, config: CONFIG, oda, profile, journal, terminalId, clock: () => now.t });
  return { reader, journal, terminal };
}

describe('profiles in the Terminal', () => {
  it('metro entry then exit through two Terminals: journalled with the rule and table version, fare charged once', async () => {
    const now = { t: T0 };
    const entry = gate(createMetroEntryProfile(table, { station: 202, mac: TEST_MAC }), 'GATE-IN-202', now);
    const exit = gate(createMetroExitProfile(table, { station: 208, mac: TEST_MAC }), 'GATE-OUT-208', now);
    const card = transitCard();
    const before = card.balance();

    entry.reader.present(card);
    const t1 = await entry.terminal.tapOnce();
    entry.reader.remove();
    expect(t1.outcomeName).toBe('approved');
    expect(card.balance()).toBe(before);
    expect(cardRecord(card, DEFAULT_RECORD.recordId).rec).toMatchObject({ status: RecordStatus.Open, entryStation: 202 });

    now.t = T0 + 30 * MIN;
    exit.reader.present(card);
    const t2 = await exit.terminal.tapOnce();
    exit.reader.remove();
    const fare = metroFare(table, 202, 208);
    expect(t2.outcomeName).toBe('approved');
    expect(t2.charged).toBe(fare);
    expect(card.balance()).toBe(before - fare);
    expect(cardRecord(card, DEFAULT_RECORD.recordId).rec).toMatchObject({ status: RecordStatus.Closed, lastStation: 208, amount: fare });

    const [stored] = await exit.journal.read(1, 10);
    expect(stored).toMatchObject({ kind: 'tap', profile: 'metro-exit', charged: fare, details: { rule: 'distance', tableVersion: table.version, entryStation: 202, station: 208 } });
  });
});
