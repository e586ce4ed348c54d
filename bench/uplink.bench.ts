/**
 * Uplink figures (src/uplink/README.md "Performance"):
 * - records/s delivered to a local mosquitto: entries PUBACKed and acknowledged in the journal per
 *   second, from an in-memory journal (the uplink alone) and from the real file journal;
 * - the journal backlog drain time for 1,000,000 entries (file journal, fdatasync'd acks);
 * - per-op cases for the harness table: batch encoding and envelope verification.
 * The MQTT figures are measured once in `register` (they are wall-clock runs, not ops loops) and
 * printed before the table; they also go to bench/results/uplink.json. Set UPLINK_BENCH_RECORDS
 * to change the 1,000,000. Needs mosquitto (/usr/sbin/mosquitto); without it only the table runs.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Suite } from './harness.js';
import type { JournalStore, StoredEntry } from '../src/journal/types.js';
import { Journal } from '../src/journal/journal.js';
import { MemoryJournal } from '../src/journal/memory.js';
import { UplinkConnection } from '../src/uplink/connection.js';
import { JournalUploader } from '../src/uplink/uploader.js';
import { encodeBatch } from '../src/uplink/records.js';
import { generateSigningKey, openParameters, sealParameters } from '../src/uplink/envelope.js';
import { Broker, MOSQUITTO } from '../test/uplink-broker.js';
import { tapEntry } from '../test/uplink-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIG = Number(process.env.UPLINK_BENCH_RECORDS ?? 1_000_000);
const KEY = new Uint8Array(32).fill(3);

/** Appends n tap entries (every 10th with a sealed PAN, as in the end-to-end test). */
async function fill(journal: JournalStore, n: number): Promise<void> {
  for (let i = 1; i <= n; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(n + 1, i + 1000); k++) {
      const e = tapEntry('BENCH-1', k);
      if (k % 10 !== 0) delete e.sensitive;
      batch.push(journal.append(e));
    }
    await Promise.all(batch);
  }
}

/** Drains `journal` to the broker; returns seconds from start to an empty backlog. */
async function drain(broker: Broker, journal: JournalStore, opts: { batchRecords?: number; inflightBatches?: number } = {}): Promise<number> {
  const connection = new UplinkConnection({ url: broker.url });
  connection.start();
  await connection.waitUp();
  const up = new JournalUploader({ journal, terminalId: 'BENCH-1', connection, ...opts });
  const t0 = performance.now();
  up.start();
  await up.waitDrained(Infinity, 5);
  const s = (performance.now() - t0) / 1000;
  await up.stop();
  await connection.stop();
  return s;
}

type Figure = { name: string; records: number; seconds: number; recordsPerSecond: number };

async function measure(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const note = (name: string, records: number, seconds: number) => {
    const f = { name, records, seconds: Math.round(seconds * 1000) / 1000, recordsPerSecond: Math.round(records / seconds) };
    figures.push(f);
    console.log(`uplink: ${name}: ${records.toLocaleString('en-US')} records in ${f.seconds} s = ${f.recordsPerSecond.toLocaleString('en-US')} records/s`);
  };
  const broker = await Broker.start();
  const dir = mkdtempSync(join(tmpdir(), 'shanfu-uplink-bench-'));
  try {
    // Nobody subscribes: the broker PUBACKs and drops, so this is the uplink's side alone.
    for (const [batchRecords, inflightBatches] of [[200, 16], [50, 16], [200, 4]] as const) {
      const mem = new MemoryJournal({ terminalId: 'BENCH-1', key: KEY });
      await fill(mem, 200_000);
      note(`memory journal → mosquitto, batch ${batchRecords}, ${inflightBatches} in flight`, 200_000, await drain(broker, mem, { batchRecords, inflightBatches }));
    }
    const writer = await Journal.open({ dir: join(dir, 'j'), key: KEY, terminalId: 'BENCH-1', groupCommitMs: 2 });
    process.stderr.write(`uplink: filling a file journal with ${BIG.toLocaleString('en-US')} entries…\n`);
    await fill(writer, BIG);
    await writer.close();
    // As `shanfu uplink run` ships it: the journal's shipper role (Journal.openExisting).
    const shipper = await Journal.openExisting(join(dir, 'j'));
    note(`file journal backlog drain (${BIG.toLocaleString('en-US')} entries, shipper), batch 200, 16 in flight`, BIG, await drain(broker, shipper));
    await shipper.close();
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

export async function register(add: (s: Suite) => void): Promise<void> {
  if (existsSync(MOSQUITTO)) {
    const figures = await measure();
    const out = join(here, 'results', 'uplink.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, figures }, null, 2) + '\n');
  } else console.warn(`note: uplink MQTT figures skipped: mosquitto not installed at ${MOSQUITTO}`);

  const mem = new MemoryJournal({ terminalId: 'BENCH-1', key: KEY });
  await fill(mem, 200);
  const entries: StoredEntry[] = await mem.exportPending(200);
  const { signingKey, trustedKey } = generateSigningKey('ed25519');
  const p256 = generateSigningKey('p256');
  const payload = new Uint8Array(64 * 1024).fill(0x5a);
  const env = sealParameters({ kind: 'denylist', version: 2, base: 0, issuedAt: 1, payload }, signingKey);
  const envP = sealParameters({ kind: 'denylist', version: 2, base: 0, issuedAt: 1, payload }, p256.signingKey);
  add({
    name: 'uplink',
    description: 'one op = one journal batch message of 200 entries encoded / one 64 KiB parameter envelope verified',
    reference: 'encodeBatch (200 entries)',
    cases: [
      { name: 'encodeBatch (200 entries)', fn: () => encodeBatch('BENCH-1', entries).length },
      { name: 'openParameters ed25519 64 KiB', fn: () => openParameters(env, [trustedKey]).version },
      { name: 'openParameters p256 64 KiB', fn: () => openParameters(envP, [p256.trustedKey]).version },
    ],
  });
}
