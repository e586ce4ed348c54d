/**
 * The scale: a 10-million-entry deny list builds, loads from a real file and answers lookups
 * (hits, misses, deltas on top). The hashes are generated directly (test/denylist-fixtures.ts), not by
 * hashing 10M PANs; a few real PANs are mixed in through a delta so the kernel-facing path is covered
 * at this size too. Measured on the dev machine: ~4 s for the whole file under vitest; timings live in
 * bench/denylist.bench.ts, not here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenyListStore, buildDenyListFile, hashEntry, panTo5A } from '../src/denylist/index.js';
import { sortedRandomHashes } from './denylist-fixtures.js';
import { prng } from './prng.js';

const N = 10_000_000;
const salt = new Uint8Array(16).fill(0x42);
const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-10m-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('10 million entries', () => {
  const hashes = sortedRandomHashes(N, 20261127);
  const path = join(dir, 'full.sfdl');
  writeFileSync(path, buildDenyListFile({ version: 100, salt, add: hashes }));
  const store = DenyListStore.fromFile(path);

  it('loads every entry, at under 10 bytes per entry', () => {
    expect(store.size).toBe(N);
    expect(store.version).toBe(100);
    expect(store.memoryBytes / N).toBeLessThan(10);
  });

  it('finds sampled listed hashes and misses their neighbours', () => {
    const r = prng(7);
    const probe = new Uint8Array(8);
    let missedHits = 0, wrongMisses = 0, neighbours = 0;
    for (let k = 0; k < 200_000; k++) {
      const i = Math.floor(r() * N);
      const h = hashes.subarray(i * 8, i * 8 + 8);
      if (!store.hasHash(h)) missedHits++;
      // The same hash with the lowest bit flipped: listed only if it is the neighbour (checked explicitly).
      probe.set(h);
      probe[7] ^= 1;
      const j = i + ((h[7]! & 1) === 0 ? 1 : -1);
      const isNeighbour = j >= 0 && j < N && Buffer.compare(probe, hashes.subarray(j * 8, j * 8 + 8)) === 0;
      if (isNeighbour) neighbours++;
      if (store.hasHash(probe) !== isNeighbour) wrongMisses++;
    }
    expect({ missedHits, wrongMisses }).toEqual({ missedHits: 0, wrongMisses: 0 });
    expect(neighbours).toBeLessThan(100); // the misses really are misses, almost all of them
    // The extremes of the hash space.
    expect(store.hasHash(hashes.subarray(0, 8))).toBe(true);
    expect(store.hasHash(hashes.subarray((N - 1) * 8))).toBe(true);
  });

  it('a delta adds real cards and removes listed hashes on top of 10M entries', () => {
    const removed = hashes.slice(8 * 5_000_000, 8 * 5_000_003);
    const d = buildDenyListFile({ kind: 'delta', version: 101, baseVersion: 100, salt, add: [{ pan: '6228480000000000018', psn: 1 }, { pan: '6212345678901234' }], remove: removed });
    expect(store.apply(d)).toEqual({ kind: 'delta', version: 101, size: N - 1, added: 2, removed: 3, changed: true });
    const a = panTo5A('6228480000000000018');
    const b = panTo5A('6212345678901234');
    expect(store.isDenied(a, 0, a.length, 1)).toBe(true);
    expect(store.isDenied(a, 0, a.length, 2)).toBe(false);
    expect(store.isDenied(b, 0, b.length, -1)).toBe(true);
    expect(store.hasHash(removed.subarray(0, 8))).toBe(false);
    expect(store.hasHash(hashEntry(salt, '6228480000000000018', 1))).toBe(true);
    expect(store.hasHash(hashes.subarray(8 * 4_999_999, 8 * 5_000_000))).toBe(true);
    expect(store.hasHash(hashes.subarray(8 * 5_000_003, 8 * 5_000_004))).toBe(true);
  });
});
