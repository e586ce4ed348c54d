import { readFileSync } from 'node:fs';
import { decode as decodeCbor } from 'cbor-x';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs } from '../args.js';
import { parseTrace, TraceFormatError, type Trace } from '../../../hal/trace/format.js';
import { ExchangeDecoder } from '../../qa/decode.js';
import { ShanfuError } from '../../../kernels/util/errors.js';

const usage = `usage: shanfu trace show FILE… [--brief]

A readable rendering of a shanfu trace (hal/trace/README.md; JSON, or CBOR for large traces): the
terminal inputs, then each exchange with its command name, the command data (GPO data split by the
card's PDOL), the response as a TLV tree with tag names and decoded values (amounts, dates,
TTQ/CTQ/AIP/TVR bits), the status word's meaning and the timing.
  --brief   one line per exchange (command, status, timing)
Exit status: 0 shown, 2 not a readable trace.`;

/** Reads a trace file (JSON or CBOR); a bad file is a ShanfuError naming the file and the field. */
export function readTraceFile(path: string): Trace {
  let raw: unknown;
  try {
    const bytes = readFileSync(path);
    raw = path.endsWith('.cbor') ? decodeCbor(bytes) : bytes.toString('utf8');
  } catch (e) {
    throw new ShanfuError('trace.unreadable', `${path}: ${(e as Error).message}`);
  }
  try {
    return parseTrace(raw);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new ShanfuError('trace.invalid', `${path}: ${e.message}`);
    throw e;
  }
}

export function renderTrace(t: Trace, brief = false): string {
  const lines: string[] = [];
  const i = t.inputs;
  lines.push(`trace of ${t.exchanges.length} exchanges on '${t.reader}', started ${t.startedAt}${t.masked ? ' (masked)' : ''}`);
  lines.push(`ATR ${t.atr || '-'}`);
  lines.push(`inputs: amount ${i.amount ?? '-'}, date ${i.date ?? '-'}, time ${i.time ?? '-'}, unpredictable number ${i.unpredictableNumber ?? '-'}`);
  const decoder = new ExchangeDecoder();
  t.exchanges.forEach((x, n) => {
    const timing = `at ${(x.t / 1000).toFixed(2)} ms, ${(x.us / 1000).toFixed(2)} ms`;
    const d = decoder.describe(x.c, x.r, x.error);
    if (brief) {
      lines.push(`${String(n + 1).padStart(3)}. ${d[0]!.split('  ')[0]!.padEnd(26)} ${x.r ? x.r.slice(-4) : x.error}  (${timing})`);
      return;
    }
    lines.push('', `${n + 1}. → ${d[0]}   (${timing})`);
    for (const l of d.slice(1)) lines.push(`   ${l}`);
  });
  const total = t.exchanges.reduce((s, x) => s + x.us, 0);
  lines.push('', `${t.exchanges.length} exchanges, ${(total / 1000).toFixed(2)} ms in exchanges`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'show a recorded trace: APDUs, tag names, decoded values, timing',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'show') throw new UsageError(sub ? `unknown subcommand '${sub}' (use: shanfu trace show FILE)` : 'missing subcommand: shanfu trace show FILE');
    const { options, positionals } = parseArgs(rest, ['brief']);
    if (positionals.length === 0) throw new UsageError('give a trace file');
    // Every file is read and checked before anything is printed: a bad file is reported alone (exit 2).
    const traces = positionals.map((f) => [f, readTraceFile(f)] as const);
    traces.forEach(([f, t], i) => console.log(`${i ? '\n' : ''}${traces.length > 1 ? `== ${f}\n` : ''}${renderTrace(t, !!options.brief)}`));
    return 0;
  },
};
