/**
 * Deny-list benchmark at the scale: 10 million entries (hashes generated directly, see
 * test/denylist-fixtures.ts) plus 65 536 real cards added by a delta.
 *
 *   npm run bench -- denylist
 *
 * Prints the memory per entry (the store's own count and the process's ArrayBuffer growth) and
 * then, per case: loading the 10M file from disk (fromFile: read + SHA-256 checksum + byte swap +
 * sort check + bucket index), applying a 1000-entry delta to it, and lookups as the kernel makes
 * them (isDenied on a PAN in 5A form: hit, and miss = two salted SHA-256 + two table probes), plus
 * the bare table probe (hasHash) for comparison. bytes/op of the lookups must be 0.00.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DenyListStore, buildDenyListFile, panTo5A, type DenyEntry } from '../src/denylist/index.js';
import { sortedRandomHashes } from '../test/denylist-fixtures.js';
import { prng } from '../test/prng.js';
import type { Suite } from './harness.js';

const N = 10_000_000;
const CARDS = 65536;
/** Table-only probes: 1M random listed hashes (8 MB), so most probes miss the CPU caches as a random tap would. */
const PROBES = 1 << 20;
const gc = (globalThis as { gc?: () => void }).gc;

/** Full GCs with pauses between: V8 frees ArrayBuffer backing stores after the GC, not inside it. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1) + ' MB';
}

export async function register(add: (s: Suite) => void): Promise<void> {
  const salt = new Uint8Array(16).fill(0x5a);
  const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let t = performance.now();
  const hashes = sortedRandomHashes(N, 1);
  const fullBytes = buildDenyListFile({ version: 1, salt, add: hashes });
  const path = join(dir, 'full.sfdl');
  writeFileSync(path, fullBytes);
  const buildMs = performance.now() - t;

  // Memory: ArrayBuffer growth across one load, after GC on both sides (the file buffer becomes the table).
  await settle();
  const ab0 = process.memoryUsage().arrayBuffers;
  t = performance.now();
  const store = DenyListStore.fromFile(path);
  const firstLoadMs = performance.now() - t;
  await settle();
  const ab1 = process.memoryUsage().arrayBuffers;

  // 65 536 real cards on the list (half with their PSN, half "any PSN") and 65 536 others, as 5A PANs
  // in one buffer (10 bytes each): enough distinct cards that the lookups are not served from a warm cache.
  const listed = new Uint8Array(CARDS * 10), unlisted = new Uint8Array(CARDS * 10);
  const listedPsn = new Int16Array(CARDS), unlistedPsn = new Int16Array(CARDS);
  const entries: DenyEntry[] = [];
  const r = prng(2);
  for (let i = 0; i < CARDS; i++) {
    const digits = String(Math.floor(r() * 1e13)).padStart(13, '0');
    const psn = i % 10;
    entries.push(i % 2 === 0 ? { pan: `622848${digits}`, psn } : { pan: `622848${digits}` });
    listed.set(panTo5A(`622848${digits}`), i * 10);
    listedPsn[i] = psn;
    unlisted.set(panTo5A(`621700${digits}`), i * 10);
    unlistedPsn[i] = i % 3 === 0 ? -1 : psn;
  }
  t = performance.now();
  store.apply(buildDenyListFile({ kind: 'delta', version: 2, baseVersion: 1, salt, add: entries }));
  const cardsDeltaMs = performance.now() - t;

  const perEntry = store.memoryBytes / store.size;
  console.log(
    `denylist: ${store.size.toLocaleString('en-US')} entries; file ${mb(fullBytes.length)} built in ${buildMs.toFixed(0)} ms; ` +
      `first load ${firstLoadMs.toFixed(0)} ms; memoryBytes ${mb(store.memoryBytes)} = ${perEntry.toFixed(2)} B/entry ` +
      `(8 hashes + ${(perEntry - 8).toFixed(2)} index); ArrayBuffer growth over the load ${gc ? mb(ab1 - ab0) + ' = ' + ((ab1 - ab0) / N).toFixed(2) + ' B/entry' : 'n/a (no --expose-gc)'}; ` +
      `${CARDS}-card delta on 10M applied in ${cardsDeltaMs.toFixed(0)} ms\n`,
  );

  // 1000-entry deltas (500 added, 500 removed) on a 10M list, chained: each op applies version v → v+1,
  // alternately adding A / removing R and the reverse, so the size stays 10M. Building one such delta
  // takes ~0.1 ms, under 1% of the op (the 10M merge).
  const removeHashes = hashes.slice(0, 500 * 8);
  const addHashes = sortedRandomHashes(500, 3);
  const chained = DenyListStore.fromFile(path);
  const nextDelta = (): Uint8Array => {
    const v = chained.version;
    const odd = v % 2 === 1;
    return buildDenyListFile({ kind: 'delta', version: v + 1, baseVersion: v, salt, add: odd ? addHashes : removeHashes, remove: odd ? removeHashes : addHashes });
  };
  const probes = new Uint8Array(PROBES * 8);
  const pr = prng(4);
  for (let i = 0; i < PROBES; i++) probes.set(hashes.subarray(Math.floor(pr() * N) * 8).subarray(0, 8), i * 8);
  // Independent draws: all misses but for a ~1e-6 chance. Shuffled, so consecutive probes hit unrelated buckets.
  const missProbes = sortedRandomHashes(PROBES, 5);
  for (let i = PROBES - 1; i > 0; i--) {
    const j = Math.floor(pr() * (i + 1));
    const t8 = missProbes.slice(i * 8, i * 8 + 8);
    missProbes.copyWithin(i * 8, j * 8, j * 8 + 8);
    missProbes.set(t8, j * 8);
  }

  add({
    name: 'denylist-load',
    description: `${N.toLocaleString('en-US')}-entry list: load from a file, apply a delta (one op = the whole operation)`,
    cases: [
      { name: 'fromFile (10M entries)', fn: () => DenyListStore.fromFile(path).size },
      { name: 'fromBytes (10M, bytes in memory, copied)', fn: () => DenyListStore.fromBytes(fullBytes).size },
      { name: 'apply delta +500 −500 to 10M', fn: () => chained.apply(nextDelta()).size },
    ],
  });
  add({
    name: 'denylist-lookup',
    description: `isDenied(PAN 5A, PSN) on the ${store.size.toLocaleString('en-US')}-entry list, as the kernel calls it`,
    reference: 'isDenied hit (½ exact PSN, ½ any-PSN)',
    cases: [
      { name: 'isDenied hit (½ exact PSN, ½ any-PSN)', cycle: CARDS, fn: (i) => (store.isDenied(listed, (i % CARDS) * 10, 10, listedPsn[i % CARDS]!) ? 1 : 0) },
      { name: 'isDenied miss (2 hashes)', cycle: CARDS, fn: (i) => (store.isDenied(unlisted, (i % CARDS) * 10, 10, unlistedPsn[i % CARDS]!) ? 1 : 0) },
      { name: 'hasHash hit (table only, 1M probes)', cycle: PROBES, fn: (i) => (store.hasHash(probes, (i % PROBES) * 8) ? 1 : 0) },
      { name: 'hasHash miss (table only, 1M probes)', cycle: PROBES, fn: (i) => (store.hasHash(missProbes, (i % PROBES) * 8) ? 1 : 0) },
    ],
  });
}
