import { describe, expect, it } from 'vitest';
import { Action, KernelFailure, Outcome, Reason, REASONS, QuickPassKernel } from '../kernels/qpboc/index.js';
import { fromHex } from '../kernels/util/hex.js';
import { FakeOda, FIXED_CLOCK, FIXED_UN, commandKey, offlineConfig, onlineConfig } from './kernel-fixtures.js';
import { baseCards, fuzzHook, mutate, prng } from './kernel-fuzz-cases.js';

describe('fuzz: mutated card responses never throw and always end in one outcome', () => {
  it('20k seeded runs: byte flips, truncations, length corruption, SW swaps, removal at every step', () => {
    const cards = baseCards();
    const hook = fuzzHook();
    const kernels = [
      new QuickPassKernel(onlineConfig(), { oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN }),
      new QuickPassKernel(offlineConfig(), { oda: new FakeOda(3), clock: FIXED_CLOCK, random: FIXED_UN }),
      new QuickPassKernel(onlineConfig(), { oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN, hook }),
    ];
    const rnd = prng(20261127);
    const seenOutcomes = new Set<number>();
    const seenReasons = new Set<number>();
    let removals = 0;
    const RUNS = 20000;
    for (let run = 0; run < RUNS; run++) {
      const card = cards[run % 3]!;
      const k = kernels[(run >> 2) % 3]!;
      const mutations = 1 + Math.floor(rnd() * 2);
      const mutateAt = new Set<number>();
      for (let i = 0; i < mutations; i++) mutateAt.add(Math.floor(rnd() * 10));
      const removeAt = rnd() < 0.15 ? Math.floor(rnd() * 10) : -1;
      const amount = rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 120000);
      let step = 0;
      try {
        k.begin({ amount });
        while (k.action === Action.Transmit) {
          if (step > 40) throw new Error('too many exchanges');
          if (step === removeAt) {
            removals++;
            k.fail(KernelFailure.CardRemoved);
            break;
          }
          let r = card.get(commandKey(k.tx, k.txLen)) ?? fromHex('6A82');
          if (mutateAt.has(step)) r = mutate(r, rnd);
          k.rx.set(r.subarray(0, k.rx.length));
          k.receive(Math.min(r.length, k.rx.length));
          step++;
        }
      } catch (e) {
        throw new Error(`run ${run} (seed 20261127) threw at step ${step}: ${(e as Error).message}`);
      }
      expect(k.action).toBe(Action.Done);
      expect(k.outcome).toBeGreaterThanOrEqual(Outcome.Approved);
      expect(k.outcome).toBeLessThanOrEqual(Outcome.EndApplication);
      expect(k.reason).not.toBe(Reason.None);
      expect(REASONS[k.reason]).toBeDefined();
      seenOutcomes.add(k.outcome);
      seenReasons.add(k.reason);
    }
    // The fuzz reaches every outcome and a broad set of reasons (else it is not exercising the kernel).
    expect([...seenOutcomes].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seenReasons.size).toBeGreaterThanOrEqual(20);
    expect(removals).toBeGreaterThan(1000);
  }, 120_000);
});
