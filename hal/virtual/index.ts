/** The virtual QuickPass card: emulator, personalities, test PKI access. */
export { QuickPassCard } from './card.js';
export type { CardOptions } from './card.js';
export { loadPersonality, listPersonalities, createCard } from './personalities.js';
export { validatePersonality } from './personality.js';
export type { Personality, ApplicationSpec, OdaMethod } from './personality.js';
export type { CardState, ApplicationState } from './card-state.js';
export { FaultInjector } from './faults.js';
export type { FaultSpec, FaultAction } from './faults.js';
export { LatencyModel, airMicros, CARD_PROCESSING_MICROS, PHONE_PROCESSING_MICROS } from './latency.js';
export type { BitRate, CommandClass } from './latency.js';
export { cappUpdateMac, cappReadMac } from './extended-app.js';
export { loadTestCapks, loadTestSmCapks, loadRsaKey, loadSm2Key } from './pki-store.js';
export type { CapkEntry, SmCapkEntry } from './pki-store.js';
export { SW } from './status-words.js';
export type { CardEmulator } from './emulator.js';
