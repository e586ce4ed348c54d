/**
 * Fare tables: JSON data files (test-vectors/fares/, README.md "Fare tables"), validated once on
 * load. Errors throw ShanfuError('config.invalid') with a message that starts with the field path,
 * as src/config/terminal-config.ts does; unknown fields are rejected so a typo does not pass silently.
 * Amounts are integers in minor units (fen). Every table has a `version` the journal records.
 */
import { readFileSync } from 'node:fs';
import { ShanfuError } from '../../kernels/util/errors.js';

const MAX_AMOUNT = 99_999_999; // ¥999,999.99: far above any fare, below the u32 record fields
const MAX_U16 = 0xffff;

// ---- table types -----------------------------------------------------------------------------

export interface BusRoute {
  id: number;
  name: string;
  /** Flat fare of the route, or null when the route charges by zone. */
  fare: number | null;
  /** Zone id → fare (zone-by-route tables). */
  zones: Map<number, number>;
}

export interface TransferRule {
  /** A previous leg at most this long ago (its last tap) makes this leg a transfer. */
  windowMinutes: number;
  /** Minor units off the fare (the fare never goes below 0). */
  discount: number;
  /** Legs per journey that can be discounted, counting the first (e.g. 3 = two transfers). */
  maxLegs: number;
  /** Operators whose legs count as the previous leg (default: this table's operator). */
  operators: number[];
}

export interface BusTable {
  kind: 'bus';
  version: string;
  operatorId: number;
  routes: Map<number, BusRoute>;
  transfer: TransferRule | null;
}

export interface MetroStation {
  id: number;
  name: string;
  /** Index in `stations` (row/column of the fare matrix). */
  index: number;
  zone: number;
}

export interface MetroTable {
  kind: 'metro';
  version: string;
  operatorId: number;
  line: number;
  stations: Map<number, MetroStation>;
  /** Station-to-station fares: `fareMatrix[from.index][to.index]`, filled from `fares` or `zoneFares`. */
  fareMatrix: number[][];
  /** Which the file gave: `fares` (station to station) or `zoneFares`. */
  fareBasis: 'stations' | 'zones';
  maxJourneyMinutes: number;
  penalties: {
    noEntry: number;
    sameStation: number;
    /** Journeys longer than maxJourneyMinutes pay max(journey fare, overtime). */
    overtime: number;
    /** A second entry while the card shows an open journey: this fare (segmented mode), or null = refuse. */
    entryWithoutExit: number | null;
  };
  entry: { mode: 'segmented' | 'preauth'; maxFare: number };
  /** The largest station-to-station fare (the default pre-authorised amount). */
  highestFare: number;
}

export interface TollStation {
  id: number;
  name: string;
  /** Kilometre post in metres (the file gives km with up to 3 decimals). */
  postMetres: number;
}

export interface TollClass {
  vehicleClass: number;
  name: string;
  /** Minor units per km. */
  ratePerKm: number;
}

export interface TollTable {
  kind: 'toll';
  version: string;
  operatorId: number;
  road: number;
  stations: Map<number, TollStation>;
  classes: Map<number, TollClass>;
  rounding: { unit: number; mode: 'nearest' | 'up' | 'down' };
  minimum: number;
}

export type FareTable = BusTable | MetroTable | TollTable;

// ---- field checks ------------------------------------------------------------------------------

function invalid(path: string, what: string): never {
  throw new ShanfuError('config.invalid', `${path}: ${what}`);
}

function obj(v: unknown, path: string, allowed: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(path, 'must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!allowed.includes(k) && k !== 'comment' && k !== '$schema') invalid(path === '' ? k : `${path}.${k}`, `unknown field (expected one of ${allowed.join(', ')})`);
  return o;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) invalid(path, `must be an integer in ${min}..${max}`);
  return v;
}

function amount(v: unknown, path: string): number {
  return int(v, path, 0, MAX_AMOUNT);
}

function str(v: unknown, path: string, optional = false): string {
  if (v === undefined && optional) return '';
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) invalid(path, 'must be a non-empty string of at most 64 characters');
  return v;
}

function arr(v: unknown, path: string, min: number): unknown[] {
  if (!Array.isArray(v) || v.length < min) invalid(path, `must be an array of at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
  return v;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function header(o: Record<string, unknown>, kind: string, path: string): { version: string; operatorId: number } {
  if (o.kind !== kind) invalid(join(path, 'kind'), `must be "${kind}"`);
  return { version: str(o.version, join(path, 'version')), operatorId: int(o.operatorId, join(path, 'operatorId'), 0, MAX_U16) };
}

// ---- bus ---------------------------------------------------------------------------------------

export function validateBusTable(json: unknown, path = ''): BusTable {
  const o = obj(json, path, ['kind', 'version', 'operatorId', 'routes', 'transfer']);
  const { version, operatorId } = header(o, 'bus', path);
  const routes = new Map<number, BusRoute>();
  arr(o.routes, join(path, 'routes'), 1).forEach((r, i) => {
    const rp = join(path, `routes[${i}]`);
    const ro = obj(r, rp, ['id', 'name', 'fare', 'zones']);
    const id = int(ro.id, `${rp}.id`, 1, MAX_U16);
    if (routes.has(id)) invalid(`${rp}.id`, `duplicate route ${id}`);
    if ((ro.fare === undefined) === (ro.zones === undefined)) invalid(rp, 'needs exactly one of fare (flat) or zones (fare by zone)');
    const zones = new Map<number, number>();
    if (ro.zones !== undefined)
      arr(ro.zones, `${rp}.zones`, 1).forEach((z, j) => {
        const zp = `${rp}.zones[${j}]`;
        const zo = obj(z, zp, ['id', 'fare', 'name']);
        const zid = int(zo.id, `${zp}.id`, 1, MAX_U16);
        if (zones.has(zid)) invalid(`${zp}.id`, `duplicate zone ${zid}`);
        if (zo.name !== undefined) str(zo.name, `${zp}.name`);
        zones.set(zid, amount(zo.fare, `${zp}.fare`));
      });
    routes.set(id, { id, name: str(ro.name, `${rp}.name`, true) || String(id), fare: ro.fare === undefined ? null : amount(ro.fare, `${rp}.fare`), zones });
  });
  let transfer: TransferRule | null = null;
  if (o.transfer !== undefined && o.transfer !== null) {
    const tp = join(path, 'transfer');
    const t = obj(o.transfer, tp, ['windowMinutes', 'discount', 'maxLegs', 'operators']);
    transfer = {
      windowMinutes: int(t.windowMinutes, `${tp}.windowMinutes`, 1, 24 * 60),
      discount: amount(t.discount, `${tp}.discount`),
      maxLegs: t.maxLegs === undefined ? 255 : int(t.maxLegs, `${tp}.maxLegs`, 2, 255),
      operators: t.operators === undefined ? [operatorId] : arr(t.operators, `${tp}.operators`, 1).map((x, i) => int(x, `${tp}.operators[${i}]`, 0, MAX_U16)),
    };
  }
  return { kind: 'bus', version, operatorId, routes, transfer };
}

// ---- metro -------------------------------------------------------------------------------------

export function validateMetroTable(json: unknown, path = ''): MetroTable {
  const o = obj(json, path, ['kind', 'version', 'operatorId', 'line', 'stations', 'fares', 'zoneFares', 'maxJourneyMinutes', 'penalties', 'entry']);
  const { version, operatorId } = header(o, 'metro', path);
  const line = int(o.line, join(path, 'line'), 0, MAX_U16);
  const stations = new Map<number, MetroStation>();
  const list = arr(o.stations, join(path, 'stations'), 2);
  list.forEach((s, i) => {
    const sp = join(path, `stations[${i}]`);
    const so = obj(s, sp, ['id', 'name', 'zone']);
    const id = int(so.id, `${sp}.id`, 1, MAX_U16);
    if (stations.has(id)) invalid(`${sp}.id`, `duplicate station ${id}`);
    stations.set(id, { id, name: str(so.name, `${sp}.name`), index: i, zone: so.zone === undefined ? 0 : int(so.zone, `${sp}.zone`, 1, 255) });
  });
  const n = list.length;
  if ((o.fares === undefined) === (o.zoneFares === undefined)) invalid(path === '' ? 'fares' : path, 'needs exactly one of fares (station-to-station matrix) or zoneFares (zone-to-zone matrix)');
  const matrix = (v: unknown, mp: string, size: number): number[][] => {
    const rows = arr(v, mp, 1);
    if (rows.length !== size) invalid(mp, `must have ${size} rows, got ${rows.length}`);
    return rows.map((row, r) => {
      const cells = arr(row, `${mp}[${r}]`, 1);
      if (cells.length !== size) invalid(`${mp}[${r}]`, `must have ${size} fares, got ${cells.length}`);
      return cells.map((c, col) => amount(c, `${mp}[${r}][${col}]`));
    });
  };
  let fareMatrix: number[][];
  if (o.fares !== undefined) fareMatrix = matrix(o.fares, join(path, 'fares'), n);
  else {
    const st = [...stations.values()];
    const zones = Math.max(...st.map((s) => s.zone));
    const zs = st.find((s) => s.zone === 0);
    if (zs) invalid(join(path, `stations[${zs.index}].zone`), 'is required with zoneFares');
    const zm = matrix(o.zoneFares, join(path, 'zoneFares'), zones);
    fareMatrix = st.map((a) => st.map((b) => zm[a.zone - 1]![b.zone - 1]!));
  }
  let highestFare = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b && fareMatrix[a]![b]! > highestFare) highestFare = fareMatrix[a]![b]!;
  const pp = join(path, 'penalties');
  const p = obj(o.penalties, pp, ['noEntry', 'sameStation', 'overtime', 'entryWithoutExit']);
  const penalties = {
    noEntry: amount(p.noEntry, `${pp}.noEntry`),
    sameStation: amount(p.sameStation, `${pp}.sameStation`),
    overtime: amount(p.overtime, `${pp}.overtime`),
    entryWithoutExit: p.entryWithoutExit === undefined || p.entryWithoutExit === null ? null : amount(p.entryWithoutExit, `${pp}.entryWithoutExit`),
  };
  const ep = join(path, 'entry');
  const e = obj(o.entry ?? { mode: 'segmented' }, ep, ['mode', 'maxFare']);
  if (e.mode !== 'segmented' && e.mode !== 'preauth') invalid(`${ep}.mode`, 'must be "segmented" or "preauth"');
  const maxFare = e.maxFare === undefined ? Math.max(highestFare, penalties.noEntry, penalties.sameStation, penalties.overtime) : amount(e.maxFare, `${ep}.maxFare`);
  if (e.mode === 'preauth' && maxFare < highestFare) invalid(`${ep}.maxFare`, `must cover the highest fare ${highestFare} (the exit completes at most the held amount)`);
  if (e.mode === 'preauth' && maxFare === 0) invalid(`${ep}.maxFare`, 'must be above 0 for a pre-authorisation');
  return {
    kind: 'metro', version, operatorId, line, stations, fareMatrix, fareBasis: o.fares !== undefined ? 'stations' : 'zones',
    maxJourneyMinutes: int(o.maxJourneyMinutes, join(path, 'maxJourneyMinutes'), 1, 24 * 60),
    penalties, entry: { mode: e.mode, maxFare }, highestFare,
  };
}

// ---- toll --------------------------------------------------------------------------------------

export function validateTollTable(json: unknown, path = ''): TollTable {
  const o = obj(json, path, ['kind', 'version', 'operatorId', 'road', 'stations', 'classes', 'rounding', 'minimum']);
  const { version, operatorId } = header(o, 'toll', path);
  const stations = new Map<number, TollStation>();
  arr(o.stations, join(path, 'stations'), 2).forEach((s, i) => {
    const sp = join(path, `stations[${i}]`);
    const so = obj(s, sp, ['id', 'name', 'km']);
    const id = int(so.id, `${sp}.id`, 1, MAX_U16);
    if (stations.has(id)) invalid(`${sp}.id`, `duplicate station ${id}`);
    const km = so.km;
    if (typeof km !== 'number' || !Number.isFinite(km) || km < 0 || km > 100_000) invalid(`${sp}.km`, 'must be a kilometre post in 0..100000');
    const metres = Math.round(km * 1000);
    if (Math.abs(metres - km * 1000) > 1e-6) invalid(`${sp}.km`, 'must have at most 3 decimals (metres)');
    stations.set(id, { id, name: str(so.name, `${sp}.name`), postMetres: metres });
  });
  const classes = new Map<number, TollClass>();
  arr(o.classes, join(path, 'classes'), 1).forEach((c, i) => {
    const cp = join(path, `classes[${i}]`);
    const co = obj(c, cp, ['class', 'name', 'ratePerKm']);
    const vc = int(co.class, `${cp}.class`, 1, 255);
    if (classes.has(vc)) invalid(`${cp}.class`, `duplicate vehicle class ${vc}`);
    classes.set(vc, { vehicleClass: vc, name: str(co.name, `${cp}.name`), ratePerKm: amount(co.ratePerKm, `${cp}.ratePerKm`) });
  });
  const rp = join(path, 'rounding');
  const r = obj(o.rounding ?? { unit: 1, mode: 'nearest' }, rp, ['unit', 'mode']);
  if (r.mode !== 'nearest' && r.mode !== 'up' && r.mode !== 'down') invalid(`${rp}.mode`, 'must be "nearest", "up" or "down"');
  return {
    kind: 'toll', version, operatorId, road: int(o.road, join(path, 'road'), 0, MAX_U16), stations, classes,
    rounding: { unit: int(r.unit, `${rp}.unit`, 1, 100_000), mode: r.mode },
    minimum: o.minimum === undefined ? 0 : amount(o.minimum, join(path, 'minimum')),
  };
}

// ---- loading -----------------------------------------------------------------------------------

/** Validates a parsed table by its `kind`. */
export function validateFareTable(json: unknown): FareTable {
  const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
  if (kind === 'bus') return validateBusTable(json);
  if (kind === 'metro') return validateMetroTable(json);
  if (kind === 'toll') return validateTollTable(json);
  return invalid('kind', 'must be "bus", "metro" or "toll"');
}

/** Reads and validates a fare table file; errors name the file and the field. */
export function loadFareTable(file: string): FareTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ShanfuError('config.invalid', `${file}: cannot read the fare table (${(e as Error).message})`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ShanfuError('config.invalid', `${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  try {
    return validateFareTable(json);
  } catch (e) {
    if (e instanceof ShanfuError) throw new ShanfuError('config.invalid', `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}

// ---- fares -------------------------------------------------------------------------------------

/** Metro fare between two stations of the table, or -1 when either station is not in it. */
export function metroFare(t: MetroTable, from: number, to: number): number {
  const a = t.stations.get(from);
  const b = t.stations.get(to);
  return a && b ? t.fareMatrix[a.index]![b.index]! : -1;
}

/** Toll for `metres` travelled in `vehicleClass`: rate × km, rounded to the table's unit, at least the minimum. -1 for an unknown class. */
export function tollForDistance(t: TollTable, metres: number, vehicleClass: number): number {
  const c = t.classes.get(vehicleClass);
  if (!c) return -1;
  // Exact integer arithmetic: metres × rate / (1000 × unit) units.
  const num = metres * c.ratePerKm;
  const den = 1000 * t.rounding.unit;
  const q = Math.floor(num / den);
  const rem = num - q * den;
  const units = t.rounding.mode === 'down' || rem === 0 ? q : t.rounding.mode === 'up' ? q + 1 : rem * 2 >= den ? q + 1 : q;
  return Math.max(t.minimum, units * t.rounding.unit);
}

/** Toll between two stations (-1 when a station or the class is unknown). */
export function tollFare(t: TollTable, from: number, to: number, vehicleClass: number): number {
  const a = t.stations.get(from);
  const b = t.stations.get(to);
  if (!a || !b) return -1;
  return tollForDistance(t, Math.abs(a.postMetres - b.postMetres), vehicleClass);
}
