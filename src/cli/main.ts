/**
 * The `shanfu` command. Each command lives in its own module under src/cli/commands and is loaded
 * only when used, so `shanfu tlv decode` does not pay for the crypto or the hardware layer.
 *
 * Exit codes: 0 success, 1 a negative verdict (malformed data, failed verification, declined tap),
 * 2 unusable input or usage error.
 */
import { ShanfuError } from '../../kernels/util/errors.js';

export type Command = {
  summary: string;
  usage: string;
  run: (args: string[]) => Promise<number>;
};

const commands: Record<string, () => Promise<Command>> = {
  tlv: () => import('./commands/tlv.js').then((m) => m.command),
  pay: () => import('./commands/pay.js').then((m) => m.command),
  demo: () => import('./commands/demo.js').then((m) => m.command),
  sm3: () => import('./commands/sm3.js').then((m) => m.command),
  sm2: () => import('./commands/sm2.js').then((m) => m.command),
  readers: () => import('./commands/readers.js').then((m) => m.command),
  apdu: () => import('./commands/apdu.js').then((m) => m.command),
  sim: () => import('./commands/sim.js').then((m) => m.command),
  oda: () => import('./commands/oda.js').then((m) => m.command),
  watch: () => import('./commands/watch.js').then((m) => m.command),
  config: () => import('./commands/config.js').then((m) => m.command),
  validate: () => import('./commands/validate.js').then((m) => m.command),
  journal: () => import('./commands/journal.js').then((m) => m.command),
  denylist: () => import('./commands/denylist.js').then((m) => m.command),
  replay: () => import('./commands/replay.js').then((m) => m.command),
  record: () => import('./commands/record.js').then((m) => m.command),
  trace: () => import('./commands/trace.js').then((m) => m.command),
  uplink: () => import('./commands/uplink.js').then((m) => m.command),
  params: () => import('./commands/params.js').then((m) => m.command),
};

/** Registers a command (used by the modules that add commands). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

async function help(): Promise<string> {
  const lines = ['usage: shanfu <command> [args]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const c = await load();
    lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push('', "Run 'shanfu <command> --help' for a command's usage.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    console.log(VERSION);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`shanfu: unknown command '${name}'\n\n${await help()}`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof TypeError || e instanceof RangeError) {
      console.error(`shanfu ${name}: ${(e as Error).message}\n\n${cmd.usage}`);
      return 2;
    }
    if (e instanceof ShanfuError) {
      // Configuration and transport faults: say what is wrong and what to do; no stack trace.
      console.error(`shanfu ${name}: ${e.message} [${e.code}]`);
      return 2;
    }
    throw e;
  }
}

declare const __SHANFU_VERSION__: string | undefined;
const VERSION = typeof __SHANFU_VERSION__ === 'string' ? __SHANFU_VERSION__ : '0.0.0-dev';
