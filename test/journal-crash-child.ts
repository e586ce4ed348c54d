/**
 * The process the crash test kills (test/journal-crash.test.ts; bundled with esbuild there). It opens
 * the journal, then appends tapEntry(seq) with `concurrency` appends in flight and acknowledges now
 * and then, forever. It starts when its configuration arrives on stdin (one JSON line). Line protocol on stdout (a pipe: synchronous writes on Linux, so a line written
 * before SIGKILL reaches the parent):
 *   ready L   opened; the journal's last seq was L
 *   d S       append of seq S resolved (durable)
 *   a S       ack(S) resolved (durable)
 * With ackLag < 0 it never acknowledges (the parent ships then, from its own process).
 */
import { Journal } from '../src/journal/journal.js';
import { KEY, tapEntry, TERMINAL } from './journal-fixtures.js';

type Config = { dir: string; groupCommitMs: number; concurrency: number; rotateBytes: number; ackLag: number };
const out = (line: string) => process.stdout.write(line + '\n');

// The parent starts us ahead of time (node start-up overlaps its checks of the previous run) and
// sends the configuration as one JSON line on stdin when it is our turn.
const cfg = await new Promise<Config>((resolve) => {
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as Config);
  });
});

const journal = await Journal.open({ dir: cfg.dir, key: KEY, terminalId: TERMINAL, rotateBytes: cfg.rotateBytes, groupCommitMs: cfg.groupCommitMs });
let next = journal.stats().lastSeq + 1;
out(`ready ${next - 1}`);
// A safety net: the parent kills us long before this.
setTimeout(() => process.exit(4), 20_000).unref();

let sinceAck = 0;
async function worker(): Promise<void> {
  for (;;) {
    const n = next++;
    const seq = await journal.append(tapEntry(n));
    if (seq !== n) {
      process.stderr.write(`append of entry ${n} got seq ${seq}\n`);
      process.exit(3);
    }
    out(`d ${seq}`);
    if (cfg.ackLag >= 0 && ++sinceAck >= 50) {
      sinceAck = 0;
      const upTo = journal.stats().lastSeq - cfg.ackLag;
      if (upTo > journal.stats().ackedSeq) {
        await journal.ack(upTo);
        out(`a ${upTo}`);
      }
    }
  }
}
await Promise.all(Array.from({ length: cfg.concurrency }, worker));
