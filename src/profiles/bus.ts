/**
 * Bus validator (tap on only): the route's flat fare, or the fare of the zone the bus is in; a
 * transfer discount when the previous leg is known before GPO and within the table's window.
 *
 * Previous leg, in this order: the card's extended-application records (the bus record itself, and
 * any `transferRecords` such as the metro's, read first — the bus record is read last so its update
 * commits, facts §4.3 6974), then — only when the card has no valid bus record — the TripHistory
 * keyed by the card UID (trip-history.ts explains why not the PAN). On a card with the extended
 * application the bus writes its leg (status Leg, DF60 = 01 segmented deduction); without it, the
 * tap is a plain EC purchase of the fare (DF60 = 00).
 */
import type { QuickPassKernel } from '../../kernels/qpboc/index.js';
import { Outcome } from '../../kernels/qpboc/index.js';
import { CappProfile, type CappProfileOptions, type RecordRef } from './capp-profile.js';
import type { BusRoute, BusTable } from './fare-tables.js';
import { ChargeMode, RecordStatus, Sector, type TransitRecord } from './record-codec.js';
import type { TripHistory, TripLeg } from './trip-history.js';
import type { CappMacProvider, ProfileTapResult } from './types.js';

export interface BusProfileOptions extends CappProfileOptions {
  /** The route this bus runs (a `routes[].id` of the table). */
  route: number;
  /** The zone the bus is in (required for a zone-fare route; `setZone` as it moves). */
  zone?: number;
  /** MAC provider for writing the leg; null = read-only (no leg written, the card's record is still read for transfers). */
  mac?: CappMacProvider | null;
  /** Other sectors' records that count as the previous leg (e.g. the metro record 21/0x2701). Default none. */
  transferRecords?: RecordRef[];
  /** Terminal-side previous legs by card UID, for cards without the record. */
  history?: TripHistory | null;
}

/** Default bus record: SFI 21, ID 0x2702 (the metro uses 0x2701; both exist on test-vectors/cards/metro-transit.json). */
export const BUS_RECORD: RecordRef = Object.freeze({ sfi: 21, recordId: 0x2702 });

export class BusProfile extends CappProfile {
  readonly name = 'bus';
  readonly table: BusTable;
  private readonly history: TripHistory | null;
  private route: BusRoute;
  private zone: number;
  private baseFare = 0;
  private prev: TripLeg | null = null;
  private prevSource = '';
  private legs = 1;
  private journeyTotal = 0;

  constructor(table: BusTable, options: BusProfileOptions) {
    if (table?.kind !== 'bus') throw new TypeError('table must be a validated bus table (validateBusTable / loadFareTable)');
    super(table, { ...options, record: options.record ?? BUS_RECORD }, options.mac ?? null, options.transferRecords ?? []);
    this.table = table;
    this.history = options.history ?? null;
    const route = table.routes.get(options.route);
    if (!route) throw new RangeError(`options.route: route ${options.route} is not in fare table ${table.version}`);
    this.route = route;
    this.zone = 0;
    this.setZone(options.zone ?? 0);
  }

  /** The zone the bus is in now (zone-fare routes). */
  setZone(zone: number): void {
    if (this.route.fare === null && !this.route.zones.has(zone)) throw new RangeError(`zone: route ${this.route.id} has no zone ${zone} (zones ${[...this.route.zones.keys()].join(', ')})`);
    this.zone = zone;
  }

  protected initialPlan(): void {
    this.baseFare = this.route.fare ?? this.route.zones.get(this.zone)!;
    this.prev = null;
    this.prevSource = '';
    this.charge(this.baseFare, 0, this.route.fare === null ? 'zone' : 'flat');
  }

  private static leg(r: TransitRecord): TripLeg {
    return { time: r.lastTime, operatorId: r.operatorId, sector: r.sector, line: r.line, legs: Math.max(1, r.legs), journeyTotal: r.journeyTotal };
  }

  /** The most recent completed leg on the card (bus leg or closed metro/toll journey), else the history. */
  private findPreviousLeg(): void {
    let best: TransitRecord | null = null;
    for (let i = 0; i <= this.extras.length; i++) {
      const r = i < this.extras.length ? this.extras[i]! : this.own;
      const s = i < this.extras.length ? this.extraStates[i]! : this.ownState;
      if (s !== 'valid' || (r.status !== RecordStatus.Leg && r.status !== RecordStatus.Closed)) continue;
      if (best === null || r.lastTime > best.lastTime) best = r;
    }
    if (best !== null) {
      this.prev = BusProfile.leg(best);
      this.prevSource = 'card';
    } else if (this.ownState !== 'valid' && this.history && this.ctx.cardUid) {
      this.prev = this.history.previousLeg(this.ctx.cardUid);
      this.prevSource = this.prev ? 'history' : '';
    }
  }

  private isTransfer(): boolean {
    const t = this.table.transfer;
    const p = this.prev;
    if (!t || !p) return false;
    const dt = this.ctx.time - p.time;
    if (dt < 0 || dt > t.windowMinutes * 60_000) return false;
    if (!t.operators.includes(p.operatorId)) return false;
    // Same bus route again is a re-tap or a return trip, not a transfer.
    if (p.sector === Sector.Bus && p.operatorId === this.table.operatorId && p.line === this.route.id) return false;
    return p.legs < t.maxLegs;
  }

  protected decide(): void {
    this.findPreviousLeg();
    let fare = this.baseFare;
    let rule = this.route.fare === null ? 'zone' : 'flat';
    if (this.isTransfer()) {
      fare = Math.max(0, fare - this.table.transfer!.discount);
      rule = 'transfer';
      this.legs = this.prev!.legs + 1;
      this.journeyTotal = this.prev!.journeyTotal + fare;
    } else {
      this.legs = 1;
      this.journeyTotal = fare;
    }
    const canWrite = this.ownState !== 'absent' && this.mac !== null;
    this.charge(fare, canWrite ? ChargeMode.Segmented : ChargeMode.Normal, rule);
    if (!canWrite) return;
    const n = this.stamp(Sector.Bus, this.table.operatorId, this.route.id);
    n.status = RecordStatus.Leg;
    n.chargeMode = ChargeMode.Segmented;
    n.entryStation = this.zone;
    n.entryTime = this.ctx.time;
    n.lastStation = this.zone;
    n.amount = fare;
    n.held = 0;
    n.vehicleClass = 0;
    n.legs = Math.min(255, this.legs);
    n.journeyTotal = this.journeyTotal;
  }

  protected describe(d: Record<string, unknown>): void {
    d.route = this.route.id;
    if (this.route.fare === null) d.zone = this.zone;
    d.baseFare = this.baseFare;
    d.legs = this.legs;
    if (this.prev) d.previousLeg = { source: this.prevSource, sector: this.prev.sector, operatorId: this.prev.operatorId, line: this.prev.line, time: this.prev.time };
  }

  override finishTap(k: QuickPassKernel): ProfileTapResult {
    const r = super.finishTap(k);
    if (k.outcome === Outcome.Approved && this.history && this.ctx.cardUid)
      this.history.recordLeg(this.ctx.cardUid, { time: this.ctx.time, operatorId: this.table.operatorId, sector: Sector.Bus, line: this.route.id, legs: this.legs, journeyTotal: this.journeyTotal });
    return r;
  }
}

/** A bus validator for `table` (validated) on `options.route`. */
export function createBusProfile(table: BusTable, options: BusProfileOptions): BusProfile {
  return new BusProfile(table, options);
}
