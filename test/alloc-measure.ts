/**
 * Bytes allocated per operation, for allocation tests that run in a child Node started with
 * --expose-gc and a fixed large young generation (--min-semi-space-size = --max-semi-space-size = 64):
 * then no scavenge runs inside a measured round and heap growth is every byte the operations
 * allocated. Reports the minimum over rounds (a round can include one-off heap growth when the
 * optimising compiler installs code) and how many GCs ran while measuring (must be 0 to trust it).
 * Used by test/kernel-alloc-child.ts and test/denylist-alloc-child.ts.
 */
import { PerformanceObserver } from 'node:perf_hooks';

export async function measureAllocation(run: (n: number) => void, n: number, rounds = 3): Promise<{ bytesPerOp: number; gcDuring: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  let gcDuring = 0;
  const obs = new PerformanceObserver((list) => {
    gcDuring += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  gc();
  gc();
  await new Promise((r) => setTimeout(r, 10));
  gcDuring = 0;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const before = process.memoryUsage().heapUsed;
    run(n);
    const after = process.memoryUsage().heapUsed;
    best = Math.min(best, (after - before) / n);
  }
  await new Promise((r) => setTimeout(r, 10)); // let the observer deliver GC entries of the last round
  obs.disconnect();
  return { bytesPerOp: best, gcDuring };
}
