/**
 * Toll road lanes: the entry lane writes the entry station and the vehicle class to the card's
 * extended-application record (amount 0, DF60 = 01 — the AID needs `zeroAmount: "allow"`); the exit
 * lane charges rate(class) × distance between the kilometre posts, rounded per the table and at
 * least its minimum (fare-tables.ts `tollFare`), and closes the record (DF60 = 01).
 *
 * Vehicle class: the lane's classifier (`TapContext.vehicleClass`), else `options.vehicleClass` (a
 * lane for one class). At the exit the higher of the recorded and the detected class is charged (a
 * vehicle cannot shrink between lanes; a lower detection is a classifier miss).
 * No entry recorded at the exit: the toll from the farthest station of the road (`penalty-no-entry`,
 * the usual rule for a missing entry). Exit at the entry station: the minimum (`same-station`).
 * Cards without the extended application are refused (`no-extended-app`): use the staffed lane.
 * A second entry while a toll journey is open overwrites it (journal: `replacedEntry`).
 */
import { CappProfile, type CappProfileOptions } from './capp-profile.js';
import { tollFare, tollForDistance, type TollTable } from './fare-tables.js';
import { ChargeMode, RecordStatus, Sector } from './record-codec.js';
import type { CappMacProvider } from './types.js';

export interface TollProfileOptions extends CappProfileOptions {
  /** This lane's station (a `stations[].id` of the table). */
  station: number;
  mac: CappMacProvider;
  /** Vehicle class when the tap context carries none. */
  vehicleClass?: number;
}

abstract class TollLane extends CappProfile {
  readonly table: TollTable;
  readonly station: number;
  private readonly laneClass: number;
  protected vehicleClass = 0;

  constructor(table: TollTable, options: TollProfileOptions) {
    if (table?.kind !== 'toll') throw new TypeError('table must be a validated toll table (validateTollTable / loadFareTable)');
    if (!options?.mac || typeof options.mac.updateMac !== 'function') throw new TypeError('options.mac must be a CappMacProvider');
    super(table, options, options.mac);
    this.table = table;
    if (!table.stations.has(options.station)) throw new RangeError(`options.station: station ${options.station} is not in toll table ${table.version}`);
    if (options.vehicleClass !== undefined && !table.classes.has(options.vehicleClass))
      throw new RangeError(`options.vehicleClass: class ${options.vehicleClass} is not in toll table ${table.version}`);
    this.station = options.station;
    this.laneClass = options.vehicleClass ?? 0;
  }

  /** The class this lane detected for the tap (0 = none). */
  protected detectedClass(): number {
    return this.ctx.vehicleClass ?? this.laneClass;
  }

  protected openJourney(): boolean {
    const r = this.own;
    return this.ownState === 'valid' && r.status === RecordStatus.Open && r.sector === Sector.Toll && r.operatorId === this.table.operatorId && r.line === this.table.road;
  }

  /** Refuses a card without the record, or a class the table does not know; true when refused. */
  protected refuseUnusable(vehicleClass: number): boolean {
    if (this.ownState === 'absent') this.refuse('no-extended-app', 'This card cannot be used in this lane: please use the staffed lane');
    else if (!this.table.classes.has(vehicleClass)) this.refuse('unknown-vehicle-class', 'Vehicle class not recognised: please wait for staff');
    else return false;
    return true;
  }

  protected describe(d: Record<string, unknown>): void {
    d.road = this.table.road;
    d.station = this.station;
    d.vehicleClass = this.vehicleClass;
  }
}

export class TollEntryProfile extends TollLane {
  readonly name = 'toll-entry';
  private replaced = false;

  protected initialPlan(): void {
    this.replaced = false;
    this.vehicleClass = this.detectedClass();
    this.charge(0, ChargeMode.Segmented, 'entry');
  }

  protected decide(): void {
    if (this.refuseUnusable(this.vehicleClass)) return;
    this.replaced = this.openJourney();
    this.charge(0, ChargeMode.Segmented, 'entry');
    const n = this.stamp(Sector.Toll, this.table.operatorId, this.table.road);
    n.status = RecordStatus.Open;
    n.chargeMode = ChargeMode.Segmented;
    n.entryStation = this.station;
    n.entryTime = this.ctx.time;
    n.lastStation = this.station;
    n.amount = 0;
    n.held = 0;
    n.vehicleClass = this.vehicleClass;
    n.legs = 1;
    n.journeyTotal = 0;
    this.message = `Entry ${this.table.stations.get(this.station)!.name} · class ${this.vehicleClass}`;
  }

  protected override describe(d: Record<string, unknown>): void {
    super.describe(d);
    if (this.replaced) d.replacedEntry = { station: this.own.entryStation, time: this.own.entryTime };
  }
}

export class TollExitProfile extends TollLane {
  readonly name = 'toll-exit';
  private entryStation = 0;
  private metres = 0;

  protected initialPlan(): void {
    this.entryStation = 0;
    this.metres = 0;
    this.vehicleClass = this.detectedClass();
    this.charge(0, ChargeMode.Segmented, 'distance');
  }

  /** The farthest station of the road from this exit (missing-entry rule). */
  private farthestMetres(): number {
    const here = this.table.stations.get(this.station)!.postMetres;
    let m = 0;
    for (const s of this.table.stations.values()) m = Math.max(m, Math.abs(s.postMetres - here));
    return m;
  }

  protected decide(): void {
    const t = this.table;
    const open = this.openJourney() && t.stations.has(this.own.entryStation);
    if (open) this.vehicleClass = Math.max(this.vehicleClass, this.own.vehicleClass);
    if (this.refuseUnusable(this.vehicleClass)) return;
    let fare: number;
    let rule: string;
    if (!open) {
      this.metres = this.farthestMetres();
      fare = tollForDistance(t, this.metres, this.vehicleClass);
      rule = 'penalty-no-entry';
      this.message = `Toll ${this.fmt(fare)}: no entry recorded`;
    } else {
      this.entryStation = this.own.entryStation;
      this.metres = Math.abs(t.stations.get(this.entryStation)!.postMetres - t.stations.get(this.station)!.postMetres);
      fare = tollFare(t, this.entryStation, this.station, this.vehicleClass);
      rule = this.entryStation === this.station ? 'same-station' : 'distance';
      this.message = `Toll ${this.fmt(fare)} · ${(this.metres / 1000).toFixed(1)} km, class ${this.vehicleClass}`;
    }
    this.charge(fare, ChargeMode.Segmented, rule);
    const n = this.stamp(Sector.Toll, t.operatorId, t.road);
    n.status = RecordStatus.Closed;
    n.chargeMode = ChargeMode.Segmented;
    if (!open) {
      n.entryStation = 0;
      n.entryTime = this.ctx.time;
    }
    n.lastStation = this.station;
    n.amount = fare;
    n.held = 0;
    n.vehicleClass = this.vehicleClass;
    n.legs = 1;
    n.journeyTotal = fare;
  }

  protected override describe(d: Record<string, unknown>): void {
    super.describe(d);
    if (this.entryStation) d.entryStation = this.entryStation;
    d.metres = this.metres;
  }
}

export function createTollEntryProfile(table: TollTable, options: TollProfileOptions): TollEntryProfile {
  return new TollEntryProfile(table, options);
}

export function createTollExitProfile(table: TollTable, options: TollProfileOptions): TollExitProfile {
  return new TollExitProfile(table, options);
}
