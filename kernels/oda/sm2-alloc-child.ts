/**
 * Child process of sm2-alloc.test.ts (run with `node --expose-gc --min-semi-space-size=64
 * --max-semi-space-size=64 --import tsx`): warms up, then measures N operations with
 * test/alloc-measure.ts (minimum of 5 rounds: under load the optimising compiler can take a few
 * thousand verifications to settle) and prints JSON { ops, bytesPerOp, gcDuring, bad }.
 * Modes: `verify` (one SM2 verification with a plain key, one with a precomputed key), `chain`
 * (issuer cert + ICC cert + SDAD, issuer key cached), `control` (`verify` plus one small object per
 * op: shows the measurement sees allocations).
 */
import { measureAllocation } from '../../test/alloc-measure.js';
import { Sm2PublicKey, sm2Sign, sm2TestKeyPair, sm2VerifyView } from './sm2.js';
import { SmIssuerKeyCache } from './sm-cert.js';
import { smChainFixture } from './sm-chain-fixture.js';

const N = Number(process.argv[2] ?? 2000);
const mode = process.argv[3] ?? 'verify';

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
const { bytesPerOp, gcDuring } = await measureAllocation((n) => {
  for (let i = 0; i < n; i++) if (!op()) bad++;
}, N, 5);
console.log(JSON.stringify({ ops: N, bytesPerOp, gcDuring, bad, sink: sink !== null }));
