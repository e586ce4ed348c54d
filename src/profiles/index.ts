/** Sector profiles: bus, metro and toll validators on top of the QuickPass kernel (README.md). */
export type { SectorProfile, TapContext, TapPlan, ProfileTapResult, CappMacProvider } from './types.js';
export { CappProfile, DEFAULT_RECORD, yuan } from './capp-profile.js';
export type { CappProfileOptions, RecordRef, OwnRecordState } from './capp-profile.js';
export { BusProfile, createBusProfile, BUS_RECORD } from './bus.js';
export type { BusProfileOptions } from './bus.js';
export {
  validateBusTable, validateMetroTable, validateTollTable, validateFareTable, loadFareTable, metroFare, tollFare, tollForDistance,
} from './fare-tables.js';
export type { FareTable, BusTable, BusRoute, TransferRule, MetroTable, MetroStation, TollTable, TollStation, TollClass } from './fare-tables.js';
export {
  defaultRecordCodec, emptyRecord, clearRecord, crc32, RecordStatus, Sector, ChargeMode, DEFAULT_FORMAT_VERSION,
} from './record-codec.js';
export type { TransitRecord, TransitRecordCodec, RecordState, RecordStatusCode, SectorCode } from './record-codec.js';
export { createTestMacProvider, recordKeysOf } from './mac-provider.js';
export type { RecordKey } from './mac-provider.js';
export { createMemoryTripHistory } from './trip-history.js';
export type { TripHistory, TripLeg } from './trip-history.js';
export { MetroEntryProfile, MetroExitProfile, createMetroEntryProfile, createMetroExitProfile } from './metro.js';
export type { MetroProfileOptions } from './metro.js';
export { TollEntryProfile, TollExitProfile, createTollEntryProfile, createTollExitProfile } from './toll.js';
export type { TollProfileOptions } from './toll.js';
export { createProfile, PROFILE_NAMES } from './factory.js';
export type { ProfileName, ProfileOptions } from './factory.js';
