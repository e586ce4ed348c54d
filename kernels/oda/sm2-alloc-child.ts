/**
 * Child process of sm2-alloc.test.ts (run with `node --expose-gc --max-semi-space-size=64 --import
 * tsx`): warms up, then runs N operations and prints JSON { ops, bytesPerOp, gcDuring, bad }.
 * Modes: `verify` (one SM2 verification with a plain key, one with a precomputed key), `chain`
 * (issuer cert + ICC cert + SDAD, issuer key cached), `control` (`verify` plus one small object per
 * op: shows the measurement sees allocations). A 64 MB young generation means no scavenge during
 * the measured loop, so heap growth is every byte allocated.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Sm2PublicKey, sm2Sign, sm2TestKeyPair, sm2VerifyView } from './sm2.js';
import { SmIssuerKeyCache } from './sm-cert.js';
import { smChainFixture } from './sm-chain-fixture.js';

const N = Number(process.argv[2] ?? 2000);
const mode = process.argv[3] ?? 'verify';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

let op: () => boolean;
let sink: unknown = null;
if (mode === 'chain') {
  const f = smChainFixture();
  const ctx = f.context(new SmIssuerKeyCache());
  op = () => f.run(ctx) === 0x42;
} else {
  const pair = sm2TestKeyPair('alloc');
  const msg = new Uint8Array(100).fill(0x5a);
  const sig = sm2Sign(pair.privateKey, msg);
  const plain = Sm2PublicKey.from(pair.publicKey);
  const pre = Sm2PublicKey.from(pair.publicKey).precompute(6);
  let i = 0;
  op = () => {
    const key = (i++ & 1) === 0 ? plain : pre;
    if (mode === 'control') sink = { i };
    return sm2VerifyView(key, key.z(), msg, 0, msg.length, null, 0, 0, sig, 0);
  };
}
let bad = 0;
for (let i = 0; i < 1500; i++) if (!op()) bad++;
let gcDuring = 0;
const obs = new PerformanceObserver((list) => {
  gcDuring += list.getEntries().length;
});
obs.observe({ entryTypes: ['gc'] });
gc();
gc();
await new Promise((r) => setTimeout(r, 10));
gcDuring = 0;
// Three rounds, the minimum reported: a round can include one-off code installation by the
// optimising compiler (see test/kernel-alloc-child.ts).
let best = Infinity;
for (let round = 0; round < 3; round++) {
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) if (!op()) bad++;
  const after = process.memoryUsage().heapUsed;
  best = Math.min(best, (after - before) / N);
}
await new Promise((r) => setTimeout(r, 10));
obs.disconnect();
console.log(JSON.stringify({ ops: N, bytesPerOp: best, gcDuring, bad, sink: sink !== null }));
