import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';

const usage = `usage: shanfu demo [--taps N] [--passengers N] [--journal DIR] [--seed N] [--realtime] [--quiet | --log]

A day of service on virtual cards (no hardware): a bus on route 12 and a metro line (entry gate at
Xinghuo Road, exit gate at Exhibition Centre) — three validators, each a real Terminal loop with
the QuickPass kernel, RSA and SM2 offline data authentication, its sector profile and fare table, a
hashed deny list and a durable journal (fsync per tap). Passengers ride metro then bus (with the
transfer discount) and a few show the hard cases: a card pulled away mid-tap then tapped again, a
lost last answer, a double tap, a locked phone, a deny-listed, expired, low-balance or broken card.

  --taps N         taps to run (default 300)
  --passengers N   passengers in the stream (default 24)
  --journal DIR    keep the journals in DIR (default: a temporary directory, removed)
  --seed N         the stream's seed (default 2026): same seed, same taps
  --realtime       each tap takes its simulated time on the air (~0.2 s), to watch the panel
  --quiet          only the summary
  --log            one line per tap instead of the live panel (the default when not on a terminal)`;

export const command: Command = {
  summary: 'a day of bus and metro validators on virtual cards (no hardware)',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['quiet', 'log', 'realtime']);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const int = (name: string, dflt: number, min: number) => {
      const text = stringOption(options, name);
      const n = text === undefined ? dflt : Number(text);
      if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: an integer ≥ ${min}`);
      return n;
    };
    const taps = int('taps', 300, 1);
    const passengers = int('passengers', 24, 1);
    const seed = int('seed', 2026, 0);
    const quiet = !!options.quiet;
    const live = !quiet && !options.log && process.stdout.isTTY === true;

    const { runDemo } = await import('../../demo/city.js');
    // Long quiet runs (the memory soak: --taps 1000000 --quiet) report memory every 100,000 taps.
    const progress = (e: { index: number }) => {
      if (e.index % 100_000 !== 0) return;
      const m = process.memoryUsage();
      console.error(`${e.index} taps: RSS ${(m.rss / 2 ** 20).toFixed(0)} MB, heap used ${(m.heapUsed / 2 ** 20).toFixed(0)} MB`);
    };
    const { LiveView, summaryText, tapLine } = await import('../../demo/view.js');
    const view = live ? new LiveView(taps) : null;
    if (!quiet && !live) console.log('shanfu demo: bus route 12 + metro line 2 on virtual cards\n');
    const summary = await runDemo({
      taps, passengers, seed, journalDir: stringOption(options, 'journal'), realtime: !!options.realtime,
      onTap: quiet ? progress : view ? (e) => view.update(e) : (e) => console.log(tapLine(e)),
    });
    view?.finish();
    console.log('\n' + summaryText(summary));
    return summary.journalCharged === summary.cardsDebited ? 0 : 1;
  },
};
