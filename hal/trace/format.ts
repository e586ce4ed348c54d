/**
 * The shanfu trace format (DESIGN.md "One trace format"): the exchanges of one tap plus the terminal
 * inputs that make it replayable. Documented in ./README.md. `parseTrace` validates and names the
 * offending field; `serializeTrace` writes the canonical JSON.
 */
import type { TransportErrorCode } from '../transport.js';

export const TRACE_FORMAT = 'shanfu-trace';
export const TRACE_VERSION = 1;

export type TraceInputs = {
  /** Amount, Authorised in minor units. */
  amount?: number;
  /** Transaction date yyyymmdd. */
  date?: string;
  /** Transaction time hhmmss. */
  time?: string;
  /** Unpredictable number 9F37, hex. */
  unpredictableNumber?: string;
};

export type TraceExchange = {
  /** C-APDU, uppercase hex. */
  c: string;
  /** Whole R-APDU (data ‖ SW1 SW2), uppercase hex; null when the exchange failed. */
  r: string | null;
  /** The TransportError code that ended the exchange. */
  error?: TransportErrorCode;
  /** Start of the exchange, µs after the session started. */
  t: number;
  /** Duration of the exchange, µs. */
  us: number;
};

export type Trace = {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  reader: string;
  atr: string;
  startedAt: string;
  inputs: TraceInputs;
  masked: boolean;
  exchanges: TraceExchange[];
};

const TRANSPORT_CODES: readonly string[] = [
  'card-removed', 'timeout', 'protocol', 'response-too-long', 'reader-removed', 'service-unavailable', 'access-denied', 'closed',
];
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

export class TraceFormatError extends Error {
  /** JSON path of the offending field, e.g. `exchanges[3].c`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`trace: ${field}: ${message}`);
    this.name = 'TraceFormatError';
    this.field = field;
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}
export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function hexField(v: unknown, field: string, allowEmpty = true): string {
  if (typeof v !== 'string' || !HEX.test(v) || (!allowEmpty && v.length === 0)) throw new TraceFormatError(field, `expected ${allowEmpty ? '' : 'non-empty '}hex bytes, got ${JSON.stringify(v)}`);
  return v.toUpperCase();
}
function micros(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TraceFormatError(field, `expected a number of microseconds >= 0, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses and validates a trace (JSON text or an already-parsed object). Throws TraceFormatError naming the field. */
export function parseTrace(json: string | unknown): Trace {
  let o: unknown = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch (e) {
      throw new TraceFormatError('(root)', `not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObj(o)) throw new TraceFormatError('(root)', 'expected an object');
  if (o.format !== TRACE_FORMAT) throw new TraceFormatError('format', `expected "${TRACE_FORMAT}", got ${JSON.stringify(o.format)}`);
  if (o.version !== TRACE_VERSION) throw new TraceFormatError('version', `expected ${TRACE_VERSION}, got ${JSON.stringify(o.version)}`);
  if (typeof o.reader !== 'string') throw new TraceFormatError('reader', 'expected a string');
  const atr = hexField(o.atr, 'atr');
  if (typeof o.startedAt !== 'string' || Number.isNaN(Date.parse(o.startedAt))) throw new TraceFormatError('startedAt', `expected an ISO 8601 date, got ${JSON.stringify(o.startedAt)}`);
  if (typeof o.masked !== 'boolean') throw new TraceFormatError('masked', 'expected a boolean');
  const inputs: TraceInputs = {};
  if (o.inputs !== undefined) {
    if (!isObj(o.inputs)) throw new TraceFormatError('inputs', 'expected an object');
    const i = o.inputs;
    if (i.amount !== undefined) {
      if (typeof i.amount !== 'number' || !Number.isInteger(i.amount) || i.amount < 0) throw new TraceFormatError('inputs.amount', `expected an integer >= 0 (minor units), got ${JSON.stringify(i.amount)}`);
      inputs.amount = i.amount;
    }
    if (i.date !== undefined) {
      if (typeof i.date !== 'string' || !/^\d{8}$/.test(i.date)) throw new TraceFormatError('inputs.date', `expected yyyymmdd, got ${JSON.stringify(i.date)}`);
      inputs.date = i.date;
    }
    if (i.time !== undefined) {
      if (typeof i.time !== 'string' || !/^\d{6}$/.test(i.time)) throw new TraceFormatError('inputs.time', `expected hhmmss, got ${JSON.stringify(i.time)}`);
      inputs.time = i.time;
    }
    if (i.unpredictableNumber !== undefined) inputs.unpredictableNumber = hexField(i.unpredictableNumber, 'inputs.unpredictableNumber', false);
  }
  if (!Array.isArray(o.exchanges)) throw new TraceFormatError('exchanges', 'expected an array');
  const exchanges: TraceExchange[] = o.exchanges.map((e: unknown, n: number) => {
    const f = `exchanges[${n}]`;
    if (!isObj(e)) throw new TraceFormatError(f, 'expected an object');
    const c = hexField(e.c, `${f}.c`, false);
    const r = e.r === null ? null : hexField(e.r, `${f}.r`, false);
    const x: TraceExchange = { c, r, t: micros(e.t, `${f}.t`), us: micros(e.us, `${f}.us`) };
    if (e.error !== undefined) {
      if (typeof e.error !== 'string' || !TRANSPORT_CODES.includes(e.error)) throw new TraceFormatError(`${f}.error`, `expected a TransportError code (${TRANSPORT_CODES.join(', ')}), got ${JSON.stringify(e.error)}`);
      x.error = e.error as TransportErrorCode;
    }
    if (r === null && x.error === undefined) throw new TraceFormatError(`${f}.r`, 'null without an error: a failed exchange must say why');
    if (r !== null && r.length < 4) throw new TraceFormatError(`${f}.r`, 'an R-APDU has at least SW1 SW2');
    return x;
  });
  return { format: TRACE_FORMAT, version: TRACE_VERSION, reader: o.reader, atr, startedAt: o.startedAt, inputs, masked: o.masked, exchanges };
}

/** Canonical JSON of a trace (field order as documented; `indent` spaces, default 2). */
export function serializeTrace(trace: Trace, indent = 2): string {
  const t = parseTrace(trace as unknown); // validates and normalises the field order
  return JSON.stringify(
    {
      format: t.format, version: t.version, reader: t.reader, atr: t.atr, startedAt: t.startedAt, inputs: t.inputs, masked: t.masked,
      exchanges: t.exchanges.map((e) => (e.error === undefined ? { c: e.c, r: e.r, t: e.t, us: e.us } : { c: e.c, r: e.r, error: e.error, t: e.t, us: e.us })),
    },
    null,
    indent,
  );
}
