/** The deny list (terminal exception file): hashed PAN + PSN. See README.md. */
export { DenyListStore, type ApplyResult } from './store.js';
export { buildDenyListFile, type BuildOptions, type DenyEntry } from './build.js';
export { inspectDenyListFile, type DenyListFileInfo } from './inspect.js';
export { parseDenyCsv, hashDenyCsv } from './csv.js';
export { hashEntry, panTo5A, SALT_LENGTH, MAX_PAN_DIGITS, type PsnInput } from './entry-hash.js';
export { FORMAT_VERSION, type DenyListKind } from './file-format.js';
export { watchDenyListFile, type DenyListWatchOptions } from './watch.js';
