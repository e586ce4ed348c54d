import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { parseAmount } from '../amount.js';
import { randomBytes } from 'node:crypto';
import { QuickPassKernel, outcomeName, reasonName } from '../../../kernels/qpboc/index.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import { RecordingReader } from '../../../hal/trace/recorder.js';
import { serializeTrace, type Trace } from '../../../hal/trace/format.js';
import type { Reader } from '../../../hal/transport.js';
import { createOdaProvider } from '../../config/oda-provider.js';
import { driveTap } from '../../terminal/drive.js';
import { clockFor, unpredictable } from '../../qa/runner.js';
import { terminalConfigFor, TERMINAL_PRESETS } from '../../qa/presets.js';
import { caseFromTrace } from '../../qa/from-trace.js';
import { virtualReaderWithCard } from '../virtual-card.js';
import { openHidReaderNamed } from '../hid-reader-name.js';

const usage = `usage: shanfu record (--reader NAME | --card PERSONALITY) --out FILE --amount 2.00
                     [--preset NAME] [--no-mask] [--case FILE --id ID] [--date YYYYMMDD] [--time HHMMSS] [--un HEX8] [--wait SECONDS]

Records one tap as a shanfu trace (hal/trace/README.md). The date, time and unpredictable number are
fixed (given, or taken once and written into the trace) so the tap replays deterministically.
  --reader NAME   a PC/SC reader (name or part of it; see 'shanfu readers'), or a USB-HID reader
                  hid:VVVV:PPPP (see 'shanfu readers --hid'): waits for a card
  --card NAME     a virtual card personality instead (lab use, no hardware)
  --out FILE      the trace file to write
  --amount A      amount in yuan (2.00)
  --preset NAME   terminal preset for the tap (${Object.keys(TERMINAL_PRESETS).join(', ')}; default offline-transit, with the test PKI)
  --no-mask       keep PAN, track and name data (lab cards only; masking is on by default)
  --case FILE     also write a QA case whose expectation is the observed (replayed) result; needs --id
  --wait SECONDS  with --reader, how long to wait for a card (default 30)
Exit status: 0 recorded, 2 unusable input or no card.`;

/** Today's date and time in the terminal's time zone, as trace inputs. */
function nowInputs(tzMinutes: number): { date: string; time: string } {
  const d = new Date(Date.now() + tzMinutes * 60_000).toISOString();
  return { date: d.slice(0, 10).replace(/-/g, ''), time: d.slice(11, 19).replace(/:/g, '') };
}

async function openReader(readerName: string | undefined, cardName: string | undefined, waitSeconds: number): Promise<{ reader: Reader; close: () => Promise<void>; signal?: AbortSignal }> {
  if (cardName) {
    const reader = await virtualReaderWithCard(cardName, { name: 'shanfu virtual reader' });
    return { reader, close: () => reader.close() };
  }
  const hid = await openHidReaderNamed(readerName!);
  if (hid) return { reader: hid, signal: AbortSignal.timeout(waitSeconds * 1000), close: () => hid.close() };
  const { openPcsc } = await import('../../../hal/pcsc/index.js');
  const service = await openPcsc();
  const signal = AbortSignal.timeout(waitSeconds * 1000);
  try {
    const reader = await service.waitForReader({ name: readerName! }, signal);
    return { reader, signal, close: async () => { await reader.close(); await service.close(); } };
  } catch (e) {
    await service.close();
    if (signal.aborted) throw new ShanfuError('record.timeout', `no reader matching '${readerName}' within ${waitSeconds} s (see 'shanfu readers')`);
    throw e;
  }
}

export const command: Command = {
  summary: 'record a tap as a trace (masked by default), optionally as a QA case',
  usage,
  async run(args) {
    const { options } = parseArgs(args, ['no-mask']);
    const readerName = stringOption(options, 'reader');
    const cardName = stringOption(options, 'card');
    if (!readerName === !cardName) throw new UsageError('give one of --reader NAME or --card PERSONALITY');
    const out = stringOption(options, 'out');
    if (!out) throw new UsageError('missing --out FILE');
    const amountText = stringOption(options, 'amount');
    if (!amountText) throw new UsageError('missing --amount');
    const amount = parseAmount(amountText);
    const caseFile = stringOption(options, 'case');
    const id = stringOption(options, 'id');
    if (caseFile && !id) throw new UsageError('--case needs --id (the case id, a-z 0-9 . _ -)');
    const preset = stringOption(options, 'preset') ?? 'offline-transit';
    if (!TERMINAL_PRESETS[preset]) throw new UsageError(`--preset: unknown preset '${preset}' (known: ${Object.keys(TERMINAL_PRESETS).join(', ')})`);
    const config = terminalConfigFor({ preset, config: {}, denyList: [], testPki: true });
    const tz = config.timezoneOffsetMinutes ?? 480;
    const now = nowInputs(tz);
    const date = stringOption(options, 'date') ?? now.date;
    const time = stringOption(options, 'time') ?? now.time;
    if (!/^\d{8}$/.test(date)) throw new UsageError(`--date: '${date}' is not YYYYMMDD`);
    if (!/^\d{6}$/.test(time)) throw new UsageError(`--time: '${time}' is not HHMMSS`);
    const un = (stringOption(options, 'un') ?? randomBytes(4).toString('hex')).toUpperCase();
    if (!/^[0-9A-F]{8}$/.test(un)) throw new UsageError('--un: the unpredictable number is 4 bytes (8 hex digits)');
    const waitSeconds = Number(stringOption(options, 'wait') ?? '30');
    if (!(waitSeconds > 0)) throw new UsageError('--wait: expected a number of seconds');

    const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config), clock: clockFor(date, time, tz), random: unpredictable(un) });
    const opened = await openReader(readerName, cardName, waitSeconds);
    let trace: Trace | null = null;
    try {
      const rec = new RecordingReader(opened.reader, { mask: !options['no-mask'] });
      rec.setInputs({ amount, date, time, unpredictableNumber: un });
      let session;
      try {
        session = await rec.waitForCard(opened.signal);
      } catch (e) {
        if (opened.signal?.aborted) throw new ShanfuError('record.timeout', `no card on '${opened.reader.name}' within ${waitSeconds} s`);
        throw e;
      }
      await driveTap(kernel, session, { amount });
      await session.disconnect();
      trace = rec.trace();
    } finally {
      await opened.close();
    }
    if (!trace) throw new ShanfuError('record.empty', 'no exchange was recorded');
    writeFileSync(out, serializeTrace(trace) + '\n');
    console.log(`recorded ${trace.exchanges.length} exchanges to ${out}${trace.masked ? ' (masked)' : ''}: ${outcomeName(kernel.outcome)} ${reasonName(kernel.reason)}`);
    if (caseFile) {
      const made = await caseFromTrace(JSON.parse(readFileSync(out, 'utf8')) as Trace, { id: id!, terminal: preset, traceRef: relative(dirname(resolve(caseFile)), resolve(out)) });
      writeFileSync(caseFile, JSON.stringify(made.case, null, 2) + '\n');
      const live = `${outcomeName(kernel.outcome)} ${reasonName(kernel.reason)}`;
      const replayed = `${made.actual.outcome} ${made.actual.reason}`;
      console.log(`case ${id} written to ${caseFile}: expects ${replayed}${replayed !== live ? ` (the live tap ended ${live}; a masked trace no longer verifies offline data authentication)` : ''}`);
    }
    return 0;
  },
};
