import { UsageError, type Command } from '../main.js';
import { parseArgs } from '../args.js';
import type { ReaderEvent } from '../../../hal/transport.js';

const usage = `usage: shanfu watch [--json]

Prints live PC/SC reader events until Ctrl-C, one line per event: time, type
(reader-attached, reader-detached, card-present, card-removed), reader and, for card-present,
the ATR.
  --json   one JSON object per line: {"time","type","reader","atr"?}
Needs pcscd and the optional package pcsclite; exits 2 when pcscd cannot be reached.`;

/** One output line for `event` seen at `time` (plain text, or a JSON object with --json). */
export function formatEvent(event: ReaderEvent, time: Date, json = false): string {
  const atr = event.type === 'card-present' ? Buffer.from(event.atr).toString('hex').toUpperCase() : undefined;
  const iso = time.toISOString();
  if (json) return JSON.stringify(atr === undefined ? { time: iso, type: event.type, reader: event.reader } : { time: iso, type: event.type, reader: event.reader, atr });
  return `${iso}  ${event.type.padEnd(15)}  ${event.reader}${atr === undefined ? '' : `  ATR ${atr}`}`;
}

export const command: Command = {
  summary: 'print live reader events (attach/detach, card present/removed) until Ctrl-C',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['json']);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const json = Boolean(options.json);
    const { openPcsc } = await import('../../../hal/pcsc/index.js');
    // A ShanfuError here (pcscd unreachable, pcsclite missing) goes to main: message, exit 2.
    const service = await openPcsc();
    const off = service.subscribe((e) => console.log(formatEvent(e, new Date(), json)));
    try {
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      return 0;
    } finally {
      off();
      await service.close();
    }
  },
};
