/**
 * Fare table validation (errors name the field, code config.invalid), the sample tables, the fare
 * arithmetic, the default record codec (layout of README.md, CRC) and the test MAC provider.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShanfuError } from '../kernels/util/errors.js';
import { cappUpdateMac } from '../hal/virtual/extended-app.js';
import { fromHex } from '../kernels/util/hex.js';
import {
  loadFareTable, validateBusTable, validateFareTable, validateMetroTable, validateTollTable, tollForDistance, metroFare, type TollTable,
} from '../src/profiles/fare-tables.js';
import { crc32, defaultRecordCodec, emptyRecord, RecordStatus, Sector, ChargeMode } from '../src/profiles/record-codec.js';
import { createTestMacProvider } from '../src/profiles/mac-provider.js';
import { createMemoryTripHistory } from '../src/profiles/trip-history.js';
import { FARES_DIR } from './profile-setup.js';

const read = (f: string) => JSON.parse(readFileSync(join(FARES_DIR, f), 'utf8')) as Record<string, unknown>;

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShanfuError);
    expect((e as ShanfuError).code).toBe('config.invalid');
    return (e as Error).message;
  }
  throw new Error('expected a config.invalid error');
}

describe('fare tables', () => {
  it('every sample table in test-vectors/fares loads', () => {
    const files = readdirSync(FARES_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(loadFareTable(join(FARES_DIR, f)).version).toBe(read(f).version);
  });

  it('bus: errors name the field', () => {
    const bus = read('bus-line.json');
    expect(configError(() => validateBusTable({ ...bus, version: '' }))).toMatch(/^version: /);
    expect(configError(() => validateBusTable({ ...bus, routes: [{ id: 1, fare: 100, zones: [] }] }))).toMatch(/^routes\[0\]: needs exactly one of/);
    expect(configError(() => validateBusTable({ ...bus, routes: [{ id: 1, fare: -1 }] }))).toMatch(/^routes\[0\]\.fare: must be an integer/);
    expect(configError(() => validateBusTable({ ...bus, routes: [{ id: 1, fare: 1 }, { id: 1, fare: 2 }] }))).toMatch(/^routes\[1\]\.id: duplicate route 1/);
    expect(configError(() => validateBusTable({ ...bus, routes: [{ id: 2, zones: [{ id: 1, fare: 1 }, { id: 1, fare: 2 }] }] }))).toMatch(/^routes\[0\]\.zones\[1\]\.id: duplicate zone/);
    expect(configError(() => validateBusTable({ ...bus, transfer: { windowMinutes: 0, discount: 1 } }))).toMatch(/^transfer\.windowMinutes: /);
    expect(configError(() => validateBusTable({ ...bus, fare: 200 }))).toMatch(/^fare: unknown field/);
    expect(validateBusTable({ ...bus, transfer: null }).transfer).toBeNull();
  });

  it('metro: matrix shape, station ids, zones, penalties and pre-auth maxFare are checked', () => {
    const m = read('metro-line.json');
    const fares = m.fares as number[][];
    expect(configError(() => validateMetroTable({ ...m, fares: fares.slice(1) }))).toMatch(/^fares: must have 10 rows, got 9/);
    expect(configError(() => validateMetroTable({ ...m, fares: fares.map((r, i) => (i === 3 ? r.slice(1) : r)) }))).toMatch(/^fares\[3\]: must have 10 fares/);
    expect(configError(() => validateMetroTable({ ...m, fares: fares.map((r, i) => (i === 2 ? r.map((x, j) => (j === 4 ? 1.5 : x)) : r)) }))).toMatch(/^fares\[2\]\[4\]: /);
    const stations = m.stations as { id: number }[];
    expect(configError(() => validateMetroTable({ ...m, stations: stations.map((s, i) => (i === 5 ? { ...s, id: stations[0]!.id } : s)) }))).toMatch(/^stations\[5\]\.id: duplicate station/);
    expect(configError(() => validateMetroTable({ ...m, zoneFares: [[1]] }))).toMatch(/needs exactly one of fares/);
    expect(configError(() => validateMetroTable({ ...m, penalties: { noEntry: 1, sameStation: 1 } }))).toMatch(/^penalties\.overtime: /);
    expect(configError(() => validateMetroTable({ ...m, entry: { mode: 'preauth', maxFare: 100 } }))).toMatch(/^entry\.maxFare: must cover the highest fare 700/);
    expect(configError(() => validateMetroTable({ ...m, entry: { mode: 'later' } }))).toMatch(/^entry\.mode: /);
    const z = read('metro-zones-preauth.json');
    expect(configError(() => validateMetroTable({ ...z, zoneFares: [[1, 2], [3, 4]] }))).toMatch(/^zoneFares: must have 3 rows/);
    expect(configError(() => validateMetroTable({ ...z, stations: [{ id: 1, name: 'a', zone: 1 }, { id: 2, name: 'b' }] }))).toMatch(/^stations\[1\]\.zone: is required with zoneFares/);
  });

  it('metro: fares from the matrix or the zone pairs; unknown station → -1', () => {
    const t = validateMetroTable(read('metro-zones-preauth.json'));
    const raw = read('metro-zones-preauth.json') as { stations: { id: number; zone: number }[]; zoneFares: number[][] };
    for (const a of raw.stations) for (const b of raw.stations) expect(metroFare(t, a.id, b.id)).toBe(raw.zoneFares[a.zone - 1]![b.zone - 1]);
    expect(metroFare(t, 501, 9999)).toBe(-1);
    expect(validateMetroTable(read('metro-line.json')).highestFare).toBe(Math.max(...(read('metro-line.json').fares as number[][]).flat()));
  });

  it('toll: km posts, classes, rounding; toll arithmetic rounds exactly', () => {
    const t = read('toll-road.json');
    expect(configError(() => validateTollTable({ ...t, stations: [{ id: 1, name: 'a', km: 1.2345 }, { id: 2, name: 'b', km: 3 }] }))).toMatch(/^stations\[0\]\.km: must have at most 3 decimals/);
    expect(configError(() => validateTollTable({ ...t, classes: [{ class: 0, name: 'x', ratePerKm: 1 }] }))).toMatch(/^classes\[0\]\.class: /);
    expect(configError(() => validateTollTable({ ...t, rounding: { unit: 50, mode: 'bankers' } }))).toMatch(/^rounding\.mode: /);
    const base: TollTable = { ...validateTollTable(t), minimum: 0 };
    const rate = base.classes.get(1)!.ratePerKm; // 45 / km
    const at = (mode: 'nearest' | 'up' | 'down', unit: number, metres: number) => tollForDistance({ ...base, rounding: { unit, mode } }, metres, 1);
    // 10 km × 45 = 450 exactly: every mode agrees.
    expect([at('nearest', 50, 10_000), at('up', 50, 10_000), at('down', 50, 10_000)]).toEqual([rate * 10, rate * 10, rate * 10]);
    // 10.5 km × 45 = 472.5 → nearest 50: 450 (472.5 < 475); up 500; down 450; unit 1: 473 (half up).
    expect([at('nearest', 50, 10_500), at('up', 50, 10_500), at('down', 50, 10_500), at('nearest', 1, 10_500)]).toEqual([450, 500, 450, 473]);
    expect(tollForDistance({ ...base, minimum: 500 }, 100, 1)).toBe(500);
    expect(tollForDistance(base, 100, 99)).toBe(-1);
  });

  it('loading: unknown kind, bad JSON and a missing file name the file', () => {
    expect(configError(() => validateFareTable({ kind: 'ferry' }))).toMatch(/^kind: must be/);
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-fares-'));
    writeFileSync(join(dir, 'bad.json'), '{ "kind": "bus", ');
    expect(configError(() => loadFareTable(join(dir, 'bad.json')))).toMatch(/bad\.json: not valid JSON/);
    expect(configError(() => loadFareTable(join(dir, 'missing.json')))).toMatch(/missing\.json: cannot read/);
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ ...read('toll-road.json'), minimun: 1 }));
    expect(configError(() => loadFareTable(join(dir, 'typo.json')))).toMatch(/typo\.json: minimun: unknown field/);
  });
});

describe('default record codec', () => {
  it('CRC-32/ISO-HDLC check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926);
  });

  it('encodes the documented layout byte by byte and decodes it back', () => {
    const r = emptyRecord();
    Object.assign(r, {
      status: RecordStatus.Open, sector: Sector.Metro, chargeMode: ChargeMode.PreAuth, operatorId: 0x1234, line: 0x0002,
      entryStation: 0x00cd, entryTime: 1_772_409_600_000, lastStation: 0x00ce, lastTime: 1_772_411_000_000, terminalId: 'GATE01',
      amount: 0x0102, held: 900, vehicleClass: 3, legs: 2, journeyTotal: 1500,
    });
    const buf = new Uint8Array(70);
    defaultRecordCodec.encode(r, 0x2701, buf, 3);
    const b = buf.subarray(3, 67);
    const hex = (o: number, n: number) => Buffer.from(b.subarray(o, o + n)).toString('hex');
    expect(hex(0, 2)).toBe('2701'); // record ID
    expect(b[2]).toBe(0x01); // format version
    expect([b[3], b[4], b[5]]).toEqual([1, 2, 2]); // status, sector, charge mode
    expect(hex(6, 2)).toBe('1234');
    expect(hex(8, 2)).toBe('0002');
    expect(hex(10, 2)).toBe('00cd');
    expect(hex(12, 4)).toBe((1_772_409_600).toString(16).padStart(8, '0'));
    expect(hex(16, 2)).toBe('00ce');
    expect(hex(18, 4)).toBe((1_772_411_000).toString(16).padStart(8, '0'));
    expect(Buffer.from(b.subarray(22, 30)).toString('latin1')).toBe('GATE01  ');
    expect(hex(30, 4)).toBe('00000102');
    expect(hex(34, 4)).toBe((900).toString(16).padStart(8, '0'));
    expect([b[38], b[39]]).toEqual([3, 2]);
    expect(hex(40, 4)).toBe((1500).toString(16).padStart(8, '0'));
    expect(b.subarray(44, 60).every((x) => x === 0)).toBe(true);
    expect(hex(60, 4)).toBe(crc32(b, 0, 60).toString(16).padStart(8, '0'));
    const back = emptyRecord();
    expect(defaultRecordCodec.decode(buf, 3, back)).toBe('valid');
    expect(back).toEqual(r);
  });

  it('blank (ID ‖ zeros), wrong CRC, wrong version, bad fields', () => {
    const out = emptyRecord();
    const blank = new Uint8Array(64);
    blank[0] = 0x27;
    blank[1] = 0x01;
    expect(defaultRecordCodec.decode(blank, 0, out)).toBe('blank');
    const rec = new Uint8Array(64);
    defaultRecordCodec.encode({ ...emptyRecord(), status: RecordStatus.Leg }, 0x2702, rec, 0);
    expect(defaultRecordCodec.decode(rec, 0, out)).toBe('valid');
    for (const i of [3, 30, 59, 62]) {
      const bad = rec.slice();
      bad[i] ^= 0x40;
      expect(defaultRecordCodec.decode(bad, 0, out)).toBe('invalid');
    }
    const v2 = rec.slice();
    v2[2] = 2;
    expect(defaultRecordCodec.decode(v2, 0, out)).toBe('invalid');
    expect(() => defaultRecordCodec.encode({ ...emptyRecord(), line: 70000 }, 1, rec, 0)).toThrow(/record\.line/);
    expect(() => defaultRecordCodec.encode({ ...emptyRecord(), lastTime: -5000 }, 1, rec, 0)).toThrow(/record\.lastTime/);
    expect(() => defaultRecordCodec.encode(emptyRecord(), 0x10000, rec, 0)).toThrow(/record\.recordId/);
  });
});

describe('test MAC provider and trip history', () => {
  it('computes the virtual card MAC for known records and null otherwise', () => {
    const key = fromHex('F20133C47D0322DDAC4D286D77594AEA');
    const p = createTestMacProvider([{ sfi: 21, recordId: 0x2701, key }]);
    const header = Uint8Array.of(0x84, 0xde, 0x00, 0xa8, 0x44);
    const rec = new Uint8Array(64);
    expect(p.updateMac(21, 0x2701, 7, header, rec)).toEqual(cappUpdateMac(key, 7, header, rec));
    expect(p.updateMac(21, 0x2702, 7, header, rec)).toBeNull();
    expect(() => createTestMacProvider([{ sfi: 31, recordId: 1, key }])).toThrow(/sfi/);
    expect(() => createTestMacProvider([{ sfi: 21, recordId: 1, key: new Uint8Array(8) }])).toThrow(/16 bytes/);
  });

  it('memory trip history keeps the last leg per UID and forgets the oldest card first', () => {
    const h = createMemoryTripHistory({ maxEntries: 2 });
    const leg = { time: 1, operatorId: 11, sector: Sector.Bus, line: 12, legs: 1, journeyTotal: 200 };
    h.recordLeg(Uint8Array.of(1), leg);
    h.recordLeg(Uint8Array.of(2), { ...leg, time: 2 });
    h.recordLeg(Uint8Array.of(1), { ...leg, time: 3 });
    h.recordLeg(Uint8Array.of(3), { ...leg, time: 4 });
    expect(h.previousLeg(Uint8Array.of(2))).toBeNull();
    expect(h.previousLeg(Uint8Array.of(1))?.time).toBe(3);
    expect(h.previousLeg(Uint8Array.of(3))?.time).toBe(4);
    expect(() => createMemoryTripHistory({ maxEntries: 0 })).toThrow(RangeError);
  });
});
