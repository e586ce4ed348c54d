/**
 * Metro gates (qpboc-facts §4.5 "entry/exit model"): the entry gate writes the entry station and time
 * to the card's extended-application record; the exit gate reads it, charges the station-to-station
 * fare of the table, and closes the record. Both run as one EC transaction each, the record committed
 * with the debit at the last AFL record.
 *
 * Entry modes (table `entry.mode`):
 * - segmented (DF60 = 01): the entry authorises amount 0 (the terminal configuration needs
 *   `zeroAmount: "allow"` for the AID, facts §1.6 rule 4) and the exit charges the fare, DF60 = 01;
 * - preauth (DF60 = 02): the entry holds `entry.maxFare`; the exit completes it with the real fare
 *   (DF60 = 03: the card releases the hold and spends the fare).
 *
 * Cards without the extended application are refused at both gates (Declined `profile-declined`,
 * rule `no-extended-app`): without a record the exit gate cannot know the entry, and a card-side
 * pre-authorisation (DF60 = 02) also needs the extended application. Such passengers buy a ticket.
 *
 * Exit rules: no open journey of this network on the card → `penalties.noEntry`; exit at the entry
 * station → `penalties.sameStation`; longer than `maxJourneyMinutes` → max(journey fare,
 * `penalties.overtime`). A second entry while a journey is open: `penalties.entryWithoutExit` is
 * charged and the new entry written (segmented mode), or the card is refused (null, or preauth mode:
 * the held amount must first be completed at an exit or by staff).
 */
import { CappProfile, type CappProfileOptions } from './capp-profile.js';
import { metroFare, type MetroTable } from './fare-tables.js';
import { ChargeMode, RecordStatus, Sector } from './record-codec.js';
import type { CappMacProvider } from './types.js';

/** DF60 03: pre-authorisation completion (qpboc-facts §4.2). */
const DF60_COMPLETION = 3;

export interface MetroProfileOptions extends CappProfileOptions {
  /** This gate's station (a `stations[].id` of the table). */
  station: number;
  /** MAC provider for UPDATE CAPP DATA CACHE (a SAM adapter in the field). */
  mac: CappMacProvider;
}

abstract class MetroGate extends CappProfile {
  readonly table: MetroTable;
  readonly station: number;

  constructor(table: MetroTable, options: MetroProfileOptions) {
    if (table?.kind !== 'metro') throw new TypeError('table must be a validated metro table (validateMetroTable / loadFareTable)');
    if (!options?.mac || typeof options.mac.updateMac !== 'function') throw new TypeError('options.mac must be a CappMacProvider');
    super(table, options, options.mac);
    this.table = table;
    if (!table.stations.has(options.station)) throw new RangeError(`options.station: station ${options.station} is not in fare table ${table.version}`);
    this.station = options.station;
  }

  /** The card shows an open journey of this metro (entered, not exited). */
  protected openJourney(): boolean {
    const r = this.own;
    return this.ownState === 'valid' && r.status === RecordStatus.Open && r.sector === Sector.Metro && r.operatorId === this.table.operatorId;
  }

  protected refuseWithoutRecord(): boolean {
    if (this.ownState !== 'absent') return false;
    this.refuse('no-extended-app', 'This card cannot open the gate: please buy a ticket');
    return true;
  }

  protected stationName(id: number): string {
    return this.table.stations.get(id)?.name ?? `#${id}`;
  }

  protected describe(d: Record<string, unknown>): void {
    d.line = this.table.line;
    d.station = this.station;
  }
}

export class MetroEntryProfile extends MetroGate {
  readonly name = 'metro-entry';
  private replaced = false;

  protected initialPlan(): void {
    this.replaced = false;
    const pre = this.table.entry.mode === 'preauth';
    this.charge(0, pre ? ChargeMode.PreAuth : ChargeMode.Segmented, 'entry', pre ? this.table.entry.maxFare : 0);
  }

  protected decide(): void {
    if (this.refuseWithoutRecord()) return;
    const pre = this.table.entry.mode === 'preauth';
    let fare = 0;
    let rule = 'entry';
    if (this.openJourney()) {
      const penalty = this.table.penalties.entryWithoutExit;
      if (pre || penalty === null || this.own.chargeMode === ChargeMode.PreAuth) {
        this.refuse('unfinished-journey', 'Previous journey not closed: please see staff');
        return;
      }
      fare = penalty;
      rule = 'penalty-entry-without-exit';
      this.replaced = true;
    }
    const held = pre ? this.table.entry.maxFare : 0;
    this.charge(fare, pre ? ChargeMode.PreAuth : ChargeMode.Segmented, rule, pre ? held : fare);
    const n = this.stamp(Sector.Metro, this.table.operatorId, this.table.line);
    n.status = RecordStatus.Open;
    n.chargeMode = pre ? ChargeMode.PreAuth : ChargeMode.Segmented;
    n.entryStation = this.station;
    n.entryTime = this.ctx.time;
    n.lastStation = this.station;
    n.amount = fare;
    n.held = held;
    n.vehicleClass = 0;
    n.legs = 1;
    n.journeyTotal = fare;
    this.message = pre ? `Welcome · ${this.fmt(held)} held until exit` : fare > 0 ? `Penalty ${this.fmt(fare)} (previous journey not closed)` : `Welcome to ${this.stationName(this.station)}`;
  }

  protected override describe(d: Record<string, unknown>): void {
    super.describe(d);
    d.entryMode = this.table.entry.mode;
    if (this.table.entry.mode === 'preauth') d.held = this.table.entry.maxFare;
    if (this.replaced) d.replacedEntry = { station: this.own.entryStation, time: this.own.entryTime };
  }
}

export class MetroExitProfile extends MetroGate {
  readonly name = 'metro-exit';
  private entryStation = 0;
  private entryTime = 0;
  private journeyFare = -1;
  /** The pre-authorised amount a completion (DF60 03) releases on the card (0 otherwise). */
  private released = 0;

  protected initialPlan(): void {
    this.entryStation = 0;
    this.entryTime = 0;
    this.journeyFare = -1;
    this.released = 0;
    this.charge(0, ChargeMode.Segmented, 'distance'); // the fare is set before GPO, from the card's record
  }

  protected decide(): void {
    if (this.refuseWithoutRecord()) return;
    const t = this.table;
    const open = this.openJourney();
    let fare: number;
    let rule: string;
    if (open) {
      this.entryStation = this.own.entryStation;
      this.entryTime = this.own.entryTime;
      this.journeyFare = metroFare(t, this.entryStation, this.station);
    }
    if (!open || this.journeyFare < 0) {
      fare = t.penalties.noEntry;
      rule = 'penalty-no-entry';
      this.message = `Penalty fare ${this.fmt(fare)}: no entry recorded`;
    } else if (this.entryStation === this.station) {
      fare = t.penalties.sameStation;
      rule = 'penalty-same-station';
      this.message = `Penalty fare ${this.fmt(fare)}: exit at the entry station`;
    } else if (this.ctx.time - this.entryTime > t.maxJourneyMinutes * 60_000) {
      fare = Math.max(this.journeyFare, t.penalties.overtime);
      rule = 'penalty-overtime';
      this.message = `Fare ${this.fmt(fare)}: journey over ${t.maxJourneyMinutes} min`;
    } else {
      fare = this.journeyFare;
      rule = t.fareBasis === 'zones' ? 'zone' : 'distance';
    }
    // An entry that pre-authorised is completed (DF60 03: the hold is released, the fare spent).
    const completion = open && this.own.chargeMode === ChargeMode.PreAuth;
    this.released = completion ? this.own.held : 0;
    this.charge(fare, completion ? DF60_COMPLETION : ChargeMode.Segmented, rule);
    const n = this.stamp(Sector.Metro, t.operatorId, t.line);
    n.status = RecordStatus.Closed;
    if (!open) {
      n.chargeMode = ChargeMode.Segmented;
      n.entryStation = 0;
      n.entryTime = this.ctx.time;
      n.legs = 1;
      n.journeyTotal = 0;
    }
    n.lastStation = this.station;
    n.amount = fare;
    n.held = 0;
    n.vehicleClass = 0;
    n.legs = Math.max(1, n.legs);
    n.journeyTotal += fare;
  }

  protected override describe(d: Record<string, unknown>): void {
    super.describe(d);
    if (this.entryStation) {
      d.entryStation = this.entryStation;
      d.entryTime = this.entryTime;
      d.minutes = Math.floor((this.ctx.time - this.entryTime) / 60_000);
      if (this.journeyFare >= 0) d.journeyFare = this.journeyFare;
    }
    // For the terminal's journal: a completion's net change on the card is fare − released.
    if (this.released > 0) d.released = this.released;
  }
}

export function createMetroEntryProfile(table: MetroTable, options: MetroProfileOptions): MetroEntryProfile {
  return new MetroEntryProfile(table, options);
}

export function createMetroExitProfile(table: MetroTable, options: MetroProfileOptions): MetroExitProfile {
  return new MetroExitProfile(table, options);
}
