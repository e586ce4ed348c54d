/**
 * The demo city: a bus (route 12) and a metro line (entry gate at Xinghuo Road, exit gate at
 * Exhibition Centre), three real validators — `Terminal` loops over `VirtualReader`s with the
 * kernel, RSA/SM2 ODA on the test PKI, the sector profiles, a hashed deny list, and a durable
 * journal each (real files, fsync) — and a stream of passengers with virtual cards.
 *
 * Time is simulated (an injected clock moving 5–60 s per tap, from 07:00 China time), so journeys,
 * transfer windows and torn-record lifetimes behave as in a day of service, however fast it runs.
 * `runDemo` reports every tap to `onTap` (the live view) and returns the summary; `npm start` and
 * `shanfu demo` print it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { VirtualReader } from '../../hal/virtual/reader.js';
import { testVectorsDir } from '../../hal/virtual/vector-paths.js';
import { DEFAULT_CONFIG_JSON, validateConfig } from '../config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../config/oda-provider.js';
import { DenyListStore, buildDenyListFile } from '../denylist/index.js';
import { Journal } from '../journal/index.js';
import {
  DEFAULT_RECORD, createBusProfile, createMetroEntryProfile, createMetroExitProfile, createTestMacProvider, loadFareTable, recordKeysOf,
  type BusTable, type MetroTable,
} from '../profiles/index.js';
import { Terminal, type TapResult } from '../terminal/index.js';
import { balanceOf, createPassengers, topUp, type Passenger, type Stop } from './passengers.js';
import { TimedCard } from './timed-card.js';

export interface DemoOptions {
  /** Number of taps (re-taps after a pulled card or a locked phone count). */
  taps: number;
  /** Passengers in the stream (default 24; the special cases are always among them). */
  passengers?: number;
  /** Journal directory (kept); default a temporary directory removed at the end. */
  journalDir?: string;
  /** Seed of the stream (who taps next, how much time passes). */
  seed?: number;
  /** Acknowledge the journals every this many taps, as the uplink would (default 1000; 0 = never). */
  ackEvery?: number;
  /** Called after every tap (the live view). */
  onTap?: (event: DemoTap) => void;
  /** Wait each tap's simulated time on the air, as a passenger would (a watchable pace). */
  realtime?: boolean;
}

/** One tap as the live view sees it. */
export interface DemoTap {
  index: number;
  validator: string;
  passenger: Passenger;
  tap: TapResult;
  /** Terminal time of the tap (kernel, ODA, profile, journal fsync), card emulation excluded. */
  terminalMs: number;
  /** The card's simulated time on the air (ISO 14443 at the personality's bit rate + processing). */
  airMs: number;
  /** A note: re-tap, double tap, a fault injected for this tap. */
  note: string;
}

export interface ValidatorSummary {
  name: string;
  profile: string;
  taps: number;
  approved: number;
  charged: number;
}

export interface DemoSummary {
  taps: number;
  approved: number;
  /** "outcome / reason" → taps. */
  byReason: Map<string, number>;
  validators: ValidatorSummary[];
  /** What the journals say was debited (taps + torn taps resolved as charged). */
  journalCharged: number;
  /** What the cards lost: balance at start + top-ups − balance at the end. */
  cardsDebited: number;
  topUps: number;
  tornOpened: number;
  tornResolved: { charged: number; notCharged: number };
  terminalMs: number[];
  airMs: number[];
  rssStartMb: number;
  rssEndMb: number;
  heapEndMb: number;
  seconds: number;
  journalDir: string;
  journalKept: boolean;
  /** Simulated time span, ms. */
  simulatedMs: number;
}

/** 2026-11-27 07:00 China time (UTC+8). */
const START = Date.UTC(2026, 10, 26, 23, 0, 0);

/** Seeded xorshift32: the stream is the same for the same seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

type Validator = { name: string; stop: Stop; terminal: Terminal; reader: VirtualReader; journal: Journal; stats: ValidatorSummary };

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const taps = options.taps;
  if (!Number.isInteger(taps) || taps < 1) throw new RangeError('options.taps: a positive integer');
  const ackEvery = options.ackEvery ?? 1000;
  const random = rng(options.seed ?? 2026);
  const rssStart = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const sim = { now: START };
  const clock = () => sim.now;

  const passengers = createPassengers(options.passengers ?? 24);
  const fares = join(testVectorsDir(), 'fares');
  const busTable = loadFareTable(join(fares, 'bus-line.json')) as BusTable;
  const metroTable = loadFareTable(join(fares, 'metro-line.json')) as MetroTable;
  // Test keys of the transit record (every demo card is personalised from the same test issuer).
  const mac = createTestMacProvider(recordKeysOf(passengers.find((p) => p.personality.applications[0]!.extendedApp)!.personality));

  // One deny list for the city, from the back office's file format (hashed PAN + PSN).
  const denied = passengers.filter((p) => p.denied).map((p) => ({ pan: p.personality.applications[0]!.pan, psn: p.personality.applications[0]!.psn }));
  const denyList = DenyListStore.fromBytes(buildDenyListFile({ version: 1, add: denied }));

  // Offline-only validators; entries authorise amount 0 (segmented deduction), so zero amounts are normal here.
  const json = JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON)) as { aids: { zeroAmount: string }[] };
  for (const a of json.aids) a.zeroAmount = 'allow';
  const config = { ...withTestPki(validateConfig(json)), denyList };
  const oda = createOdaProvider(config);

  const journalKept = options.journalDir !== undefined;
  const journalDir = options.journalDir ?? mkdtempSync(join(tmpdir(), 'shanfu-demo-'));
  const key = randomBytes(32);
  const validators: Validator[] = [];
  const add = async (name: string, stop: Stop, profile: ConstructorParameters<typeof Terminal>[0]['profile']) => {
    const reader = new VirtualReader({ name });
    const journal = await Journal.open({ dir: join(journalDir, name), key, terminalId: name });
    const terminal = new Terminal({ reader, config, oda, profile, journal, terminalId: name, clock, cardKey: key, antiPassbackMs: 60_000 });
    validators.push({ name, stop, terminal, reader, journal, stats: { name, profile: profile.name, taps: 0, approved: 0, charged: 0 } });
  };
  await add('BUS-12', 'bus', createBusProfile(busTable, { route: 12, mac, transferRecords: [DEFAULT_RECORD] }));
  await add('GATE-201-IN', 'metro-entry', createMetroEntryProfile(metroTable, { station: 201, mac }));
  await add('GATE-207-OUT', 'metro-exit', createMetroExitProfile(metroTable, { station: 207, mac }));
  const byStop = new Map(validators.map((v) => [v.stop, v]));

  const summary: DemoSummary = {
    taps: 0, approved: 0, byReason: new Map(), validators: validators.map((v) => v.stats), journalCharged: 0, cardsDebited: 0, topUps: 0,
    tornOpened: 0, tornResolved: { charged: 0, notCharged: 0 }, terminalMs: [], airMs: [], rssStartMb: rssStart / 2 ** 20, rssEndMb: 0, heapEndMb: 0,
    seconds: 0, journalDir, journalKept, simulatedMs: 0,
  };
  for (const v of validators) {
    v.terminal.on('torn-open', () => summary.tornOpened++);
    v.terminal.on('torn-resolved', (e) => {
      if (e.resolution === 'charged') {
        summary.tornResolved.charged++;
        summary.journalCharged += e.torn.amount;
        v.stats.charged += e.torn.amount;
      } else summary.tornResolved.notCharged++;
    });
  }

  const balanceStart = passengers.reduce((s, p) => s + balanceOf(p.card), 0);
  let toppedUp = 0;
  let lastAck = 0;
  const timed = new TimedCard(passengers[0]!.card);

  const tapOnce = async (p: Passenger, v: Validator, note: string) => {
    timed.reset(p.card);
    v.reader.present(timed);
    const w0 = process.hrtime.bigint();
    let tap: TapResult;
    try {
      tap = await v.terminal.tapOnce();
    } finally {
      v.reader.remove();
    }
    const terminalMs = Number(process.hrtime.bigint() - w0) / 1e6 - timed.emulationMicros / 1000;
    const airMs = timed.airMicros / 1000;
    summary.taps++;
    v.stats.taps++;
    if (tap.outcomeName === 'approved') {
      summary.approved++;
      v.stats.approved++;
    }
    v.stats.charged += tap.charged;
    summary.journalCharged += tap.charged;
    const key = `${tap.outcomeName} / ${tap.reason}`;
    summary.byReason.set(key, (summary.byReason.get(key) ?? 0) + 1);
    if (summary.terminalMs.length < 200_000) {
      summary.terminalMs.push(terminalMs);
      summary.airMs.push(airMs);
    } else {
      // Reservoir sample beyond 200k taps: bounded memory for long runs.
      const j = Math.floor(random() * summary.taps);
      if (j < summary.terminalMs.length) {
        summary.terminalMs[j] = terminalMs;
        summary.airMs[j] = airMs;
      }
    }
    options.onTap?.({ index: summary.taps, validator: v.name, passenger: p, tap, terminalMs, airMs, note });
    if (options.realtime) await sleep(airMs);
    sim.now += 3_000; // the passenger takes the card back / the next one steps up
    return tap;
  };

  try {
    while (summary.taps < taps) {
      const p = passengers[Math.floor(random() * passengers.length)]!;
      const stop = p.route[p.next]!;
      const v = byStop.get(stop)!;
      if (p.topUpBelow > 0 && balanceOf(p.card) < p.topUpBelow) {
        toppedUp += topUp(p);
        summary.topUps++;
      }
      let note = '';
      if (p.fault && !p.faultDone && p.fault.at === stop) {
        p.card.faults.add(p.fault.spec);
        p.faultDone = true;
        note = p.fault.note;
      }
      let tap = await tapOnce(p, v, note);
      // The card left the field or the phone asked for its holder: the passenger taps again.
      if (tap.outcomeName === 'try-again' && summary.taps < taps) tap = await tapOnce(p, v, `re-tap after ${tap.reason}`);
      if (p.doubleTap && stop === 'bus' && summary.taps < taps) await tapOnce(p, v, 'taps again at once (anti-passback)');
      p.next = (p.next + 1) % p.route.length;
      sim.now += 5_000 + Math.floor(random() * 55_000);
      if (ackEvery > 0 && summary.taps - lastAck >= ackEvery) {
        await ackAll(validators);
        lastAck = summary.taps;
      }
    }
  } finally {
    // Also when a validator halts (its journal failed): readers and journals closed, a temporary directory removed.
    for (const v of validators) {
      await v.reader.close();
      await v.journal.close().catch(() => undefined);
    }
    if (!journalKept) rmSync(journalDir, { recursive: true, force: true });
  }
  const balanceEnd = passengers.reduce((s, p) => s + balanceOf(p.card), 0);
  summary.cardsDebited = balanceStart + toppedUp - balanceEnd;
  summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  summary.simulatedMs = sim.now - START;
  const mem = process.memoryUsage();
  summary.rssEndMb = mem.rss / 2 ** 20;
  summary.heapEndMb = mem.heapUsed / 2 ** 20;
  return summary;
}

/** The uplink's part, simulated: every record so far reached the back office. */
async function ackAll(validators: Validator[]): Promise<void> {
  for (const v of validators) {
    const last = v.journal.stats().lastSeq;
    if (last > v.journal.stats().ackedSeq) await v.journal.ack(last);
  }
}
