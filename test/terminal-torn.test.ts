/**
 * Torn taps (qpboc-facts §7.2): the card leaves at EVERY command of a tap — with the command not run,
 * and run with its response lost (`processed: true`) — and then taps again. For each case the card's
 * balance and the journal's charged total agree: nothing is charged twice, nothing is lost.
 * Real kernel, real ODA (test PKI), VirtualReader, MemoryJournal; the bus profile (extended
 * application, GET TRANS PROVE) and a flat EC purchase (transaction log). Plus: resolution when the
 * re-tap ends before afterGpo (ARQC), removal during the resolution itself, expiry, restart with a
 * pending record (torn file + the real Journal on a temp dir), a corrupt torn file.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuickPassCard } from '../hal/virtual/card.js';
import { Journal } from '../src/journal/index.js';
import type { JournalHistory, StoredEntry } from '../src/journal/types.js';
import { loadFareTable, type BusTable } from '../src/profiles/fare-tables.js';
import { createBusProfile } from '../src/profiles/bus.js';
import type { SectorProfile } from '../src/profiles/types.js';
import type { TerminalEvent, TapResult } from '../src/terminal/index.js';
import { FARES_DIR, TEST_MAC } from './profile-setup.js';
import { CONFIG, createCard, flatProfile, journalCharged, rig, TEST_KEY as KEY, TestJournal, type Rig } from './terminal-fixtures.js';

const busTable = loadFareTable(join(FARES_DIR, 'bus-line.json')) as BusTable;

type Setup = { name: string; card: () => QuickPassCard; profile: () => SectorProfile };
const SETUPS: Setup[] = [
  // Extended application: DF60 01 segmented deduction + the bus record (GET TRANS PROVE proves a commit).
  { name: 'bus on metro-transit', card: () => createCard('metro-transit'), profile: () => createBusProfile(busTable, { route: 12, mac: TEST_MAC }) },
  // Plain EC purchase: the card's transaction log proves a commit.
  { name: 'flat fare on debit-ec', card: () => createCard('debit-ec'), profile: () => flatProfile(200) },
];

function memoryRig(profile: SectorProfile, extra: Parameters<typeof rig>[0] = {}): Rig & { store: TestJournal } {
  const r = rig({ profile, ...extra });
  return { ...r, store: r.journal };
}

async function entries(j: JournalHistory): Promise<StoredEntry[]> {
  return j.read(1, 10_000);
}

async function tapCard(r: Rig, card: QuickPassCard): Promise<TapResult> {
  r.reader.present(card);
  try {
    return await r.terminal.tapOnce();
  } finally {
    r.reader.remove();
  }
}

/** Commands of a clean tap of this setup (SELECTs, the profile's reads, GPO, the update, the records). */
async function commandsOfCleanTap(s: Setup): Promise<number> {
  const r = memoryRig(s.profile());
  const t = await tapCard(r, s.card());
  expect(t.outcomeName).toBe('approved');
  return r.terminal.kernel.apduCount;
}

describe('torn taps: removal at every command, then a re-tap', () => {
  for (const s of SETUPS) {
    it(`${s.name}: balance and journal agree for every command × (not run | run, response lost)`, async () => {
      const last = await commandsOfCleanTap(s);
      expect(last).toBeGreaterThanOrEqual(8);
      const resolutions = new Map<string, number>();
      for (let n = 1; n <= last; n++) {
        for (const processed of [false, true]) {
          const label = `command ${n}${processed ? ' (run, response lost)' : ''}`;
          const card = s.card();
          const before = card.balance();
          const r = memoryRig(s.profile());
          card.faults.add({ command: n, action: 'leaveField', processed });
          const first = await tapCard(r, card);
          expect(first.outcomeName, label).toBe('try-again');
          r.clock.now += 5_000;
          const second = await tapCard(r, card);
          expect(second.outcomeName, label).toBe('approved');
          const js = await entries(r.store);
          const debited = before - card.balance();
          // The fare was charged exactly once, and the journal says so.
          expect(debited, label).toBe(200);
          expect(journalCharged(js), label).toBe(debited);
          expect(r.terminal.tornRecords, label).toEqual([]);
          const opened = js.filter((e) => e.kind === 'torn-open').length;
          const resolved = js.filter((e) => e.kind === 'torn-resolved');
          expect(resolved.length, label).toBe(opened);
          for (const e of resolved) resolutions.set(e.resolution!, (resolutions.get(e.resolution!) ?? 0) + 1);
          if (second.reason === 'torn-completed') expect(resolved.map((e) => e.resolution), label).toEqual(['charged']);
          // A third tap inside the anti-passback window charges nothing more.
          r.clock.now += 5_000;
          expect((await tapCard(r, card)).reason, label).toBe('already-charged');
          expect(before - card.balance(), label).toBe(200);
        }
      }
      // Both ways out were exercised: the commit happened (last record run, response lost) and not.
      expect(resolutions.get('charged')).toBeGreaterThanOrEqual(1);
      expect(resolutions.get('not-charged')).toBeGreaterThanOrEqual(1);
    });
  }

  for (const s of SETUPS) {
    it(`${s.name}: removal during the re-tap too (every command of both taps), then a clean third tap`, async () => {
      const last = await commandsOfCleanTap(s);
      let cases = 0;
      for (let n1 = 3; n1 <= last; n1++) {
        for (const p1 of [false, true]) {
          for (let n2 = 1; n2 <= last + 6; n2++) {
            const label = `first tap at ${n1}${p1 ? '+' : ''}, re-tap at ${n2}`;
            const card = s.card();
            const before = card.balance();
            const r = memoryRig(s.profile());
            card.faults.add({ command: n1, action: 'leaveField', processed: p1 });
            await tapCard(r, card);
            card.faults.add({ command: n2, action: 'leaveField', processed: true });
            r.clock.now += 5_000;
            await tapCard(r, card);
            r.clock.now += 5_000;
            const third = await tapCard(r, card);
            expect(['approved', 'declined'], label).toContain(third.outcomeName);
            const debited = before - card.balance();
            expect(debited, label).toBe(200);
            expect(journalCharged(await entries(r.store)), label).toBe(200);
            expect(r.terminal.tornRecords, label).toEqual([]);
            cases++;
          }
        }
      }
      expect(cases).toBeGreaterThan(100);
    });
  }
});

describe('torn taps: other paths', () => {
  it('resolves on a re-tap that ends before afterGpo (fare over the balance → ARQC), by direct exchanges', async () => {
    const profile = flatProfile(200);
    const r = memoryRig(profile);
    const card = createCard('debit-ec');
    const before = card.balance();
    card.faults.add({ ins: 'B2', skip: 4, action: 'leaveField', processed: true }); // the 5th (last) record runs: committed
    await tapCard(r, card);
    expect(r.terminal.tornRecords).toHaveLength(1);
    profile.fare = before + 100; // more than the card holds: the card answers ARQC, no afterGpo
    r.clock.now += 5_000;
    const second = await tapCard(r, card);
    expect(second.charged).toBe(0);
    const js = await entries(r.store);
    expect(js.find((e) => e.kind === 'torn-resolved')).toMatchObject({ resolution: 'charged', charged: 200, amount: 200 });
    expect(r.terminal.tornRecords).toEqual([]);
    expect(journalCharged(js)).toBe(before - card.balance());
  });

  it('a torn record that is not committed, re-tap declined (ARQC): resolved not-charged, nothing charged', async () => {
    const profile = flatProfile(200);
    const r = memoryRig(profile);
    const card = createCard('debit-ec');
    const before = card.balance();
    card.faults.add({ ins: 'B2', skip: 2, action: 'leaveField' }); // 3rd record: the card never commits
    await tapCard(r, card);
    profile.fare = before + 100;
    r.clock.now += 5_000;
    await tapCard(r, card);
    const js = await entries(r.store);
    expect(js.find((e) => e.kind === 'torn-resolved')).toMatchObject({ resolution: 'not-charged', charged: 0 });
    expect(card.balance()).toBe(before);
    expect(journalCharged(js)).toBe(0);
  });

  it('the card is deny-listed after its torn tap: the early deny-list decline still settles the torn record', async () => {
    let denied = false;
    const r = memoryRig(flatProfile(200), { config: { ...CONFIG, denyList: { isDenied: () => denied } } });
    const card = createCard('debit-ec');
    const before = card.balance();
    card.faults.add({ ins: 'B2', skip: 4, action: 'leaveField', processed: true }); // committed, answer lost
    await tapCard(r, card);
    denied = true;
    r.clock.now += 5_000;
    const t = await tapCard(r, card);
    expect(t).toMatchObject({ outcomeName: 'declined', reason: 'deny-list', charged: 0 });
    const js = await entries(r.store);
    expect(js.map((e) => [e.kind, e.resolution ?? '', e.charged])).toEqual([
      ['torn-open', '', 0],
      ['tap', '', 0],
      ['torn-resolved', 'charged', 200],
      ['tap', '', 0],
    ]);
    expect(journalCharged(js)).toBe(before - card.balance());
  });

  it('events: torn-open on the torn tap, torn-resolved on the re-tap, feedback "Paid (earlier tap)"', async () => {
    const r = memoryRig(flatProfile(200));
    const events: TerminalEvent[] = [];
    r.terminal.on('*', (e) => events.push(e));
    const card = createCard('debit-ec');
    card.faults.add({ ins: 'B2', skip: 4, action: 'leaveField', processed: true });
    await tapCard(r, card);
    r.clock.now += 1000;
    const t = await tapCard(r, card);
    expect(t).toMatchObject({ reason: 'torn-completed', charged: 0, balance: card.balance() });
    const types = events.map((e) => e.type);
    expect(types).toEqual(['card-present', 'torn-open', 'tap', 'feedback', 'card-present', 'torn-resolved', 'tap', 'feedback']);
    expect(events.find((e) => e.type === 'torn-resolved')).toMatchObject({ resolution: 'charged', torn: { amount: 200 } });
    expect(events.at(-1)).toMatchObject({ feedback: { led: 'green', lines: ['Paid (earlier tap)', expect.stringMatching(/^Balance ¥/)] } });
  });

  it('expiry: after the lifetime the record is journalled torn-expired and dropped', async () => {
    const r = memoryRig(flatProfile(200), { tornLifetimeMs: 300_000 });
    const expired: TerminalEvent[] = [];
    r.terminal.on('torn-expired', (e) => expired.push(e));
    const card = createCard('debit-ec');
    card.faults.add({ ins: 'B2', skip: 1, action: 'leaveField' });
    await tapCard(r, card);
    r.clock.now += 300_000;
    expect(await r.terminal.expireTorn()).toBe(0); // exactly the lifetime: still open
    r.clock.now += 1;
    expect(await r.terminal.expireTorn()).toBe(1);
    expect(expired).toHaveLength(1);
    const js = await entries(r.store);
    expect(js.map((e) => e.kind)).toEqual(['torn-open', 'tap', 'torn-expired']);
    expect(js[2]).toMatchObject({ charged: 0, amount: 200 });
    expect(r.terminal.tornRecords).toEqual([]);
    // The card taps again later: an ordinary tap, charged once.
    expect((await tapCard(r, card)).charged).toBe(200);
  });

  it('expired records are journalled when the next card arrives (no explicit call)', async () => {
    const r = memoryRig(flatProfile(200), { tornLifetimeMs: 1000 });
    const card = createCard('debit-ec');
    card.faults.add({ ins: 'B2', skip: 1, action: 'leaveField' });
    await tapCard(r, card);
    r.clock.now += 2000;
    await tapCard(r, createCard('sm2-debit'));
    expect((await entries(r.store)).map((e) => e.kind)).toEqual(['torn-open', 'tap', 'torn-expired', 'tap']);
  });

  it('restart: the torn record survives in its file; a new Terminal on the real Journal resolves it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-torn-'));
    const tornFile = join(dir, 'torn.json');
    const journalDir = join(dir, 'journal');
    const card = createCard('metro-transit');
    const before = card.balance();
    const profile = () => createBusProfile(busTable, { route: 12, mac: TEST_MAC });

    const j1 = await Journal.open({ dir: journalDir, key: KEY, terminalId: 'T-TEST-1' });
    const a = rig({ profile: profile(), journal: j1, tornFile, cardKey: KEY });
    card.faults.add({ ins: 'B2', skip: 4, action: 'leaveField', processed: true });
    await tapCard(a, card);
    await j1.close();
    const file = readFileSync(tornFile, 'utf8');
    expect(JSON.parse(file).records).toHaveLength(1);
    expect(file).not.toContain('6228480000000000240'); // no PAN in clear at rest

    const j2 = await Journal.open({ dir: journalDir, key: KEY, terminalId: 'T-TEST-1' });
    const b = rig({ profile: profile(), journal: j2, tornFile, cardKey: KEY });
    b.clock.now = a.clock.now + 60_000;
    expect(b.terminal.tornRecords).toEqual([]); // loaded on open()
    const t = await tapCard(b, card);
    expect(t.reason).toBe('torn-completed');
    const js = await j2.read(1, 100);
    expect(js.map((e) => e.kind)).toEqual(['torn-open', 'tap', 'torn-resolved', 'tap']);
    expect(journalCharged(js)).toBe(before - card.balance());
    expect(before - card.balance()).toBe(busTable.routes.get(12)!.fare);
    expect(j2.unseal(js[0]!)?.pan).toBe('6228480000000000240');
    expect(JSON.parse(readFileSync(tornFile, 'utf8')).records).toEqual([]);
    await j2.close();
  });

  it('restart after the lifetime: the pending record is journalled torn-expired on open()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-torn-'));
    const tornFile = join(dir, 'torn.json');
    const a = memoryRig(flatProfile(200), { tornFile });
    const card = createCard('debit-ec');
    card.faults.add({ ins: 'B2', skip: 1, action: 'leaveField' });
    await tapCard(a, card);
    const b = memoryRig(flatProfile(200), { tornFile });
    b.clock.now = a.clock.now + 300_001;
    await b.terminal.open();
    expect((await entries(b.store)).map((e) => e.kind)).toEqual(['torn-expired']);
    expect(JSON.parse(readFileSync(tornFile, 'utf8')).records).toEqual([]);
  });

  it('a corrupt torn file stops the terminal from starting, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-torn-'));
    const tornFile = join(dir, 'torn.json');
    writeFileSync(tornFile, '{"format":"shanfu-torn","version":1,"records":[{"atc":"x"}]}');
    const r = memoryRig(flatProfile(200), { tornFile });
    await expect(r.terminal.open()).rejects.toMatchObject({ code: 'torn.corrupt', message: expect.stringContaining(tornFile) });
  });

  it('an unwritable torn file halts the terminal at the torn tap (the record would be lost)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-torn-'));
    const r = memoryRig(flatProfile(200), { tornFile: join(dir, 'state', 'torn.json') });
    await r.terminal.open(); // no torn file yet: nothing to load
    writeFileSync(join(dir, 'state'), 'a file where the torn file\'s directory must go'); // so the torn record cannot be written
    const card = createCard('debit-ec');
    card.faults.add({ ins: 'B2', skip: 1, action: 'leaveField' });
    const errors: TerminalEvent[] = [];
    r.terminal.on('error', (e) => errors.push(e));
    await expect(tapCard(r, card)).rejects.toMatchObject({ code: 'terminal.halted' });
    expect(errors).toMatchObject([{ kind: 'torn-store', fatal: true }]);
  });
});
