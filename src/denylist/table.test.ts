import { describe, expect, it } from 'vitest';
import { prng } from '../../test/prng.js';
import { HashTable, countCommon, firstUnsorted, mergeDelta } from './table.js';

/** Sorted unique [hi, lo] words from 64-bit keys given as [hi, lo] pairs. */
function words(keys: [number, number][]): Uint32Array {
  const uniq = [...new Map(keys.map((k) => [key(k[0], k[1]), k] as const)).values()];
  uniq.sort((a, b) => (a[0] - b[0]) || (a[1] - b[1]));
  return new Uint32Array(uniq.flat());
}
const key = (hi: number, lo: number) => `${hi}:${lo}`;

describe('HashTable and mergeDelta against a Set model', () => {
  // Narrow draws (few distinct high words, top bits clustered) force equal high words, crowded and
  // empty buckets, and the extremes 0 and 2^32−1.
  const draw = (r: () => number): [number, number] => {
    const his = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    const hi = r() < 0.3 ? his[Math.floor(r() * his.length)]! : Math.floor(r() * 2 ** 32);
    const lo = r() < 0.3 ? [0, 1, 0xffffffff][Math.floor(r() * 3)]! : Math.floor(r() * 2 ** 32);
    return [hi, lo];
  };

  it('lookups, lower bounds and deltas agree with the model over 300 random cases', () => {
    const r = prng(99);
    for (let c = 0; c < 300; c++) {
      const n = Math.floor(r() ** 2 * 3000);
      const baseKeys = Array.from({ length: n }, () => draw(r));
      const base = words(baseKeys);
      const table = new HashTable(base, base.length / 2);
      expect(firstUnsorted(base, table.count)).toBe(-1);
      const model = new Set(baseKeys.map(([h, l]) => key(h, l)));
      expect(table.count).toBe(model.size);
      // Adds: new keys and some already listed; removes: listed keys and some absent, disjoint from adds.
      const addKeys = Array.from({ length: Math.floor(r() * 200) }, () => (r() < 0.3 && n ? baseKeys[Math.floor(r() * n)]! : draw(r)));
      const addSet = new Set(addKeys.map(([h, l]) => key(h, l)));
      const removeKeys = Array.from({ length: Math.floor(r() * 200) }, () => (r() < 0.6 && n ? baseKeys[Math.floor(r() * n)]! : draw(r)))
        .filter(([h, l]) => !addSet.has(key(h, l)));
      const add = words(addKeys), remove = words(removeKeys);
      const m = mergeDelta(table, add, add.length / 2, remove, remove.length / 2);
      if ('conflict' in m) throw new Error('unexpected conflict');
      const expected = new Set(model);
      let added = 0, removed = 0;
      for (const k of addSet) if (!expected.has(k)) { expected.add(k); added++; }
      for (const k of new Set(removeKeys.map(([h, l]) => key(h, l)))) if (expected.delete(k)) removed++;
      expect([m.table.count, m.added, m.removed], `case ${c}`).toEqual([expected.size, added, removed]);
      expect(firstUnsorted(m.table.words, m.table.count)).toBe(-1);
      let bad = 0;
      for (let i = 0; i < m.table.count; i++) if (!expected.has(key(m.table.words[i * 2]!, m.table.words[i * 2 + 1]!))) bad++;
      for (const [h, l] of [...baseKeys.slice(0, 50), ...addKeys.slice(0, 50), ...removeKeys.slice(0, 50), draw(r), draw(r)]) {
        if (table.has(h, l) !== model.has(key(h, l))) bad++;
        if (m.table.has(h, l) !== expected.has(key(h, l))) bad++;
        // lowerBound = the number of entries below (h, l).
        let below = 0;
        while (below < table.count && (base[below * 2]! < h || (base[below * 2] === h && base[below * 2 + 1]! < l))) below++;
        if (table.lowerBound(h, l, 0) !== below) bad++;
      }
      expect(bad, `case ${c}`).toBe(0);
      // The base is untouched by the merge.
      expect(table.count).toBe(model.size);
    }
  });

  it('a hash both added and removed is reported as a conflict', () => {
    const base = new HashTable(words([[1, 1], [2, 2]]), 2);
    const add = words([[3, 3], [5, 5]]), remove = words([[1, 1], [5, 5]]);
    expect(mergeDelta(base, add, 2, remove, 2)).toEqual({ conflict: 1 });
  });

  it('bucket index: at most 8 entries per bucket on average (≤ 1 byte/entry) at any size', () => {
    for (const n of [0, 1, 16, 17, 1000, 100_000]) {
      const t = new HashTable(new Uint32Array(n * 2), n);
      expect(t.index.length - 1).toBeGreaterThanOrEqual(Math.min(2, n / 8));
      expect(t.index.byteLength).toBeLessThanOrEqual(Math.max(12, n + 4));
    }
    expect(countCommon(words([[1, 1], [2, 2], [3, 3]]), 3, words([[2, 2], [3, 3], [4, 4]]), 3)).toBe(2);
  });
});
