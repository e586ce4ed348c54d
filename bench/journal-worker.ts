/**
 * The journal bench's worker thread (bench/journal.bench.ts): runs the journal's async operations
 * while the harness's synchronous case waits on a SharedArrayBuffer (Atomics.wait). The wait and
 * the message cost ~0.05 ms per op, small beside an fdatasync (~1-5 ms) or a 1000-record read.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Journal } from '../src/journal/journal.js';
import { KEY, tapEntry, TERMINAL } from '../test/journal-fixtures.js';

export type WorkerOp =
  | { op: 'open'; name: string; dir: string; groupCommitMs: number }
  | { op: 'append'; name: string; concurrent: number }
  | { op: 'read'; name: string; fromSeq: number; max: number }
  | { op: 'reopen'; dir: string }
  | { op: 'close'; name: string };

const state = new Int32Array(workerData.shared as SharedArrayBuffer, 0, 1);
const result = new Float64Array(workerData.shared as SharedArrayBuffer, 8, 1);
const errors = workerData.errors as MessagePort;
const journals = new Map<string, Journal>();
let n = 0;

async function run(m: WorkerOp): Promise<number> {
  switch (m.op) {
    case 'open': {
      if (journals.has(m.name)) return journals.get(m.name)!.stats().lastSeq; // the harness may replay op 0
      const j = await Journal.open({ dir: m.dir, key: KEY, terminalId: TERMINAL, groupCommitMs: m.groupCommitMs });
      journals.set(m.name, j);
      return j.stats().lastSeq;
    }
    case 'append': {
      const j = journals.get(m.name)!;
      const seqs = await Promise.all(Array.from({ length: m.concurrent }, () => j.append(tapEntry(++n))));
      return seqs[seqs.length - 1]!;
    }
    case 'read': {
      const entries = await journals.get(m.name)!.read(m.fromSeq, m.max);
      return entries.length;
    }
    case 'reopen': {
      const j = await Journal.open({ dir: m.dir, key: KEY, terminalId: TERMINAL });
      const last = j.stats().lastSeq;
      await j.close();
      return last;
    }
    case 'close':
      await journals.get(m.name)?.close();
      journals.delete(m.name);
      return 0;
  }
}

parentPort!.on('message', (m: WorkerOp) => {
  run(m).then(
    (r) => {
      result[0] = r;
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    },
    (e: Error) => {
      errors.postMessage(e.stack ?? String(e));
      Atomics.store(state, 0, 2);
      Atomics.notify(state, 0);
    },
  );
});
