/**
 * QuickPass kernel benchmark: the kernel alone (no ODA, no I/O) against a pre-recorded in-memory card
 * (test/kernel-recorded-card.ts: PPSE, SELECT, GPO TC, 3 records = 6 APDUs per tap).
 *
 *   node --expose-gc --import tsx bench/kernel.bench.ts
 *
 * Reports, without ODA and with RSA fDDA (a recorded debit-ec tap replayed against the real engine):
 * taps/s (goals ≥ 100k/s and ≥ 10k/s), bytes allocated per tap (heapUsed delta over a GC-free
 * window; goal 0) and per-tap kernel time p50/p99/max over 100k taps (performance.now around each
 * tap); SDA / SM2 throughput; and a simulated debit-ec tap at 106 kbit/s (the virtual card's latency
 * model per exchange + kernel time) with its APDU count. Exports `runKernelBench()`,
 * `runFddaBench()` and `simulatedTap()`.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { createCard } from '../hal/virtual/personalities.js';
import { Action, Outcome } from '../kernels/qpboc/index.js';
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
  const txn = { amount: 1000 }; // one object for every tap: a literal per call would be the bench's own 32 bytes/op
  for (const p of ['debit-ec', 'sda-debit', 'sm2-debit']) {
    const card = recordTap(k, p, 1000);
    cases.push({ name: `tap + ODA (${p})`, fn: () => tapSequence(k, card, txn) });
  }
  add({ name: 'qpboc-kernel-oda', description: 'one offline tap with RSA fDDA / SDA / SM2 fDDA in the loop (recorded virtual-card taps)', cases });
}

/** Standalone: taps/s and bytes/tap for SDA and SM2 fDDA (RSA fDDA gets the full treatment below). */
async function otherOdaFigures(): Promise<string[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const k = odaKernel();
  const lines: string[] = [];
  for (const p of ['sda-debit', 'sm2-debit']) {
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

/**
 * Throughput (batches for ~1.5 s), bytes/tap (heapUsed delta over `allocTaps` taps without a GC in
 * between; minimum of 3 rounds — a round can include one-off heap growth from the optimising
 * compiler installing code) and per-tap latency p50/p99/max over `latencyTaps` taps (performance.now
 * around each tap; GCs counted by a PerformanceObserver).
 */
async function measure(oneTap: () => number, apdusPerTap: number, latencyTaps: number, batch: number, allocTaps: number): Promise<KernelBenchResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let gcCount = 0;
  const obs = new PerformanceObserver((list) => {
    gcCount += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });

  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < 1500) {
    for (let i = 0; i < batch; i++) oneTap();
    n += batch;
    t1 = performance.now();
  }
  const tapsPerSec = (n * 1000) / (t1 - t0);

  let bytesPerTap: number | string = 'n/a (run with --expose-gc)';
  if (gc) {
    let best = Infinity;
    let gcs = 0;
    for (let round = 0; round < 3; round++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
      const g0 = gcCount;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < allocTaps; i++) oneTap();
      const h1 = process.memoryUsage().heapUsed;
      await new Promise((r) => setTimeout(r, 0));
      if (gcCount !== g0) gcs++;
      else best = Math.min(best, Math.max(0, (h1 - h0) / allocTaps));
    }
    bytesPerTap = best === Infinity ? `GC ran in every round (${gcs})` : best;
  }

  const times = new Float64Array(latencyTaps);
  if (gc) gc();
  await new Promise((r) => setTimeout(r, 0));
  const g1 = gcCount;
  for (let i = 0; i < latencyTaps; i++) {
    const s = performance.now();
    oneTap();
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

/** Kernel only, no ODA (recorded in-memory card, 6 APDUs). */
export async function runKernelBench(latencyTaps = 100_000): Promise<KernelBenchResult> {
  const k = benchKernel();
  const card = new RecordedCard();
  const txn = { amount: 1000 };
  for (let i = 0; i < 50_000; i++) if (tap(k, card, txn) !== Outcome.Approved) throw new Error('bench card must approve');
  return measure(() => tap(k, card, txn), k.apduCount, latencyTaps, 10_000, 10_000);
}

/**
 * Kernel with the real RSA engine: a recorded debit-ec tap (fDDA 01, CA 1984 / issuer 1408 / ICC
 * 1024, e = 3) replayed; the issuer key comes from the cache after the first tap, the ICC key is
 * recovered and the SDAD verified on every tap.
 */
export async function runFddaBench(latencyTaps = 100_000): Promise<KernelBenchResult> {
  const k = odaKernel();
  const card = recordTap(k, 'debit-ec', 1000);
  const txn = { amount: 1000 };
  for (let i = 0; i < 2000; i++) if (tapSequence(k, card, txn) !== Outcome.Approved) throw new Error('debit-ec replay did not approve');
  if (k.odaFailure !== 0) throw new Error('debit-ec: ODA failed');
  // 20k-tap allocation window: over 1k taps the heapUsed delta read 1.7 B/tap (one-off heap growth
  // spread over few taps); 200k taps with --max-semi-space-size=1 ran without a single GC and grew
  // the heap by 6.2 KB in all (0.03 B/tap), so the per-tap figure is noise, not garbage.
  return measure(() => tapSequence(k, card, txn), k.apduCount, latencyTaps, 100, 20_000);
}

/**
 * A simulated tap: debit-ec at 106 kbit/s with the virtual card's latency model
 * (hal/virtual/latency.ts: ISO 14443 air time + per-command card processing, GPO_SIGN for the fDDA
 * signature) — the sum of `lastExchangeMicros` over the tap's exchanges, plus the kernel time.
 */
export function simulatedTap(kernelUs: number): { apdus: number; airAndCardUs: number; totalUs: number; perExchange: string } {
  const k = odaKernel();
  const card = createCard('debit-ec', { bitRateKbps: 106 });
  card.powerOn();
  let airAndCardUs = 0;
  const parts: string[] = [];
  k.begin({ amount: 1000 });
  while (k.action === Action.Transmit) {
    const r = card.transmit(k.tx.slice(0, k.txLen));
    if (r === null) throw new Error('virtual card left the field');
    airAndCardUs += card.lastExchangeMicros;
    const ins = k.tx[1]!;
    const name = ins === 0xa4 ? 'SELECT' : ins === 0xa8 ? 'GPO' : ins === 0xb2 ? 'READ' : ins === 0x88 ? 'INT AUTH' : ins === 0xca ? 'GET DATA' : 'INS ' + ins.toString(16);
    parts.push(`${name} ${(card.lastExchangeMicros / 1000).toFixed(1)}`);
    k.rx.set(r);
    k.receive(r.length);
  }
  if (k.outcome !== Outcome.Approved || k.odaFailure !== 0) throw new Error('simulated debit-ec tap did not approve with ODA');
  return { apdus: k.apduCount, airAndCardUs, totalUs: airAndCardUs + kernelUs, perExchange: parts.join(' + ') };
}

const isMain = process.argv[1] !== undefined && /kernel\.bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const line = (label: string, r: KernelBenchResult, goal: string) => {
    console.log(`  ${label}`);
    console.log(`    throughput    ${r.tapsPerSec.toLocaleString('en')} taps/s (${goal})`);
    console.log(`    allocation    ${typeof r.bytesPerTap === 'number' ? r.bytesPerTap.toFixed(3) : r.bytesPerTap} bytes/tap (goal 0)`);
    console.log(`    latency/tap   p50 ${r.p50us} µs · p99 ${r.p99us} µs · max ${r.maxUs} µs over 100k taps (GCs during: ${r.gcDuringLatency})`);
  };
  console.log(`qpboc kernel, recorded in-memory cards, kernel time only (Node ${process.version})`);
  const r = await runKernelBench();
  line(`no ODA (${r.apdusPerTap} APDUs/tap)`, r, 'goal ≥ 100,000');
  const f = await runFddaBench();
  line(`RSA fDDA 01, debit-ec (CA 1984 / issuer 1408 cached / ICC 1024; ${f.apdusPerTap} APDUs/tap)`, f, 'goal ≥ 10,000');
  for (const l of await otherOdaFigures()) console.log(l);
  const sim = simulatedTap(f.p50us);
  console.log(`simulated tap at 106 kbit/s (debit-ec, latency model + kernel p50): ${(sim.totalUs / 1000).toFixed(1)} ms, ${sim.apdus} APDUs`);
  console.log(`  exchanges (air + card processing, ms): ${sim.perExchange} = ${(sim.airAndCardUs / 1000).toFixed(1)} ms; kernel ${f.p50us} µs`);
}
