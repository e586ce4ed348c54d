import { describe, expect, it } from 'vitest';
import { Action, KernelFailure, Outcome, Reason, REASONS, QuickPassKernel, type KernelHook } from '../kernels/qpboc/index.js';
import { fromHex } from '../kernels/util/hex.js';
import { AID_CREDIT, AID_DEBIT, FakeOda, FIXED_CLOCK, FIXED_UN, REC_1_1, REC_2_1, REC_2_2, commandKey, fci, gpo, offlineConfig, onlineConfig, ppse, tlv } from './kernel-fixtures.js';

/** mulberry32: a small seeded PRNG so every failure is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SWS = [0x9000, 0x6283, 0x6985, 0x6984, 0x6986, 0x6a82, 0x6a83, 0x6a80, 0x6d00, 0x6700, 0x6100];

/** Two base cards (TC with records, ARQC) and a two-AID directory, as byte responses. */
function baseCards(): Map<string, Uint8Array>[] {
  const tc = new Map<string, string>([
    ['PPSE', ppse({ aid: AID_DEBIT, priority: 1 }, { aid: AID_CREDIT, priority: 2 })],
    ['SELECT ' + AID_DEBIT, fci(AID_DEBIT)],
    ['SELECT ' + AID_CREDIT, fci(AID_CREDIT)],
    ['GPO', gpo({ ctq: '3000' })],
    ['READ 1/1', REC_1_1 + '9000'],
    ['READ 2/1', REC_2_1 + '9000'],
    ['READ 2/2', REC_2_2 + '9000'],
  ]);
  const arqc = new Map(tc);
  arqc.set('GPO', gpo({ cvr2: 'A0', afl: null }));
  // DDA card: no 9F4B at GPO, so the kernel sends INTERNAL AUTHENTICATE (default DDOL 9F37).
  const dda = new Map(tc);
  dda.set('GPO', gpo({ ctq: '3000', omit: ['9F4B'] }));
  dda.set('CMD 0088000004A1A2A3A400', tlv('80', 'AABBCCDD') + '9000');
  for (const m of [tc, arqc, dda]) {
    m.set('GET DATA 9F79', tlv('9F79', '000000010000') + '9000');
    m.set('CMD 84DE00A800', '9000');
  }
  const toBytes = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k, fromHex(v)] as [string, Uint8Array]));
  return [toBytes(tc), toBytes(arqc), toBytes(dda)];
}

/** One mutation of a response (byte flips, truncation, length corruption, SW swap, extension). */
function mutate(r: Uint8Array, rnd: () => number): Uint8Array {
  const out = new Uint8Array(r);
  const kind = Math.floor(rnd() * 6);
  if (kind === 0 && out.length > 0) {
    const flips = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < flips; i++) out[Math.floor(rnd() * out.length)] ^= 1 << Math.floor(rnd() * 8);
    return out;
  }
  if (kind === 1) return out.slice(0, Math.floor(rnd() * out.length)); // truncation (SW lost too)
  if (kind === 2 && out.length > 4) {
    // Truncate the data but keep a 9000 status word.
    const cut = Math.floor(rnd() * (out.length - 2));
    const t = new Uint8Array(cut + 2);
    t.set(out.subarray(0, cut));
    t[cut] = 0x90;
    return t;
  }
  if (kind === 3 && out.length > 2) {
    // Corrupt a byte that is likely a length (the one after a tag): set it to a random value or 81/82/84.
    const p = 1 + Math.floor(rnd() * (out.length - 3));
    const choices = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, Math.floor(rnd() * 256)];
    out[p] = choices[Math.floor(rnd() * choices.length)]!;
    return out;
  }
  if (kind === 4 && out.length >= 2) {
    const sw = SWS[Math.floor(rnd() * SWS.length)]!;
    out[out.length - 2] = sw >> 8;
    out[out.length - 1] = sw & 0xff;
    return out;
  }
  // Extension: random bytes inserted before the status word.
  const extra = 1 + Math.floor(rnd() * 8);
  const e = new Uint8Array(Math.min(out.length + extra, 258));
  const body = Math.max(0, out.length - 2);
  e.set(out.subarray(0, Math.min(body, e.length - 2)));
  for (let i = body; i < e.length - 2; i++) e[i] = Math.floor(rnd() * 256);
  e[e.length - 2] = 0x90;
  e[e.length - 1] = 0x00;
  return e;
}

describe('fuzz: mutated card responses never throw and always end in one outcome', () => {
  it('20k seeded runs: byte flips, truncations, length corruption, SW swaps, removal at every step', () => {
    const cards = baseCards();
    // A profile-like hook: GET DATA 9F79 before GPO (amount from the balance), a cache update after.
    const hook: KernelHook = {
      beforeGpo(k, n) {
        if (n < 0) {
          k.tx.set([0x80, 0xca, 0x9f, 0x79, 0x00]);
          return 5;
        }
        if (n >= 2 && k.rx[n - 2] === 0x90) k.setAmount(k.rx[0]! === 0x9f ? 100 : 200);
        return n >= 2 && k.rx[n - 2] === 0x6a ? -1 : 0;
      },
      afterGpo(k, n) {
        if (n < 0) {
          k.tx.set([0x84, 0xde, 0x00, 0xa8, 0x00]);
          return 5;
        }
        return 0;
      },
    };
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
