/**
 * Child process of test/denylist-alloc.test.ts (node --expose-gc --max-semi-space-size=64 --min-semi-space-size=64 --import tsx):
 * N deny-list lookups the way the kernel makes them (PAN in 5A form, PSN byte or -1), half hits and
 * half misses (a miss hashes twice: exact PSN, then "any PSN"); or (mode kernel / kernel-denied) whole
 * kernel taps with the deny list in the path. Prints JSON { ops, bytesPerOp, gcDuring, hits }. With a 64 MB young generation no scavenge runs in the measured loop, so heap growth
 * is what the lookups allocated.
 */
import { DenyListStore, buildDenyListFile, panTo5A } from '../src/denylist/index.js';
import { measureAllocation } from './alloc-measure.js';
import { RecordedCard, benchKernel, tap } from './kernel-recorded-card.js';
import { Outcome } from '../kernels/qpboc/index.js';

const N = Number(process.argv[2] ?? 200000);
const control = process.argv[3] === 'control';

const pans: Uint8Array[] = [];
const psns: number[] = [];
const entries = [];
for (let i = 0; i < 256; i++) {
  const pan = `62284800${String(i * 7919).padStart(10, '0')}${i % 10}`;
  pans.push(panTo5A(pan));
  psns.push(i % 3 === 0 ? -1 : i % 10); // 5F34 bytes 00–09 (BCD = decimal here), or no PSN
  // Every other card is listed: by "any PSN" or by its own PSN (absent ≡ 00).
  if (i % 2 === 0) entries.push(i % 4 === 0 ? { pan } : { pan, psn: Math.max(0, psns[i]!) });
}
const store = DenyListStore.fromBytes(buildDenyListFile({ version: 1, add: entries }));
let sink: unknown = null;
// Mode `kernel` / `kernel-denied`: whole taps of the bench kernel (recorded card, PAN 6212345678901234,
// PSN 01) with the store as its deny list — the card unlisted (full tap) or listed (declined after GPO).
const mode = process.argv[3] ?? 'lookup';
const kernelStore = DenyListStore.fromBytes(buildDenyListFile({ version: 1, add: mode === 'kernel-denied' ? [...entries, { pan: '6212345678901234', psn: 1 }] : entries }));
const k = benchKernel(kernelStore);
const card = new RecordedCard();
const txn = { amount: 1000 };
const expected = mode === 'kernel-denied' ? Outcome.Declined : Outcome.Approved;
const run = (n: number): number => {
  let hits = 0;
  if (mode.startsWith('kernel')) {
    for (let i = 0; i < n; i++) if (tap(k, card, txn) === expected) hits++;
    return hits;
  }
  for (let i = 0; i < n; i++) {
    const p = pans[i & 255]!;
    if (store.isDenied(p, 0, p.length, psns[i & 255]!)) hits++;
    if (control) sink = { i };
  }
  return hits;
};
let hits = 0;
run(50000); // warm-up: optimised code, feedback
const { bytesPerOp, gcDuring } = await measureAllocation((n) => {
  hits = run(n);
}, N);
console.log(JSON.stringify({ ops: N, bytesPerOp, gcDuring, hits, sink: sink !== null }));
