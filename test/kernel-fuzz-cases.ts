/**
 * Shared kernel fuzz material: seeded PRNG, response mutations, scripted base cards and a
 * profile-like hook. Used by test/kernel-fuzz.test.ts (20k runs in CI) and scripts/fuzz-kernel.ts
 * (1M runs, figures).
 */
import type { KernelHook } from '../kernels/qpboc/index.js';
import { fromHex } from '../kernels/util/hex.js';
import { AID_CREDIT, AID_DEBIT, REC_1_1, REC_2_1, REC_2_2, fci, gpo, ppse, tlv } from './kernel-fixtures.js';
export { prng } from './prng.js';

export const SWS = [0x9000, 0x6283, 0x6985, 0x6984, 0x6986, 0x6a82, 0x6a83, 0x6a80, 0x6d00, 0x6700, 0x6100];

/** Two base cards (TC with records, ARQC) and a two-AID directory, as byte responses. */
export function baseCards(): Map<string, Uint8Array>[] {
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
export function mutate(r: Uint8Array, rnd: () => number): Uint8Array {
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

/** A profile-like hook: GET DATA 9F79 before GPO (amount from the balance), a cache update after. */
export function fuzzHook(): KernelHook {
  return {
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
}
