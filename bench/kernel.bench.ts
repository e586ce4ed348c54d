/**
 * QuickPass kernel benchmark: the kernel alone (no ODA, no I/O) against a pre-recorded in-memory card
 * (test/kernel-recorded-card.ts: PPSE, SELECT, GPO TC, 3 records = 6 APDUs per tap).
 *
 *   node --expose-gc --import tsx bench/kernel.bench.ts
 *
 * Reports taps/s (goal ≥ 100k/s), bytes allocated per tap (heapUsed delta over a GC-free window),
 * and per-tap kernel time p50/p99/max over 100k taps (performance.now around each tap). Exports
 * `runKernelBench()` so bench/run.ts can call it when the harness exists.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Outcome } from '../kernels/qpboc/index.js';
import { RecordedCard, benchKernel, tap } from '../test/kernel-recorded-card.js';
import { odaKernel, recordTap } from '../test/kernel-oda-setup.js';
import { tapSequence } from '../test/kernel-recorded-card.js';
import type { Suite } from './harness.js';

/** For bench/run.ts (`npm run bench -- kernel`): one full tap per op, kernel only. */
const suiteKernel = benchKernel();
const suiteCard = new RecordedCard();
const suiteTxn = { amount: 1000 };
export const suites: Suite[] = [
  {
    name: 'qpboc-kernel',
    description: 'one offline tap (PPSE, SELECT, GPO TC, 3 records; no ODA) against a recorded in-memory card',
    cases: [{ name: 'tap (6 APDUs, no ODA)', fn: () => tap(suiteKernel, suiteCard, suiteTxn) }],
  },
];

/** For bench/run.ts: one tap with the real ODA engine in the loop (recorded virtual-card taps). */
export function register(add: (s: Suite) => void): void {
  const k = odaKernel();
  const cases = [];
  for (const p of ['debit-ec', 'sda-debit', 'sm2-debit']) {
    const card = recordTap(k, p, 1000);
    cases.push({ name: `tap + ODA (${p})`, fn: () => tapSequence(k, card, { amount: 1000 }) });
  }
  add({ name: 'qpboc-kernel-oda', description: 'one offline tap with RSA fDDA / SDA / SM2 fDDA in the loop (recorded virtual-card taps)', cases });
}

/** Standalone: taps/s and bytes/tap with ODA in the loop. */
async function odaFigures(): Promise<string[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const k = odaKernel();
  const lines: string[] = [];
  for (const p of ['debit-ec', 'sda-debit', 'sm2-debit']) {
    const card = recordTap(k, p, 1000);
    const txn = { amount: 1000 };
    for (let i = 0; i < 200; i++) if (tapSequence(k, card, txn) !== Outcome.Approved) throw new Error(p + ' replay did not approve');
    let n = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < 1000) {
      tapSequence(k, card, txn);
      n++;
      t1 = performance.now();
    }
    let bytes = 'n/a';
    if (gc) {
      gc();
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100; i++) tapSequence(k, card, txn);
      bytes = ((process.memoryUsage().heapUsed - h0) / 100).toFixed(0);
    }
    lines.push(`  with ODA ${p.padEnd(10)} ${Math.round((n * 1000) / (t1 - t0)).toLocaleString('en')} taps/s, ~${bytes} bytes/tap`);
  }
  return lines;
}

export type KernelBenchResult = {
  tapsPerSec: number;
  apdusPerTap: number;
  bytesPerTap: number | string;
  p50us: number;
  p99us: number;
  maxUs: number;
  gcDuringLatency: number;
};

export async function runKernelBench(latencyTaps = 100_000): Promise<KernelBenchResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let gcCount = 0;
  const obs = new PerformanceObserver((list) => {
    gcCount += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const k = benchKernel();
  const card = new RecordedCard();
  const txn = { amount: 1000 };
  for (let i = 0; i < 50_000; i++) if (tap(k, card, txn) !== Outcome.Approved) throw new Error('bench card must approve');
  const apdusPerTap = k.apduCount;

  // Throughput: batches of 10k taps for ~1.5 s.
  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < 1500) {
    for (let i = 0; i < 10_000; i++) tap(k, card, txn);
    n += 10_000;
    t1 = performance.now();
  }
  const tapsPerSec = (n * 1000) / (t1 - t0);

  // Allocation: heapUsed delta over 10k taps without a GC in between; minimum of 3 rounds (a round
  // can include one-off heap growth from the optimising compiler installing code).
  let bytesPerTap: number | string = 'n/a (run with --expose-gc)';
  if (gc) {
    let best = Infinity;
    let gcs = 0;
    for (let round = 0; round < 3; round++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
      const g0 = gcCount;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < 10_000; i++) tap(k, card, txn);
      const h1 = process.memoryUsage().heapUsed;
      await new Promise((r) => setTimeout(r, 0));
      if (gcCount !== g0) gcs++;
      else best = Math.min(best, Math.max(0, (h1 - h0) / 10_000));
    }
    bytesPerTap = best === Infinity ? `GC ran in every round (${gcs})` : best;
  }

  // Latency per tap.
  const times = new Float64Array(latencyTaps);
  if (gc) gc();
  await new Promise((r) => setTimeout(r, 0));
  const g1 = gcCount;
  for (let i = 0; i < latencyTaps; i++) {
    const s = performance.now();
    tap(k, card, txn);
    times[i] = performance.now() - s;
  }
  await new Promise((r) => setTimeout(r, 0));
  const gcDuringLatency = gcCount - g1;
  obs.disconnect();
  times.sort();
  const us = (ms: number) => Math.round(ms * 1000 * 100) / 100;
  return {
    tapsPerSec: Math.round(tapsPerSec),
    apdusPerTap,
    bytesPerTap,
    p50us: us(times[Math.floor(latencyTaps * 0.5)]!),
    p99us: us(times[Math.floor(latencyTaps * 0.99)]!),
    maxUs: us(times[latencyTaps - 1]!),
    gcDuringLatency,
  };
}

const isMain = process.argv[1] !== undefined && /kernel\.bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const r = await runKernelBench();
  console.log(`qpboc kernel (no ODA, recorded card, ${r.apdusPerTap} APDUs/tap, Node ${process.version})`);
  console.log(`  throughput      ${r.tapsPerSec.toLocaleString('en')} taps/s (goal ≥ 100,000)`);
  console.log(`  allocation      ${typeof r.bytesPerTap === 'number' ? r.bytesPerTap.toFixed(3) : r.bytesPerTap} bytes/tap`);
  console.log(`  latency/tap     p50 ${r.p50us} µs · p99 ${r.p99us} µs · max ${r.maxUs} µs over 100k taps (GCs during: ${r.gcDuringLatency})`);
  for (const line of await odaFigures()) console.log(line);
}
