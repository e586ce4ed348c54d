/**
 * Bus profile scenarios through the real loop (kernel + VirtualReader + virtual cards + driveTap):
 * fares computed from test-vectors/fares/bus-line.json, balances and the card's bus record checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createCard } from '../hal/virtual/personalities.js';
import { loadFareTable, type BusTable } from '../src/profiles/fare-tables.js';
import { createBusProfile, BUS_RECORD } from '../src/profiles/bus.js';
import { createMemoryTripHistory } from '../src/profiles/trip-history.js';
import { createTestMacProvider } from '../src/profiles/mac-provider.js';
import { RecordStatus, Sector } from '../src/profiles/record-codec.js';
import { FARES_DIR, MIN, T0, TEST_MAC, Validator, cardRecord, transitCard } from './profile-setup.js';

const table = loadFareTable(join(FARES_DIR, 'bus-line.json')) as BusTable;
const flat = table.routes.get(12)!.fare!;
const zoned = table.routes.get(88)!;
const transfer = table.transfer!;
const validators: Validator[] = [];
function bus(route: number, opts: Partial<Parameters<typeof createBusProfile>[1]> = {}): Validator {
  const v = new Validator(createBusProfile(table, { route, mac: TEST_MAC, ...opts }), 'BUS00012');
  validators.push(v);
  return v;
}
afterEach(async () => {
  for (const v of validators.splice(0)) await v.close();
});

describe('bus profile', () => {
  it('flat fare on a card with the extended application: charged, leg written with DF60 01', async () => {
    const card = transitCard();
    const before = card.balance();
    const t = await bus(12).tap(card, T0);
    expect(t.outcome).toBe('approved approved-offline');
    expect(t.result).toMatchObject({ fare: flat, rule: 'flat' });
    expect(t.result.details).toMatchObject({ tableVersion: table.version, route: 12, recordWritten: true, cappIndicator: 1 });
    expect(card.balance()).toBe(before - flat);
    const { state, rec } = cardRecord(card, BUS_RECORD.recordId);
    expect(state).toBe('valid');
    expect(rec).toMatchObject({ status: RecordStatus.Leg, sector: Sector.Bus, operatorId: table.operatorId, line: 12, lastTime: T0, amount: flat, legs: 1, terminalId: 'BUS00012' });
    expect(t.result.display).toContain(`balance ¥${((before - flat) / 100).toFixed(2)}`);
  });

  it('zone fares: each zone of route 88 charges its table fare', async () => {
    const card = transitCard();
    const v = bus(88, { zone: 1 });
    const profile = v.profile as ReturnType<typeof createBusProfile>;
    let balance = card.balance();
    let time = T0;
    for (const [zone, fare] of zoned.zones) {
      profile.setZone(zone);
      time += 3 * 60 * MIN; // outside the transfer window: full zone fare each time
      const t = await v.tap(card, time);
      expect(t.result).toMatchObject({ fare, rule: 'zone' });
      expect(t.result.details.zone).toBe(zone);
      balance -= fare;
      expect(card.balance()).toBe(balance);
      expect(cardRecord(card, BUS_RECORD.recordId).rec).toMatchObject({ entryStation: zone, amount: fare });
    }
  });

  it('transfer inside the window gets the discount; outside it does not; the same route again does not', async () => {
    const card = transitCard();
    await bus(12).tap(card, T0);
    let balance = card.balance();
    const inside = await bus(5).tap(card, T0 + (transfer.windowMinutes - 1) * MIN);
    const fare5 = table.routes.get(5)!.fare!;
    expect(inside.result).toMatchObject({ fare: Math.max(0, fare5 - transfer.discount), rule: 'transfer' });
    expect(inside.result.details.previousLeg).toMatchObject({ source: 'card', line: 12 });
    balance -= inside.result.fare;
    expect(card.balance()).toBe(balance);
    expect(cardRecord(card, BUS_RECORD.recordId).rec).toMatchObject({ legs: 2, journeyTotal: flat + inside.result.fare });
    // Back on route 12 within the window: a transfer from route 5 (leg 3 ≤ maxLegs).
    const third = await bus(12).tap(card, T0 + (transfer.windowMinutes + 10) * MIN);
    expect(third.result.rule).toBe(transfer.maxLegs >= 3 ? 'transfer' : 'flat');
    // Window measured from the previous leg: far later → full fare, new journey.
    const later = await bus(12).tap(card, T0 + 10 * transfer.windowMinutes * MIN);
    expect(later.result).toMatchObject({ fare: flat, rule: 'flat' });
    expect(cardRecord(card, BUS_RECORD.recordId).rec.legs).toBe(1);
    const again = await bus(12).tap(card, T0 + 10 * transfer.windowMinutes * MIN + MIN);
    expect(again.result).toMatchObject({ fare: flat, rule: 'flat' });
  });

  it('the transfer limit: maxLegs legs are discounted, the next one is not', async () => {
    const card = transitCard();
    const routes = [12, 5, 12, 5, 12];
    const rules: string[] = [];
    for (let i = 0; i < routes.length; i++) rules.push((await bus(routes[i]!).tap(card, T0 + i * MIN)).result.rule);
    const expected = routes.map((_, i) => (i === 0 || i % transfer.maxLegs === 0 ? 'flat' : 'transfer'));
    expect(rules).toEqual(expected);
  });

  it('card without the extended application: plain EC purchase of the flat fare (DF60 00), no transfer from the card', async () => {
    const card = createCard('debit-ec');
    const before = card.balance();
    const t = await bus(12).tap(card, T0);
    expect(t.outcome).toBe('approved approved-offline');
    expect(t.result).toMatchObject({ fare: flat, rule: 'flat' });
    expect(t.result.details).toMatchObject({ extendedApp: false, recordWritten: false, cappIndicator: 0, readSw: '6d00' });
    expect(card.balance()).toBe(before - flat);
  });

  it('card without the extended application: transfer from the TripHistory by card UID (known before GPO)', async () => {
    const history = createMemoryTripHistory();
    const card = createCard('debit-ec');
    const uid = Uint8Array.of(0x04, 0xa1, 0xb2, 0xc3);
    await bus(12, { history }).tap(card, T0, { cardUid: uid });
    const second = await bus(5, { history }).tap(card, T0 + 20 * MIN, { cardUid: uid });
    expect(second.result).toMatchObject({ fare: Math.max(0, table.routes.get(5)!.fare! - transfer.discount), rule: 'transfer' });
    expect(second.result.details.previousLeg).toMatchObject({ source: 'history', line: 12 });
    // A phone with a random UID per tap: no match, full fare.
    const phone = await bus(5, { history }).tap(card, T0 + 21 * MIN, { cardUid: Uint8Array.of(0x08, 1, 2, 3) });
    expect(phone.result.rule).toBe('flat');
  });

  it('a bad bus record (CRC wrong): declined by default; ignored and overwritten with onBadRecord ignore', async () => {
    const card = transitCard();
    await bus(12).tap(card, T0);
    const state = card.state;
    const key = `21:${BUS_RECORD.recordId.toString(16).toUpperCase()}`;
    const hex = state.apps['A000000333010101']!.capp[key]!;
    state.apps['A000000333010101']!.capp[key] = hex.slice(0, 20) + (hex[20] === '0' ? '1' : '0') + hex.slice(21);
    const damaged = createCard('metro-transit', { state });
    const before = damaged.balance();
    const refused = await bus(12).tap(damaged, T0 + MIN);
    expect(refused.outcome).toBe('declined profile-declined');
    expect(refused.result).toMatchObject({ fare: 0, rule: 'bad-record' });
    expect(damaged.balance()).toBe(before);
    const ok = await bus(12, { onBadRecord: 'ignore' }).tap(damaged, T0 + 2 * MIN);
    expect(ok.result).toMatchObject({ fare: flat, rule: 'flat' });
    expect(ok.result.details.badRecordIgnored).toBe(true);
    expect(cardRecord(damaged, BUS_RECORD.recordId).state).toBe('valid');
  });

  it('MAC provider without the key: the tap ends before the commit, nothing charged, record unchanged', async () => {
    const card = transitCard();
    const before = card.balance();
    const atc = card.atc();
    const t = await bus(12, { mac: createTestMacProvider([]) }).tap(card, T0);
    expect(t.outcome).toBe('declined profile-declined');
    expect(t.result).toMatchObject({ fare: 0, rule: 'no-mac-key' });
    expect(card.balance()).toBe(before);
    expect(card.atc()).toBe(atc + 1); // GPO ran, the commit did not
    expect(cardRecord(card, BUS_RECORD.recordId).state).toBe('blank');
  });

  it('read RMAC: a provider with readMac authenticates reads; a response altered on the air is a bad record', async () => {
    const card = transitCard();
    await bus(12).tap(card, T0);
    card.faults.add({ ins: 'B4', action: 'mutate', offset: 65, xor: 0x01 }); // a byte of the RMAC: only the RMAC check can see it
    const before = card.balance();
    const t = await bus(5).tap(card, T0 + MIN);
    expect(t.outcome).toBe('declined profile-declined');
    expect(t.result).toMatchObject({ fare: 0, rule: 'bad-record', details: { recordState: 'invalid' } });
    expect(card.balance()).toBe(before);
  });

  it('the READ CAPP DATA terminal random comes from the injected source (replayable)', async () => {
    const card = transitCard();
    const sent: string[] = [];
    const transmit = card.transmit.bind(card);
    card.transmit = (c: Uint8Array) => {
      if (c[0] === 0x80 && c[1] === 0xb4) sent.push(Buffer.from(c).toString('hex').toUpperCase());
      return transmit(c);
    };
    const t = await bus(12, { random: (out, off, len) => out.fill(0xa5, off, off + len) }).tap(card, T0);
    expect(t.outcome).toBe('approved approved-offline');
    expect(sent.length).toBeGreaterThan(0);
    for (const c of sent) expect(c).toMatch(/^80B400A80A[0-9A-F]{4}A5A5A5A5A5A5A5A500$/);
  });

  it('a provider without readMac reads plainly (Lc 02) and still writes', async () => {
    const card = transitCard();
    const updateOnly = { updateMac: TEST_MAC.updateMac.bind(TEST_MAC) };
    await bus(12, { mac: updateOnly }).tap(card, T0);
    const t = await bus(5, { mac: updateOnly }).tap(card, T0 + MIN);
    expect(t.result).toMatchObject({ rule: 'transfer', details: { recordWritten: true } });
    expect(cardRecord(card, BUS_RECORD.recordId).rec).toMatchObject({ line: 5, legs: 2 });
  });
});
