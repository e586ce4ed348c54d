import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import type { CardEmulator } from '../../../hal/virtual/emulator.js';

const usage = `usage: shanfu sim --card PERSONALITY [--port 35963] [--host H] [--no-quickack] [--trace]

Runs a virtual card in the PC/SC reader of vsmartcard-vpcd ("Virtual PCD 00 00" on port 35963;
35964 is "Virtual PCD 00 01") until SIGINT/SIGTERM or 'quit'. Other programs (shanfu apdu,
opensc-tool, a terminal) then see a card in that reader.
  --card NAME     a card personality (hal/virtual/personalities), or 'test' for the HAL conformance card
  --host H        vpcd host (default 127.0.0.2 when the quick-ACK route exists or can be added, else 127.0.0.1)
  --no-quickack   do not add or use the quick-ACK route (each exchange then costs ~48 ms)
  --trace         print each C-APDU / R-APDU
Commands on stdin: remove, present, status, quit.`;

async function loadCard(name: string): Promise<CardEmulator> {
  if (name === 'test') {
    const { ConformanceCard } = await import('../../../hal/conformance/test-card.js');
    return new ConformanceCard();
  }
  let m: { createCard(name: string): CardEmulator };
  try {
    m = (await import('../../../hal/virtual/personalities.js' as string)) as typeof m;
  } catch {
    throw new UsageError(`--card ${name}: card personalities are not available in this build (use --card test)`);
  }
  try {
    return m.createCard(name);
  } catch (e) {
    throw new UsageError(`--card ${name}: ${(e as Error).message}`);
  }
}

export const command: Command = {
  summary: 'run a virtual card in the vpcd PC/SC reader (for pcscd clients)',
  usage,
  async run(args) {
    const { options } = parseArgs(args, ['no-quickack', 'trace']);
    const name = stringOption(options, 'card');
    if (!name) throw new UsageError('missing --card PERSONALITY');
    const portText = stringOption(options, 'port') ?? '35963';
    const port = Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--port: '${portText}' is not a TCP port`);
    const card = await loadCard(name);
    const { VpcdBridge } = await import('../../../hal/virtual/vpcd.js');
    const { ensureQuickackRoute, PLAIN_HOST } = await import('../../../hal/virtual/quickack.js');
    let host = stringOption(options, 'host');
    if (!host) {
      if (options['no-quickack']) host = PLAIN_HOST;
      else {
        const q = await ensureQuickackRoute();
        host = q.host;
        console.log(q.route ? `sim: quick-ACK route in place, connecting to ${host}` : `sim: ${q.reason}`);
      }
    }
    const bridge = new VpcdBridge(card, { host, port, traceApdus: !!options.trace });
    const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex').toUpperCase() : '(no answer: card left)');
    bridge.onEvent((e) => {
      if (e.type === 'state') console.log(`sim: ${e.state}${e.detail ? ` (${e.detail})` : ''}`);
      else if (e.type === 'power') console.log(`sim: card power ${e.on ? 'on' : 'off'}`);
      else console.log(`> ${hex(e.capdu)}\n< ${hex(e.rapdu)}`);
    });
    console.log(`sim: card '${name}' ATR ${hex(card.atr)} → vpcd ${host}:${port}`);
    bridge.present();

    return await new Promise<number>((resolve) => {
      const finish = async (why: string) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        process.stdin.off('data', onLine);
        process.stdin.pause();
        await bridge.stop();
        console.log(`sim: stopped (${why}) after ${bridge.exchanges} exchanges`);
        resolve(0);
      };
      const onInt = () => void finish('SIGINT');
      const onTerm = () => void finish('SIGTERM');
      let buffered = '';
      const onLine = (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let i;
        while ((i = buffered.indexOf('\n')) >= 0) {
          const cmd = buffered.slice(0, i).trim();
          buffered = buffered.slice(i + 1);
          if (cmd === 'remove') bridge.remove();
          else if (cmd === 'present') bridge.present();
          else if (cmd === 'status') console.log(`sim: ${bridge.state}, ${bridge.exchanges} exchanges, ${bridge.connects} connections`);
          else if (cmd === 'quit' || cmd === 'exit') void finish('quit');
          else if (cmd) console.log(`sim: unknown command '${cmd}' (remove, present, status, quit)`);
        }
      };
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      process.stdin.on('data', onLine);
      process.stdin.on('end', () => process.stdin.pause());
    });
  },
};
