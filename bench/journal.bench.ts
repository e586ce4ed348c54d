/**
 * Journal benchmarks (`npm run bench -- journal`):
 * - journal-io: appends/s with an fdatasync per append and with group commit (2 ms, 32 taps
 *   arriving together: one op = 32 appends), export throughput (one op = 1000 records read back,
 *   CRC-checked and CBOR-decoded), reopen of a 100k-record journal (scan + CRC + decode of every
 *   record); the description gives bytes per record on disk. The journal is async, the harness
 *   synchronous: a worker thread runs each op while the case waits on Atomics (bench/journal-worker.ts).
 *   bytes/op there is the main thread's (≈0), not the worker's.
 * - journal-cpu: the CPU part of one append (seal + CBOR + frame), and the checksum choice
 *   (CRC-32C vs SHA-256 over a typical 300-byte record).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeStoredEntry, storedEntry } from '../src/journal/codec.js';
import { crc32c } from '../src/journal/crc32c.js';
import { Journal } from '../src/journal/journal.js';
import { encodeFrame } from '../src/journal/segment.js';
import { KEY, tapEntry, TERMINAL } from '../test/journal-fixtures.js';
import type { Suite } from './harness.js';
import type { WorkerOp } from './journal-worker.js';

const RECORDS = 100_000;
const GROUP = 32;
const EXPORT_BATCH = 1000;

/** Builds the 100k-record journal (group commit, 1000 appends in flight): the input of the reopen and export cases. */
async function buildFixture(dir: string): Promise<{ bytes: number; segments: number }> {
  const j = await Journal.open({ dir, key: KEY, terminalId: TERMINAL, groupCommitMs: 2 });
  for (let n = 1; n <= RECORDS; n += 1000) await Promise.all(Array.from({ length: 1000 }, (_, k) => j.append(tapEntry(n + k))));
  await j.close();
  const files = readdirSync(dir).filter((f) => f.endsWith('.sfj'));
  return { bytes: files.reduce((s, f) => s + statSync(join(dir, f)).size, 0), segments: files.length };
}

export async function register(add: (s: Suite) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shanfu-journal-bench-'));
  const big = join(root, 'big');
  const t0 = performance.now();
  const fixture = await buildFixture(big);
  const buildS = (performance.now() - t0) / 1000;

  const shared = new SharedArrayBuffer(16);
  const state = new Int32Array(shared, 0, 1);
  const result = new Float64Array(shared, 8, 1);
  const url = new URL('./journal-worker.ts', import.meta.url).href;
  // A worker does not inherit tsx's loader for its entry file: register it, then import the .ts.
  const errors = new MessageChannel();
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, {
    eval: true,
    workerData: { shared, errors: errors.port2 },
    transferList: [errors.port2],
  });
  worker.unref();
  const call = (op: WorkerOp): number => {
    Atomics.store(state, 0, 0);
    worker.postMessage(op);
    Atomics.wait(state, 0, 0);
    if (Atomics.load(state, 0) === 2) throw new Error(`journal worker: ${String(receiveMessageOnPort(errors.port1)?.message ?? 'failed')}`);
    return result[0]!;
  };
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));

  call({ op: 'open', name: 'sync', dir: join(root, 'sync'), groupCommitMs: 0 });
  call({ op: 'open', name: 'group', dir: join(root, 'group'), groupCommitMs: 2 });
  call({ op: 'open', name: 'burst', dir: join(root, 'burst'), groupCommitMs: 0 });
  add({
    name: 'journal-io',
    description:
      `100k-record fixture: ${fixture.bytes} bytes in ${fixture.segments} segment(s) = ${(fixture.bytes / RECORDS).toFixed(1)} bytes/record on disk ` +
      `(built in ${buildS.toFixed(1)} s); one op of a ${GROUP}-append case = ${GROUP} appends, of export = ${EXPORT_BATCH} records`,
    reference: 'append, fdatasync each',
    cases: [
      { name: 'append, fdatasync each', fn: () => call({ op: 'append', name: 'sync', concurrent: 1 }) },
      { name: `append ×${GROUP} together, groupCommitMs 0`, fn: () => call({ op: 'append', name: 'burst', concurrent: GROUP }) },
      { name: `append ×${GROUP} together, groupCommitMs 2`, fn: () => call({ op: 'append', name: 'group', concurrent: GROUP }) },
      {
        name: `export ${EXPORT_BATCH} records (100k journal)`,
        fn: (i) => {
          if (i === 0) call({ op: 'open', name: 'big', dir: big, groupCommitMs: 0 }); // no-op once open
          return call({ op: 'read', name: 'big', fromSeq: 1 + ((i * EXPORT_BATCH) % (RECORDS - EXPORT_BATCH)), max: EXPORT_BATCH });
        },
      },
      {
        name: 'reopen 100k-record journal',
        fn: (i) => {
          if (i === 0) call({ op: 'close', name: 'big' }); // the export case's reader holds the lock
          return call({ op: 'reopen', dir: big });
        },
      },
    ],
  });

  const entry = tapEntry(1);
  const record = encodeFrame(encodeStoredEntry(storedEntry(entry, 1, KEY)));
  add({
    name: 'journal-cpu',
    description: `CPU part of an append and the checksum over one ${record.length}-byte record (tapEntry with PAN + track 2)`,
    reference: 'crc32c record',
    cases: [
      { name: 'seal + CBOR + frame one tap', fn: (i) => encodeFrame(encodeStoredEntry(storedEntry(entry, i + 1, KEY))).length },
      { name: 'CBOR + frame, no card data', fn: (i) => encodeFrame(encodeStoredEntry(storedEntry(tapEntry(3), i + 1, KEY))).length },
      { name: 'crc32c record', fn: () => crc32c(record) },
      { name: 'sha256 record (truncated-hash alternative)', fn: () => sha256(record)[0]! },
    ],
  });
}
