/**
 * Child process of test/kernel-alloc.test.ts (run with `node --expose-gc --max-semi-space-size=64
 * --import tsx`): warms the kernel up, then performs N taps against the recorded card and prints
 * JSON { taps, bytesPerTap, gcDuring, outcome }. A large young generation means no scavenge runs
 * during the measured loop, so the heap growth is every byte the taps allocated.
 */
import { Outcome } from '../kernels/qpboc/index.js';
import { RecordedCard, benchKernel, tap } from './kernel-recorded-card.js';
import { measureAllocation } from './alloc-measure.js';

const N = Number(process.argv[2] ?? 20000);
/** Negative control: allocate one small object per tap, to show the measurement sees it. */
const control = process.argv[3] === 'control';
let sink: unknown = null;
const k = benchKernel();
const card = new RecordedCard();
const txn = { amount: 1000 };
let bad = 0;
for (let i = 0; i < 20000; i++) if (tap(k, card, txn) !== Outcome.Approved) bad++;
// The minimum of three measured rounds (alloc-measure.ts): a round can include one-off heap growth from
// the optimising compiler installing code (measured: 8–40 KB once, i.e. 0.4–2 bytes/tap over 20k taps).
const { bytesPerOp: best, gcDuring } = await measureAllocation((n) => {
  for (let i = 0; i < n; i++) {
    if (tap(k, card, txn) !== Outcome.Approved) bad++;
    if (control) sink = { i };
  }
}, N);
console.log(JSON.stringify({ taps: N, bytesPerTap: best, gcDuring, bad, outcome: k.outcome, sink: sink !== null }));
