/**
 * One factory by profile name, for configuration-driven terminals (`{ profile: "metro-exit",
 * fares: "metro.json", station: 205 }`): checks that the table's kind fits the profile.
 */
import { createBusProfile, type BusProfileOptions } from './bus.js';
import { createMetroEntryProfile, createMetroExitProfile, type MetroProfileOptions } from './metro.js';
import { createTollEntryProfile, createTollExitProfile, type TollProfileOptions } from './toll.js';
import type { FareTable } from './fare-tables.js';
import type { SectorProfile } from './types.js';

export const PROFILE_NAMES = ['bus', 'metro-entry', 'metro-exit', 'toll-entry', 'toll-exit'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type ProfileOptions = BusProfileOptions | MetroProfileOptions | TollProfileOptions;

export function createProfile(name: ProfileName, table: FareTable, options: ProfileOptions): SectorProfile {
  const want = name === 'bus' ? 'bus' : name.startsWith('metro') ? 'metro' : name.startsWith('toll') ? 'toll' : null;
  if (want === null) throw new RangeError(`name: unknown profile ${JSON.stringify(name)} (expected ${PROFILE_NAMES.join(', ')})`);
  if (table?.kind !== want) throw new TypeError(`table: profile ${name} needs a ${want} fare table, got ${table?.kind ?? typeof table}`);
  switch (name) {
    case 'bus':
      return createBusProfile(table as Extract<FareTable, { kind: 'bus' }>, options as BusProfileOptions);
    case 'metro-entry':
      return createMetroEntryProfile(table as Extract<FareTable, { kind: 'metro' }>, options as MetroProfileOptions);
    case 'metro-exit':
      return createMetroExitProfile(table as Extract<FareTable, { kind: 'metro' }>, options as MetroProfileOptions);
    case 'toll-entry':
      return createTollEntryProfile(table as Extract<FareTable, { kind: 'toll' }>, options as TollProfileOptions);
    default:
      return createTollExitProfile(table as Extract<FareTable, { kind: 'toll' }>, options as TollProfileOptions);
  }
}
