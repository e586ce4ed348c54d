export { parseTrace, serializeTrace, TraceFormatError, TRACE_FORMAT, TRACE_VERSION } from './format.js';
export type { Trace, TraceExchange, TraceInputs } from './format.js';
export { maskResponse } from './mask.js';
export { RecordingReader } from './recorder.js';
export type { RecordingReaderOptions } from './recorder.js';
export { ReplayReader } from './replay.js';
export type { ReplayReaderOptions } from './replay.js';
