/**
 * The in-memory deny list: sorted 64-bit hashes as [high word, low word] pairs in one Uint32Array
 * (8 bytes per entry, no per-entry objects), plus a bucket index over the top `bits` bits of the
 * hash: `index[b]` is the first entry whose top bits are ≥ b. The hashes are SHA-256 output, so
 * they are uniform and a bucket holds 4–8 entries on average: a lookup reads one index pair and
 * binary-searches a few neighbouring words (O(1) expected; two cache misses). The index costs 0.5–1 byte per
 * entry (4 bytes per bucket) — README.md has the measured figures.
 */

/** Average entries per bucket is in (4, 8]: the index costs ≤ 1 byte per entry. */
const MAX_BUCKET_LOAD = 8;

export class HashTable {
  /** [hi0, lo0, hi1, lo1, …], strictly increasing as unsigned 64-bit numbers. */
  readonly words: Uint32Array;
  readonly count: number;
  /** Bucket starts: `index[b]..index[b+1]` are the entries whose top bits equal b. */
  readonly index: Uint32Array;
  /** 32 − bucket bits: bucket = hi >>> shift. */
  readonly shift: number;

  /** `words[0, 2·count)` must already be strictly increasing (see firstUnsorted). */
  constructor(words: Uint32Array, count: number) {
    if (words.length < count * 2) throw new RangeError(`words: ${words.length} words cannot hold ${count} entries`);
    let bits = 1;
    while (bits < 30 && count > MAX_BUCKET_LOAD * 2 ** bits) bits++;
    const index = new Uint32Array(2 ** bits + 1);
    const shift = 32 - bits;
    // Count per bucket, then prefix sums (index[b+1] ends bucket b).
    for (let i = 0; i < count; i++) index[(words[i * 2]! >>> shift) + 1]++;
    for (let b = 1; b < index.length; b++) index[b] += index[b - 1]!;
    this.words = words;
    this.count = count;
    this.index = index;
    this.shift = shift;
  }

  static empty(): HashTable {
    return new HashTable(new Uint32Array(0), 0);
  }

  /**
   * Is (hi, lo) in the table? No allocation. The words may come as int32 or uint32 (compared as
   * uint32): callers on the tap path pass int32, because a uint32 above 2³¹ passed to a function
   * V8 did not inline is boxed as a HeapNumber (measured: 12.5 bytes per lookup with uint32 words).
   */
  has(hi: number, lo: number): boolean {
    const i = this.lowerBound(hi, lo, 0);
    return i < this.count && this.words[i * 2] === hi >>> 0 && this.words[i * 2 + 1] === lo >>> 0;
  }

  /**
   * The first entry ≥ (hi, lo), at or after entry `from`: the bucket index gives the range, a binary
   * search finds the place (~2–3 steps at 4–8 entries per bucket; O(log n) even for a list whose
   * hashes are not uniform, e.g. one crafted by hand).
   */
  lowerBound(hi: number, lo: number, from: number): number {
    const words = this.words;
    const b = hi >>> this.shift;
    const uhi = hi >>> 0, ulo = lo >>> 0;
    let a = Math.max(from, this.index[b]!);
    let z = this.index[b + 1]!;
    while (a < z) {
      const m = (a + z) >>> 1;
      const h = words[m * 2]!;
      if (h < uhi || (h === uhi && words[m * 2 + 1]! < ulo)) a = m + 1;
      else z = m;
    }
    return a;
  }
}

/** Index of the first entry of `words[0, 2·count)` that is not above its predecessor, or -1. */
export function firstUnsorted(words: Uint32Array, count: number): number {
  for (let i = 1; i < count; i++) {
    const ph = words[i * 2 - 2]!;
    const h = words[i * 2]!;
    if (h < ph || (h === ph && words[i * 2 + 1]! <= words[i * 2 - 1]!)) return i;
  }
  return -1;
}

/** Unsigned comparison of entry i of `a` with entry j of `b`: <0, 0, >0. */
export function compare(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  const ah = a[i * 2]!;
  const bh = b[j * 2]!;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = a[i * 2 + 1]!;
  const bl = b[j * 2 + 1]!;
  return al === bl ? 0 : al < bl ? -1 : 1;
}

/** Index in `a` of the first entry also in `b` (both sorted), or -1. */
function firstCommon(a: Uint32Array, an: number, b: Uint32Array, bn: number): number {
  let i = 0, j = 0;
  while (i < an && j < bn) {
    const c = compare(a, i, b, j);
    if (c === 0) return i;
    if (c < 0) i++;
    else j++;
  }
  return -1;
}

/** How many entries the sorted lists `a[0, an)` and `b[0, bn)` have in common. */
export function countCommon(a: Uint32Array, an: number, b: Uint32Array, bn: number): number {
  let i = 0, j = 0, n = 0;
  while (i < an && j < bn) {
    const c = compare(a, i, b, j);
    if (c === 0) n++;
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
  return n;
}

export type MergeResult = {
  table: HashTable;
  /** Added hashes that were not in the base. */
  added: number;
  /** Removed hashes that were in the base. */
  removed: number;
};

/**
 * (base ∪ add) ∖ remove, all sorted: a new table, the base untouched. Returns the index of a hash
 * that is both added and removed (an ambiguous delta) as `conflict` instead of a table.
 * Cost: O(1) per delta entry (its place in the base comes from the bucket index) plus copying the
 * base between them with `TypedArray#set` (memcpy) — a small delta on 10M entries is bounded by one
 * 80 MB copy and the new bucket index, not by a per-entry JS merge.
 */
export function mergeDelta(base: HashTable, add: Uint32Array, addCount: number, remove: Uint32Array, removeCount: number): MergeResult | { conflict: number } {
  const conflict = firstCommon(remove, removeCount, add, addCount);
  if (conflict >= 0) return { conflict };
  // Pass 1: which edits change the base (an added hash already listed, or a removed hash not listed, is a no-op).
  let added = 0, removed = 0;
  for (let j = 0; j < addCount; j++) if (!base.has(add[j * 2]!, add[j * 2 + 1]!)) added++;
  for (let r = 0; r < removeCount; r++) if (base.has(remove[r * 2]!, remove[r * 2 + 1]!)) removed++;
  const count = base.count + added - removed;
  const out = new Uint32Array(count * 2);
  // Pass 2: walk the edits in hash order; copy the base up to each one in bulk.
  const bw = base.words;
  let i = 0, j = 0, r = 0, o = 0;
  while (j < addCount || r < removeCount) {
    const isAdd = r >= removeCount || (j < addCount && compare(add, j, remove, r) < 0);
    const src = isAdd ? add : remove;
    const k = isAdd ? j++ : r++;
    const p = base.lowerBound(src[k * 2]!, src[k * 2 + 1]!, i);
    out.set(bw.subarray(i * 2, p * 2), o * 2);
    o += p - i;
    i = p;
    const listed = i < base.count && compare(bw, i, src, k) === 0;
    if (isAdd && !listed) {
      out[o * 2] = src[k * 2]!;
      out[o * 2 + 1] = src[k * 2 + 1]!;
      o++;
    } else if (!isAdd && listed) i++; // drop it
  }
  out.set(bw.subarray(i * 2, base.count * 2), o * 2);
  return { table: new HashTable(out, count), added, removed };
}
