/**
 * Metro gate scenarios through the real loop (kernel + VirtualReader + virtual cards + driveTap).
 * Fares are looked up in the raw JSON of test-vectors/fares (not through the profile's own lookup),
 * balances and the card's metro record are checked after every tap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCard } from '../hal/virtual/personalities.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { withTestPki } from '../src/config/oda-provider.js';
import { loadFareTable, type MetroTable } from '../src/profiles/fare-tables.js';
import { createMetroEntryProfile, createMetroExitProfile } from '../src/profiles/metro.js';
import { createBusProfile } from '../src/profiles/bus.js';
import { DEFAULT_RECORD } from '../src/profiles/capp-profile.js';
import { createTestMacProvider } from '../src/profiles/mac-provider.js';
import { ChargeMode, RecordStatus, Sector, defaultRecordCodec, emptyRecord } from '../src/profiles/record-codec.js';
import { AID, FARES_DIR, MIN, T0, TEST_MAC, Validator, cardRecord, transitCard, transitCardWithRecord } from './profile-setup.js';
import type { QuickPassCard } from '../hal/virtual/card.js';

type RawMetro = { line: number; stations: { id: number; zone: number }[]; fares?: number[][]; zoneFares?: number[][]; maxJourneyMinutes: number; penalties: Record<string, number | null>; entry: { mode: string; maxFare?: number } };
const file = join(FARES_DIR, 'metro-line.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as RawMetro;
const table = loadFareTable(file) as MetroTable;
const zFile = join(FARES_DIR, 'metro-zones-preauth.json');
const zRaw = JSON.parse(readFileSync(zFile, 'utf8')) as RawMetro;
const zTable = loadFareTable(zFile) as MetroTable;

/** The fare between two stations, straight from the data file. */
function fileFare(r: RawMetro, from: number, to: number): number {
  const a = r.stations.findIndex((s) => s.id === from);
  const b = r.stations.findIndex((s) => s.id === to);
  if (r.fares) return r.fares[a]![b]!;
  return r.zoneFares![r.stations[a]!.zone - 1]![r.stations[b]!.zone - 1]!;
}

const open: Validator[] = [];
function gate(kind: 'entry' | 'exit', station: number, t: MetroTable = table, mac = TEST_MAC): Validator {
  const p = kind === 'entry' ? createMetroEntryProfile(t, { station, mac }) : createMetroExitProfile(t, { station, mac });
  const v = new Validator(p, `M${kind === 'entry' ? 'I' : 'O'}${station}`);
  open.push(v);
  return v;
}
afterEach(async () => {
  for (const v of open.splice(0)) await v.close();
});

function metroRecord(card: QuickPassCard) {
  return cardRecord(card, DEFAULT_RECORD.recordId);
}

describe('metro gates, segmented deduction (station-to-station table)', () => {
  it('entry then exit for several station pairs: entry charges 0 and writes the entry, exit charges the table fare', async () => {
    const pairs: [number, number][] = [[201, 205], [205, 201], [203, 210], [209, 210], [201, 208], [207, 202]];
    const card = transitCard();
    let time = T0;
    for (const [from, to] of pairs) {
      const before = card.balance();
      const entry = await gate('entry', from).tap(card, time);
      expect(entry.outcome).toBe('approved approved-offline');
      expect(entry.result).toMatchObject({ fare: 0, rule: 'entry' });
      expect(card.balance()).toBe(before);
      expect(metroRecord(card)).toMatchObject({ state: 'valid', rec: { status: RecordStatus.Open, sector: Sector.Metro, chargeMode: ChargeMode.Segmented, entryStation: from, entryTime: time, line: raw.line } });
      time += 25 * MIN;
      const exit = await gate('exit', to).tap(card, time);
      const fare = fileFare(raw, from, to);
      expect(exit.outcome).toBe('approved approved-offline');
      expect(exit.result).toMatchObject({ fare, rule: 'distance' });
      expect(exit.result.details).toMatchObject({ entryStation: from, station: to, minutes: 25, tableVersion: table.version, cappIndicator: 1 });
      expect(card.balance()).toBe(before - fare);
      expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Closed, entryStation: from, lastStation: to, lastTime: time, amount: fare, held: 0 });
      time += 60 * MIN;
    }
  });

  it('exit without an entry on the card → the no-entry penalty fare', async () => {
    const card = transitCard();
    const before = card.balance();
    const t = await gate('exit', 206).tap(card, T0);
    expect(t.result).toMatchObject({ fare: raw.penalties.noEntry, rule: 'penalty-no-entry' });
    expect(card.balance()).toBe(before - raw.penalties.noEntry!);
    expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Closed, entryStation: 0, lastStation: 206 });
    // A second exit tap: the card shows a closed journey, not an open one → no-entry penalty again.
    const again = await gate('exit', 206).tap(card, T0 + 5 * MIN);
    expect(again.result.rule).toBe('penalty-no-entry');
  });

  it('exit at the entry station → the same-station penalty', async () => {
    const card = transitCard();
    const before = card.balance();
    await gate('entry', 204).tap(card, T0);
    const t = await gate('exit', 204).tap(card, T0 + 10 * MIN);
    expect(t.result).toMatchObject({ fare: raw.penalties.sameStation, rule: 'penalty-same-station' });
    expect(card.balance()).toBe(before - raw.penalties.sameStation!);
  });

  it('a journey over maxJourneyMinutes → max(journey fare, overtime penalty); at the limit → the journey fare', async () => {
    const card = transitCard();
    let before = card.balance();
    await gate('entry', 201).tap(card, T0);
    const atLimit = await gate('exit', 210).tap(card, T0 + raw.maxJourneyMinutes * MIN);
    expect(atLimit.result).toMatchObject({ fare: fileFare(raw, 201, 210), rule: 'distance' });
    expect(card.balance()).toBe(before - fileFare(raw, 201, 210));
    before = card.balance();
    const t1 = T0 + 10 * 60 * MIN;
    await gate('entry', 201).tap(card, t1);
    const over = await gate('exit', 210).tap(card, t1 + (raw.maxJourneyMinutes + 1) * MIN);
    const expected = Math.max(fileFare(raw, 201, 210), raw.penalties.overtime!);
    expect(over.result).toMatchObject({ fare: expected, rule: 'penalty-overtime' });
    expect(card.balance()).toBe(before - expected);
  });

  it('second entry without exit → the entry-without-exit penalty, and the new entry is written', async () => {
    const card = transitCard();
    const before = card.balance();
    await gate('entry', 202).tap(card, T0);
    const second = await gate('entry', 207).tap(card, T0 + 3 * 60 * MIN);
    expect(second.result).toMatchObject({ fare: raw.penalties.entryWithoutExit, rule: 'penalty-entry-without-exit' });
    expect(second.result.details.replacedEntry).toMatchObject({ station: 202, time: T0 });
    expect(card.balance()).toBe(before - raw.penalties.entryWithoutExit!);
    expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Open, entryStation: 207 });
    const exit = await gate('exit', 209).tap(card, T0 + 3 * 60 * MIN + 20 * MIN);
    expect(exit.result.fare).toBe(fileFare(raw, 207, 209));
    expect(metroRecord(card).rec.journeyTotal).toBe(raw.penalties.entryWithoutExit! + fileFare(raw, 207, 209));
  });

  it('card without the extended application: refused at entry and at exit, nothing charged', async () => {
    for (const kind of ['entry', 'exit'] as const) {
      const card = createCard('debit-ec');
      const before = card.balance();
      const t = await gate(kind, 203).tap(card, T0);
      expect(t.outcome).toBe('declined profile-declined');
      expect(t.result).toMatchObject({ fare: 0, rule: 'no-extended-app', details: { extendedApp: false } });
      expect(t.result.display).toMatch(/ticket/);
      expect(card.balance()).toBe(before);
    }
  });

  it('bad record (CRC wrong): refused by default; with onBadRecord "ignore" the exit treats it as no entry', async () => {
    const good = transitCard();
    await gate('entry', 201).tap(good, T0);
    const hex = good.state.apps[AID]!.capp['21:2701']!;
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
    bytes[11] ^= 0x01; // entry station low byte: the CRC no longer matches
    const rec = emptyRecord();
    expect(defaultRecordCodec.decode(bytes, 0, rec)).toBe('invalid');
    const card = transitCardWithRecord(0x2701, bytes);
    const before = card.balance();
    const refused = await gate('exit', 205).tap(card, T0 + 10 * MIN);
    expect(refused.outcome).toBe('declined profile-declined');
    expect(refused.result).toMatchObject({ fare: 0, rule: 'bad-record', details: { recordState: 'invalid' } });
    expect(card.balance()).toBe(before);
    const lenient = new Validator(createMetroExitProfile(table, { station: 205, mac: TEST_MAC, onBadRecord: 'ignore' }));
    open.push(lenient);
    const t = await lenient.tap(card, T0 + 11 * MIN);
    expect(t.result).toMatchObject({ fare: raw.penalties.noEntry, rule: 'penalty-no-entry', details: { badRecordIgnored: true } });
    expect(card.balance()).toBe(before - raw.penalties.noEntry!);
    expect(metroRecord(card).state).toBe('valid');
  });

  it('MAC provider without the key for the metro record: entry ends uncharged and the card keeps no entry', async () => {
    const card = transitCard();
    const t = await gate('entry', 201, table, createTestMacProvider([])).tap(card, T0);
    expect(t.outcome).toBe('declined profile-declined');
    expect(t.result.rule).toBe('no-mac-key');
    expect(metroRecord(card).state).toBe('blank');
  });

  it('zero-amount entry needs zeroAmount "allow": with the default "online" an offline-only gate cannot open', async () => {
    const cfg = withTestPki(validateConfig({ ttq: '28000080', offlineOnly: true, aids: [{ aid: AID }] }));
    const v = new Validator(createMetroEntryProfile(table, { station: 201, mac: TEST_MAC }), 'MI201', cfg);
    open.push(v);
    const card = transitCard();
    const t = await v.tap(card, T0);
    expect(t.outcome).toBe('try-another-interface zero-amount');
    expect(metroRecord(card).state).toBe('blank');
  });

  it('metro → bus transfer: a bus that also reads the metro record discounts within the window', async () => {
    const busTable = loadFareTable(join(FARES_DIR, 'bus-line.json'));
    if (busTable.kind !== 'bus') throw new Error('bus-line.json is not a bus table');
    const card = transitCard();
    await gate('entry', 201).tap(card, T0);
    await gate('exit', 205).tap(card, T0 + 20 * MIN);
    const bus = new Validator(createBusProfile(busTable, { route: 12, mac: TEST_MAC, transferRecords: [DEFAULT_RECORD] }), 'BUS00012');
    open.push(bus);
    const before = card.balance();
    const t = await bus.tap(card, T0 + 30 * MIN);
    const full = busTable.routes.get(12)!.fare!;
    expect(t.result).toMatchObject({ fare: Math.max(0, full - busTable.transfer!.discount), rule: 'transfer' });
    expect(t.result.details.previousLeg).toMatchObject({ source: 'card', sector: Sector.Metro, line: table.line });
    expect(card.balance()).toBe(before - t.result.fare);
    // The metro record is unchanged (the bus wrote its own record, read last).
    expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Closed, lastStation: 205 });
  });
});

describe('metro gates, pre-authorisation at entry (zone table)', () => {
  const maxFare = zRaw.entry.maxFare!;
  it('entry holds the maximum fare (DF60 02); exit completes with the zone fare (DF60 03)', async () => {
    const pairs: [number, number][] = [[501, 508], [504, 502], [507, 505]];
    const card = transitCard();
    let time = T0;
    for (const [from, to] of pairs) {
      const before = card.balance();
      const entry = await gate('entry', from, zTable).tap(card, time);
      expect(entry.outcome).toBe('approved approved-offline');
      expect(entry.result).toMatchObject({ fare: 0, rule: 'entry', details: { cappIndicator: 2, held: maxFare } });
      expect(card.balance()).toBe(before - maxFare);
      expect(card.state.apps[AID]!.preauths).toHaveLength(1);
      expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Open, chargeMode: ChargeMode.PreAuth, held: maxFare, entryStation: from });
      time += 30 * MIN;
      const exit = await gate('exit', to, zTable).tap(card, time);
      const fare = fileFare(zRaw, from, to);
      expect(exit.result).toMatchObject({ fare, rule: 'zone', details: { cappIndicator: 3 } });
      expect(card.balance()).toBe(before - fare);
      expect(card.state.apps[AID]!.preauths).toHaveLength(0);
      time += 60 * MIN;
    }
  });

  it('second entry while a pre-authorised journey is open is refused (the hold must be completed first)', async () => {
    const card = transitCard();
    await gate('entry', 501, zTable).tap(card, T0);
    const held = card.balance();
    const t = await gate('entry', 503, zTable).tap(card, T0 + 60 * MIN);
    expect(t.outcome).toBe('declined profile-declined');
    expect(t.result.rule).toBe('unfinished-journey');
    expect(card.balance()).toBe(held);
    expect(metroRecord(card).rec.entryStation).toBe(501);
  });

  it('exit at the entry station completes the hold with the same-station penalty', async () => {
    const card = transitCard();
    const before = card.balance();
    await gate('entry', 506, zTable).tap(card, T0);
    const t = await gate('exit', 506, zTable).tap(card, T0 + 5 * MIN);
    expect(t.result).toMatchObject({ fare: zRaw.penalties.sameStation, rule: 'penalty-same-station', details: { cappIndicator: 3 } });
    expect(card.balance()).toBe(before - zRaw.penalties.sameStation!);
  });
});

describe('metro exit interrupted', () => {
  it('card leaves during the records (before the commit): not charged, record still open, the journal details say torn', async () => {
    const card = transitCard();
    await gate('entry', 201).tap(card, T0);
    card.faults.add({ ins: 'B2', action: 'leaveField' });
    const before = card.balance();
    const t = await gate('exit', 205).tap(card, T0 + 20 * MIN);
    expect(t.outcome).toBe('try-again card-removed');
    expect(t.kernel.torn).toBe(true);
    expect(t.result).toMatchObject({ fare: 0, rule: 'distance', details: { torn: { fare: fileFare(raw, 201, 205), recordSent: true } } });
    expect(card.balance()).toBe(before);
    expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Open, entryStation: 201 });
  });
});

describe('metro exit on a low balance', () => {
  it('segmented deduction spends the balance and the rest from the deposit offset (DF62/DF63)', async () => {
    const base = transitCard();
    await gate('entry', 201).tap(base, T0);
    const state = base.state;
    state.apps[AID]!.ecBalance = 100;
    const card = createCard('metro-transit', { state });
    const fare = fileFare(raw, 201, 209);
    const limit = card.personality.applications[0]!.extendedApp!.offsetLimit;
    expect(fare).toBeGreaterThan(100);
    expect(fare - 100).toBeLessThanOrEqual(limit);
    const t = await gate('exit', 209).tap(card, T0 + 30 * MIN);
    expect(t.outcome).toBe('approved approved-offline');
    expect(t.result.fare).toBe(fare);
    expect(card.balance()).toBe(0);
    expect(card.state.apps[AID]!.offsetUsed).toBe(fare - 100);
    expect(metroRecord(card).rec).toMatchObject({ status: RecordStatus.Closed, amount: fare });
  });
});
