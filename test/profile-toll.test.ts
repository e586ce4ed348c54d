/**
 * Toll lane scenarios through the real loop. Tolls are computed in the test from the raw JSON of
 * test-vectors/fares/toll-road.json (km posts, rate per class, rounding, minimum), independently of
 * the profile's integer arithmetic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCard } from '../hal/virtual/personalities.js';
import { loadFareTable, type TollTable } from '../src/profiles/fare-tables.js';
import { createTollEntryProfile, createTollExitProfile } from '../src/profiles/toll.js';
import { createProfile } from '../src/profiles/factory.js';
import { DEFAULT_RECORD } from '../src/profiles/capp-profile.js';
import { RecordStatus, Sector } from '../src/profiles/record-codec.js';
import { FARES_DIR, MIN, T0, TEST_MAC, Validator, cardRecord, transitCard } from './profile-setup.js';

type RawToll = { stations: { id: number; km: number }[]; classes: { class: number; ratePerKm: number }[]; rounding: { unit: number; mode: string }; minimum: number };
const file = join(FARES_DIR, 'toll-road.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as RawToll;
const table = loadFareTable(file) as TollTable;

/** rate × km rounded to the nearest unit (the sample table's mode), at least the minimum. */
function fileToll(from: number, to: number, vehicleClass: number): number {
  const km = Math.abs(raw.stations.find((s) => s.id === from)!.km - raw.stations.find((s) => s.id === to)!.km);
  const rate = raw.classes.find((c) => c.class === vehicleClass)!.ratePerKm;
  expect(raw.rounding.mode).toBe('nearest');
  const units = Math.round(Number(((km * rate) / raw.rounding.unit).toFixed(6)));
  return Math.max(raw.minimum, units * raw.rounding.unit);
}

const lanes: Validator[] = [];
function lane(kind: 'entry' | 'exit', station: number, vehicleClass?: number): Validator {
  const opts = { station, mac: TEST_MAC, ...(vehicleClass ? { vehicleClass } : {}) };
  const v = new Validator(kind === 'entry' ? createTollEntryProfile(table, opts) : createTollExitProfile(table, opts), `T${kind === 'entry' ? 'I' : 'O'}${station}`);
  lanes.push(v);
  return v;
}
afterEach(async () => {
  for (const v of lanes.splice(0)) await v.close();
});

describe('toll lanes', () => {
  it('entry then exit for every vehicle class: the toll of the table for the distance and class', async () => {
    const trips: [number, number][] = [[6501, 6505], [6506, 6503], [6503, 6504]];
    for (const c of raw.classes) {
      const card = transitCard();
      let time = T0;
      for (const [from, to] of trips) {
        const before = card.balance();
        const entry = await lane('entry', from).tap(card, time, { vehicleClass: c.class });
        expect(entry.outcome).toBe('approved approved-offline');
        expect(entry.result).toMatchObject({ fare: 0, rule: 'entry', details: { vehicleClass: c.class } });
        expect(card.balance()).toBe(before);
        expect(cardRecord(card, DEFAULT_RECORD.recordId).rec).toMatchObject({ status: RecordStatus.Open, sector: Sector.Toll, entryStation: from, vehicleClass: c.class });
        time += 70 * MIN;
        const exit = await lane('exit', to).tap(card, time);
        const fare = fileToll(from, to, c.class);
        expect(exit.outcome).toBe('approved approved-offline');
        expect(exit.result).toMatchObject({ fare, rule: 'distance', details: { entryStation: from, vehicleClass: c.class } });
        expect(card.balance()).toBe(before - fare);
        expect(cardRecord(card, DEFAULT_RECORD.recordId).rec).toMatchObject({ status: RecordStatus.Closed, lastStation: to, amount: fare, vehicleClass: c.class });
        time += 24 * 60 * MIN;
      }
    }
  });

  it('a toll above the card\'s EC single-transaction limit: the card declines, nothing charged, the entry stays open', async () => {
    const card = transitCard();
    const single = card.personality.applications[0]!.ec!.singleLimit;
    const fare = fileToll(6501, 6506, 4);
    expect(fare).toBeGreaterThan(single);
    await lane('entry', 6501).tap(card, T0, { vehicleClass: 4 });
    const before = card.balance();
    const t = await lane('exit', 6506).tap(card, T0 + 90 * MIN);
    expect(t.outcome).toBe('declined card-declined');
    expect(t.result).toMatchObject({ fare: 0, rule: 'distance' });
    expect(card.balance()).toBe(before);
    expect(cardRecord(card, DEFAULT_RECORD.recordId).rec).toMatchObject({ status: RecordStatus.Open, entryStation: 6501 });
  });

  it('the exit charges the higher of the recorded and the detected class', async () => {
    const card = transitCard();
    await lane('entry', 6501).tap(card, T0, { vehicleClass: 1 });
    const before = card.balance();
    const t = await lane('exit', 6504).tap(card, T0 + 40 * MIN, { vehicleClass: 3 });
    expect(t.result).toMatchObject({ fare: fileToll(6501, 6504, 3), details: { vehicleClass: 3 } });
    expect(card.balance()).toBe(before - fileToll(6501, 6504, 3));
    const card2 = transitCard();
    await lane('entry', 6501).tap(card2, T0, { vehicleClass: 2 });
    const lower = await lane('exit', 6504).tap(card2, T0 + 40 * MIN, { vehicleClass: 1 });
    expect(lower.result.fare).toBe(fileToll(6501, 6504, 2));
  });

  it('no entry recorded → the toll from the farthest station; exit at the entry station → the minimum', async () => {
    const card = transitCard();
    const before = card.balance();
    const t = await lane('exit', 6502, 1).tap(card, T0);
    const farthest = raw.stations.reduce((best, s) => (Math.abs(s.km - 12.4) > Math.abs(best.km - 12.4) ? s : best));
    expect(t.result).toMatchObject({ fare: fileToll(farthest.id, 6502, 1), rule: 'penalty-no-entry' });
    expect(card.balance()).toBe(before - t.result.fare);
    await lane('entry', 6503, 1).tap(card, T0 + 60 * MIN);
    const u = await lane('exit', 6503, 1).tap(card, T0 + 70 * MIN);
    expect(u.result).toMatchObject({ fare: raw.minimum, rule: 'same-station' });
  });

  it('card without the extended application and unknown vehicle class are refused uncharged', async () => {
    const plain = createCard('debit-ec');
    const before = plain.balance();
    for (const kind of ['entry', 'exit'] as const) {
      const t = await lane(kind, 6501, 1).tap(plain, T0);
      expect(t.outcome).toBe('declined profile-declined');
      expect(t.result).toMatchObject({ fare: 0, rule: 'no-extended-app' });
    }
    expect(plain.balance()).toBe(before);
    const card = transitCard();
    const noClass = await lane('entry', 6501).tap(card, T0);
    expect(noClass.result.rule).toBe('unknown-vehicle-class');
    const badClass = await lane('entry', 6501).tap(card, T0, { vehicleClass: 9 });
    expect(badClass.result.rule).toBe('unknown-vehicle-class');
    expect(cardRecord(card, DEFAULT_RECORD.recordId).state).toBe('blank');
  });

  it('createProfile by name checks the table kind', () => {
    expect(createProfile('toll-exit', table, { station: 6501, mac: TEST_MAC }).name).toBe('toll-exit');
    expect(() => createProfile('metro-entry', table, { station: 6501, mac: TEST_MAC })).toThrow(/metro fare table/);
    expect(() => createProfile('tram' as never, table, { station: 6501, mac: TEST_MAC })).toThrow(RangeError);
    expect(() => createTollExitProfile(table, { station: 1, mac: TEST_MAC })).toThrow(/station 1/);
  });
});
