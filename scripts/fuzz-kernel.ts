/**
 * Kernel fuzz as a script (the 20k-run test in test/kernel-fuzz.test.ts, scaled up):
 *
 *   node --import tsx scripts/fuzz-kernel.ts [--runs N] [--seed S]     (default 1,000,000 runs)
 *
 * Each run is one tap against a card answering by command (unknown command → 6A82), with 1–2
 * responses mutated (byte flips, truncations, length corruption, SW swaps, extension — the shared
 * `mutate` from test/kernel-fuzz-cases.ts) and, in 15% of runs, the card removed at a random step.
 * Cards: the scripted base cards of the test (fake ODA, a profile hook kernel) and recordings of
 * virtual-card personalities (hal/virtual) replayed against a kernel with the real RSA and SM2 ODA
 * engines — fDDA, SDA, DDA, SM2 fDDA, broken certificates. Reports runs, exceptions, hangs (more than
 * MAX_STEPS exchanges in one run) and the outcome/reason histogram; exit 1 on any exception or hang.
 * Seeded (mulberry32): a failing run is reproducible from the seed and its run number.
 */
import { createCard } from '../hal/virtual/personalities.js';
import { Action, KernelFailure, Outcome, QuickPassKernel, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import { fromHex } from '../kernels/util/hex.js';
import { FakeOda, FIXED_CLOCK, FIXED_UN, commandKey, offlineConfig, onlineConfig } from '../test/kernel-fixtures.js';
import { baseCards, fuzzHook, mutate, prng } from '../test/kernel-fuzz-cases.js';
import { odaKernel } from '../test/kernel-oda-setup.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name}: expected a non-negative integer, got ${process.argv[i + 1]}`);
  return v;
}

const RUNS = arg('--runs', 1_000_000);
const SEED = arg('--seed', 20261127);
/** A tap is ≤ ~12 exchanges (PPSE, 2 SELECTs, hook, GPO, hook, records, INTERNAL AUTHENTICATE). */
const MAX_STEPS = 40;
const RECORDED_AMOUNT = 1000;

/** Responses of one tap of a personality, by command key (the kernel's fixed clock and UN). */
function recordByCommand(k: QuickPassKernel, personality: string): Map<string, Uint8Array> {
  const card = createCard(personality);
  card.powerOn();
  const m = new Map<string, Uint8Array>();
  k.begin({ amount: RECORDED_AMOUNT });
  while (k.action === Action.Transmit) {
    const r = card.transmit(k.tx.slice(0, k.txLen));
    if (r === null) {
      k.fail(KernelFailure.CardRemoved);
      break;
    }
    m.set(commandKey(k.tx, k.txLen), r);
    k.rx.set(r);
    k.receive(r.length);
  }
  return m;
}

type Target = { name: string; kernel: QuickPassKernel; card: Map<string, Uint8Array>; weight: number; recordedAmount: boolean };

const odaK = odaKernel();
const targets: Target[] = [];
const [tc, arqc, dda] = baseCards();
const fakeOnline = new QuickPassKernel(onlineConfig(), { oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN });
const fakeOffline = new QuickPassKernel(offlineConfig(), { oda: new FakeOda(3), clock: FIXED_CLOCK, random: FIXED_UN });
const fakeHook = new QuickPassKernel(onlineConfig(), { oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN, hook: fuzzHook() });
for (const [name, card] of [['scripted-tc', tc!], ['scripted-arqc', arqc!], ['scripted-dda', dda!]] as const) {
  targets.push({ name: name + '/online', kernel: fakeOnline, card, weight: 4, recordedAmount: false });
  targets.push({ name: name + '/offline', kernel: fakeOffline, card, weight: 4, recordedAmount: false });
  targets.push({ name: name + '/hook', kernel: fakeHook, card, weight: 4, recordedAmount: false });
}
// Weights: SM2 verification costs ~3 ms per tap here (vs ~0.15 ms for RSA fDDA), so the SM2
// personality gets a small share to keep 1M runs within minutes.
for (const [p, w] of [
  ['debit-ec', 8], ['sda-debit', 6], ['dda-debit', 6], ['credit-no-ec', 4], ['asks-online', 4], ['two-aids', 4],
  ['metro-transit', 4], ['wrong-pan-in-cert', 3], ['bad-cert-hash', 3], ['revoked-issuer-serial', 3], ['sm2-debit', 1],
] as const) targets.push({ name: p, kernel: odaK, card: recordByCommand(odaK, p), weight: w, recordedAmount: true });
const pick: number[] = [];
for (let i = 0; i < targets.length; i++) for (let w = 0; w < targets[i]!.weight; w++) pick.push(i);

const rnd = prng(SEED);
const histogram = new Map<string, number>();
const perTarget = new Map<string, number>();
/** Approved taps per card: shows that unmutated and harmlessly mutated fDDA/SDA/DDA/SM2 taps still verify end to end. */
const approvedPer = new Map<string, number>();
let exceptions = 0;
let hangs = 0;
let removals = 0;
let mutatedResponses = 0;
const firstFailures: string[] = [];
const SIX_A_EIGHT_TWO = fromHex('6A82');
const t0 = performance.now();

for (let run = 0; run < RUNS; run++) {
  const t = targets[pick[Math.floor(rnd() * pick.length)]!]!;
  const k = t.kernel;
  const mutations = 1 + Math.floor(rnd() * 2);
  const m0 = Math.floor(rnd() * 10), m1 = mutations > 1 ? Math.floor(rnd() * 10) : -1;
  const removeAt = rnd() < 0.15 ? Math.floor(rnd() * 10) : -1;
  // Recorded cards signed fDDA 01 over the recorded amount: keep it in most runs so ODA runs to the end.
  const amount = t.recordedAmount && rnd() < 0.8 ? RECORDED_AMOUNT : rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 120000);
  let step = 0;
  try {
    k.begin({ amount });
    while (k.action === Action.Transmit) {
      if (step >= MAX_STEPS) {
        hangs++;
        if (firstFailures.length < 10) firstFailures.push(`hang: run ${run} (${t.name}), ${step} exchanges`);
        k.fail(KernelFailure.CardRemoved);
        break;
      }
      if (step === removeAt) {
        removals++;
        k.fail(KernelFailure.CardRemoved);
        break;
      }
      let r = t.card.get(commandKey(k.tx, k.txLen)) ?? SIX_A_EIGHT_TWO;
      if (step === m0 || step === m1) {
        r = mutate(r, rnd);
        mutatedResponses++;
      }
      const n = Math.min(r.length, k.rx.length);
      k.rx.set(n === r.length ? r : r.subarray(0, n));
      k.receive(n);
      step++;
    }
    if (k.action !== Action.Done) throw new Error('kernel not done after the loop');
    const key = `${outcomeName(k.outcome)} / ${reasonName(k.reason)}`;
    histogram.set(key, (histogram.get(key) ?? 0) + 1);
    if (k.outcome === Outcome.Approved) approvedPer.set(t.name, (approvedPer.get(t.name) ?? 0) + 1);
  } catch (e) {
    exceptions++;
    if (firstFailures.length < 10) firstFailures.push(`exception: run ${run} (${t.name}, seed ${SEED}) at step ${step}: ${(e as Error).stack ?? e}`);
  }
  perTarget.set(t.name, (perTarget.get(t.name) ?? 0) + 1);
  if ((run + 1) % 100_000 === 0) console.error(`  ${(run + 1).toLocaleString('en')} runs, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const secs = (performance.now() - t0) / 1000;
console.log(`kernel fuzz: seed ${SEED}, ${RUNS.toLocaleString('en')} runs in ${secs.toFixed(1)} s (${Math.round(RUNS / secs).toLocaleString('en')} runs/s, Node ${process.version})`);
console.log(`  exceptions ${exceptions} · hangs (> ${MAX_STEPS} exchanges) ${hangs} · card removals ${removals.toLocaleString('en')} · mutated responses ${mutatedResponses.toLocaleString('en')}`);
console.log(`  cards (runs / approved): ${[...perTarget].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([n, c]) => `${n} ${c}/${approvedPer.get(n) ?? 0}`).join(', ')}`);
console.log(`  outcome / reason histogram (${histogram.size} distinct):`);
for (const [key, c] of [...histogram].sort((a, b) => b[1] - a[1])) console.log(`    ${String(c).padStart(9)}  ${key}`);
for (const f of firstFailures) console.log('  ' + f);
process.exit(exceptions > 0 || hangs > 0 ? 1 : 0);
