/**
 * Allocation probe: bytes allocated per operation by the hot-path TLV/EMV functions, measured with
 * gc() + heapUsed deltas over many iterations. Run as
 *   node --expose-gc --import tsx bench/alloc-probe.ts [iterations]
 * Prints one JSON object {case: bytesPerOp}. test/tlv-alloc.test.ts runs it in a child process
 * (vitest workers have no --expose-gc). `control.decodeTlv` allocates on purpose: it shows the
 * method sees allocations.
 */
import { TlvCursor } from '../kernels/tlv/cursor.js';
import { decodeTlv } from '../kernels/tlv/tree.js';
import { TagStore } from '../kernels/emv/tag-store.js';
import { buildDolData } from '../kernels/emv/dol.js';
import { Afl, AflWalker, parseAfl } from '../kernels/emv/afl.js';
import { readAmount, readYymmdd } from '../kernels/emv/bcd.js';
import { fromHex } from '../kernels/util/hex.js';
import { ownSamples, traceResponses } from './samples.js';
import { walk as walkResponse } from './tlv.bench.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const iterations = Number(process.argv[2] ?? 100_000);
const bufs = [...ownSamples(), ...traceResponses()].map((s) => s.bytes);
const cursor = new TlvCursor();

/**
 * Bytes per call of fn(i): after a long warm-up (so optimised code exists: under load, concurrent
 * compilation can finish late and its code objects land in the heap), the lowest of 3 rounds of
 * gc(); heapUsed; n calls; heapUsed. The accumulator is masked to stay a small integer (Smi): a
 * non-Smi number in not-yet-optimised code is boxed per call, which would be the probe's own garbage.
 */
function bytesPerOp(fn: (i: number) => number, n: number): number {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink = (sink + fn(i)) & 0xffff;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    gc!();
    gc!();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) sink = (sink + fn(i)) & 0xffff;
    const h1 = process.memoryUsage().heapUsed;
    if (h1 - h0 < best) best = h1 - h0;
  }
  if (sink === -1) console.log(sink); // keep the work observable
  return best / n;
}

/** One walk of response `i` (the same walk the tlv bench times). */
const walk = (i: number): number => walkResponse(bufs[i % bufs.length]!);

const store = new TagStore(4096, 128);
const tagStore = (i: number): number => {
  store.clear();
  const b = bufs[i % bufs.length]!;
  return store.storeTlv(b, 0, b.length, cursor);
};

const pdol = fromHex('9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001DF6901');
const dolStore = new TagStore(256, 32);
for (const [t, h] of [[0x9f66, '28000080'], [0x9f02, '000000000200'], [0x5f2a, '0156'], [0x9a, '250601'], [0x9f37, '12345678']] as const) {
  const v = fromHex(h);
  dolStore.set(t, v, 0, v.length);
}
const dolOut = new Uint8Array(64);
const dol = (): number => buildDolData(pdol, 0, pdol.length, dolStore, dolOut, 0);

const aflBytes = fromHex('08010100100103011801020018030300');
const afl = new Afl();
const walker = new AflWalker();
const aflCase = (): number => {
  parseAfl(aflBytes, 0, aflBytes.length, afl);
  walker.reset(afl);
  let n = 0;
  while (walker.next()) n += walker.record;
  return n;
};

const amt = fromHex('000000001234250601');
const bcd = (): number => readAmount(amt, 0, 6) + readYymmdd(amt, 6);

// One discarded measurement: the first one in a process includes one-off work of the probe itself
// (measured ~0.33 B/op on the first case whatever it is, ~0.002 after).
bytesPerOp(walk, iterations);

const result = {
  iterations,
  responses: bufs.length,
  'cursor.walk': bytesPerOp(walk, iterations),
  'cursor.validate': bytesPerOp((i) => cursor.validate(bufs[i % bufs.length]!), iterations),
  'cursor.find': bytesPerOp((i) => (cursor.reset(bufs[i % bufs.length]!).find(0x9f36) ? 1 : 0), iterations),
  'tagStore.storeTlv': bytesPerOp(tagStore, iterations),
  'dol.buildDolData': bytesPerOp(dol, iterations),
  'afl.parseAndWalk': bytesPerOp(aflCase, iterations),
  'bcd.read': bytesPerOp(bcd, iterations),
  'control.decodeTlv': bytesPerOp((i) => {
    try {
      return decodeTlv(bufs[i % bufs.length]!).length;
    } catch {
      return 0;
    }
  }, 50),
};
console.log(JSON.stringify(result));
