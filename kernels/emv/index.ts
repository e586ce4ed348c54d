/** EMV data building blocks: BCD/dates/amounts, the tag store, DOLs, the AFL, TVR/TSI bits. */
export { isBcd, readAmount, writeAmount, readYymmdd, writeYymmdd, mmyyToLastDay, daysInMonth, expandYear } from './bcd.js';
export { TagStore, TAG_STORE_FULL } from './tag-store.js';
export { dolDataLength, buildDolData, parseDol, DOL_MALFORMED, DOL_TOO_LONG } from './dol.js';
export type { DolEntry } from './dol.js';
export { Afl, AflWalker, AflError, aflErrorText, parseAfl, AFL_MAX_ENTRIES } from './afl.js';
export type { AflErrorCode } from './afl.js';
export * from './tvr.js';
