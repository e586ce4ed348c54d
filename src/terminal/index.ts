/** shanfu terminal runtime: the validator loop (Terminal), its events, torn records, the drive loop. */
export { Terminal } from './terminal.js';
export type { TerminalOptions, TapOnceOptions, RunOptions } from './terminal.js';
export { TerminalEvents } from './events.js';
export type { TerminalEvent, TerminalEventType, TerminalEventOf, TapResult, TornSummary, Feedback } from './events.js';
export { TornStore, cardIdOf } from './torn-store.js';
export type { TornRecord } from './torn-store.js';
export { TornResolver, DEFAULT_LOG, buildGetTransProve } from './torn-resolver.js';
export type { TornVerdict, LogEntry } from './torn-resolver.js';
export { AntiPassback, GuardHook } from './guard-hook.js';
export { feedbackFor, showFeedback } from './feedback.js';
export { driveTap } from './drive.js';
export type { Exchange, DriveOptions } from './drive.js';
