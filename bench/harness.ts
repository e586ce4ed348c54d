/**
 * A tiny benchmark harness: ops/s over a time budget, p50/p99 time per op (from batch means),
 * and bytes allocated per op (gc() + heapUsed deltas; needs node --expose-gc, else n/a).
 * Suites live in bench/*.bench.ts and export `suites: Suite[]` (see bench/README.md).
 */
import { performance } from 'node:perf_hooks';

export type BenchCase = {
  name: string;
  /** One operation. Return a number that depends on the work, so it cannot be optimised away. */
  fn: (i: number) => number;
  /** Distinct inputs fn cycles through (fn(i) uses input i % cycle); allocation is averaged over whole cycles. */
  cycle?: number;
};

export type Suite = {
  name: string;
  description?: string;
  cases: BenchCase[];
  /** Name of the case the `rel` column compares against (its ops/s = 1.00×). */
  reference?: string;
};

export type CaseResult = {
  suite: string;
  name: string;
  opsPerSec: number;
  nsPerOp: number;
  p50Ns: number;
  p99Ns: number;
  /** Bytes allocated per op, or null without --expose-gc. */
  bytesPerOp: number | null;
  /** ops/s relative to the suite's reference case, or null. */
  rel: number | null;
  totalOps: number;
};

export type RunOptions = { timeMs: number };

const gc = (globalThis as { gc?: () => void }).gc;
let sink = 0;

/** Runs `fn` for `n` ops and returns the elapsed milliseconds. */
function timeBatch(fn: (i: number) => number, start: number, n: number): number {
  const t0 = performance.now();
  let s = 0;
  for (let i = 0; i < n; i++) s += fn(start + i);
  const t = performance.now() - t0;
  sink ^= s | 0;
  return t;
}

/**
 * Bytes per op, after one discarded pass (one-off JIT work: code and feedback objects are heap
 * objects too; measured: a fresh loop's first round showed ~60 B/op for a 0 B/op case).
 * A pass is a whole number of `cycle`s (so every input counts equally), cut into sub-batches that
 * allocate ≤ 256 KiB each, each preceded by gc(): that fits the young generation, so no scavenge
 * hides bytes from the heapUsed delta.
 */
function measureBytes(fn: (i: number) => number, cycle: number, nsPerOp: number, timeMs: number): number | null {
  if (!gc) return null;
  let s = 0;
  const sub = (start: number, k: number): number => {
    gc!();
    const h0 = process.memoryUsage().heapUsed;
    // A local accumulator masked to a small integer: a non-Smi number (captured, or in code not yet
    // optimised) is boxed as a HeapNumber per op, which would be the harness's own garbage.
    let acc = 0;
    for (let i = start; i < start + k; i++) acc = (acc + fn(i)) & 0xffff;
    const h1 = process.memoryUsage().heapUsed;
    s ^= acc | 0;
    return Math.max(0, h1 - h0);
  };
  // The measurement itself (process.memoryUsage() builds an object) costs a few hundred bytes:
  // measure that with empty sub-batches and subtract it from each sub-batch.
  sub(0, 0);
  let overhead = Infinity;
  for (let r = 0; r < 5; r++) overhead = Math.min(overhead, sub(0, 0));
  // Time caps: the probe ≤ ~20 ms, a pass ≤ ~half the timing budget (slow ops such as RSA would
  // otherwise run 500k times).
  const probeN = Math.max(1, Math.min(256, Math.floor(20e6 / nsPerOp)));
  sub(0, probeN);
  const probe = Math.max(1, (sub(0, probeN) - overhead) / probeN);
  const maxOps = Math.max(cycle, Math.floor((timeMs * 0.5e6) / nsPerOp));
  const k = Math.max(1, Math.min(100_000, Math.floor((256 * 1024) / probe), Math.ceil(maxOps / 5)));
  const total = Math.ceil(Math.min(Math.max(5 * k, cycle), maxOps) / cycle) * cycle;
  const pass = (): number => {
    let bytes = 0;
    for (let i = 0; i < total; i += k) bytes += Math.max(0, sub(i, Math.min(k, total - i)) - overhead);
    return bytes / total;
  };
  pass();
  const r = pass();
  sink ^= s | 0;
  return r;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Measures one case. */
export function runCase(suite: string, c: BenchCase, opts: RunOptions): Omit<CaseResult, 'rel'> {
  const fn = c.fn;
  // Warm-up (≈10% of the budget) and batch calibration: batches of ≥ 0.2 ms keep timer noise small.
  const warmEnd = performance.now() + Math.max(50, opts.timeMs / 10);
  let batch = 1;
  let i = 0;
  while (performance.now() < warmEnd) {
    const t = timeBatch(fn, i, batch);
    i += batch;
    if (t < 0.2 && batch < 1 << 24) batch *= 2;
  }
  const perOp: number[] = [];
  let total = 0;
  let elapsed = 0;
  while (elapsed < opts.timeMs) {
    const t = timeBatch(fn, i, batch);
    i += batch;
    total += batch;
    elapsed += t;
    perOp.push((t * 1e6) / batch);
  }
  perOp.sort((a, b) => a - b);
  const nsPerOp = (elapsed * 1e6) / total;
  const bytesPerOp = measureBytes(fn, c.cycle ?? 1, nsPerOp, opts.timeMs);
  return {
    suite,
    name: c.name,
    opsPerSec: (total / elapsed) * 1000,
    nsPerOp,
    p50Ns: percentile(perOp, 0.5),
    p99Ns: percentile(perOp, 0.99),
    bytesPerOp,
    totalOps: total,
  };
}

/** Runs a suite; `rel` compares each case with the suite's reference case. */
export function runSuite(s: Suite, opts: RunOptions): CaseResult[] {
  const raw = s.cases.map((c) => runCase(s.name, c, opts));
  const ref = raw.find((r) => r.name === s.reference);
  return raw.map((r) => ({ ...r, rel: ref ? r.opsPerSec / ref.opsPerSec : null }));
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A plain-text table of results. */
export function formatTable(results: CaseResult[]): string {
  const head = ['suite', 'case', 'ops/s', 'ns/op', 'p50 ns', 'p99 ns', 'bytes/op', 'rel'];
  const rows = results.map((r) => [
    r.suite,
    r.name,
    fmt(r.opsPerSec),
    fmt(r.nsPerOp, 1),
    fmt(r.p50Ns, 1),
    fmt(r.p99Ns, 1),
    r.bytesPerOp === null ? 'n/a' : fmt(r.bytesPerOp, 2),
    r.rel === null ? '' : fmt(r.rel, 2) + '×',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Keeps the benchmark sink observable. */
export function sinkValue(): number {
  return sink;
}
