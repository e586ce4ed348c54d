import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenyListStore } from './store.js';
import { buildDenyListFile } from './build.js';
import { watchDenyListFile } from './watch.js';
import { panTo5A } from './entry-hash.js';
import type { ApplyResult } from './store.js';

const PAN_A = '6228480000000000018';
const PAN_B = '6228480000000000224';
const denied = (store: DenyListStore, pan: string) => {
  const b = panTo5A(pan);
  return store.isDenied(b, 0, b.length, 1);
};
/** Resolves with the next call of the returned callback, or rejects after 5 s. */
function next<T>(): { fn: (v: T) => void; wait: Promise<T> } {
  let fn!: (v: T) => void;
  const wait = new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no callback within 5 s')), 5000);
    fn = (v) => {
      clearTimeout(t);
      resolve(v);
    };
  });
  return { fn, wait };
}

describe('watchDenyListFile', () => {
  it('applies a newer list written atomically by another process; rejects a damaged one and keeps the list in force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-deny-watch-'));
    const file = join(dir, 'denylist.bin');
    const salt = new Uint8Array(16).fill(7);
    writeFileSync(file, buildDenyListFile({ version: 1, salt, add: [{ pan: PAN_A }] }));
    const store = DenyListStore.fromFile(file);
    expect([denied(store, PAN_A), denied(store, PAN_B)]).toEqual([true, false]);

    let applied = next<ApplyResult>();
    let rejected = next<Error>();
    const stop = watchDenyListFile(store, file, { onApplied: (r) => applied.fn(r), onRejected: (e) => rejected.fn(e), settleMs: 20 });
    try {
      // Version 2, the way the uplink's sink writes it: a temporary file renamed over the old one.
      const v2 = DenyListStore.fromBytes(buildDenyListFile({ version: 2, salt, add: [{ pan: PAN_A }, { pan: PAN_B }] }));
      v2.save(file);
      expect(await applied.wait).toMatchObject({ kind: 'full', version: 2, changed: true });
      expect([store.version, denied(store, PAN_B)]).toEqual([2, true]);

      // A damaged file (one flipped byte): reported, and version 2 stays in force.
      const bad = buildDenyListFile({ version: 3, salt, add: [{ pan: PAN_A }] });
      bad[bad.length - 1]! ^= 1;
      writeFileSync(join(dir, 'tmp'), bad);
      renameSync(join(dir, 'tmp'), file);
      expect((await rejected.wait).message).toMatch(/checksum|corrupt|damaged/i);
      expect([store.version, denied(store, PAN_B)]).toEqual([2, true]);

      // An older list is refused too.
      rejected = next<Error>();
      writeFileSync(join(dir, 'tmp'), buildDenyListFile({ version: 1, salt, add: [] }));
      renameSync(join(dir, 'tmp'), file);
      expect((await rejected.wait).message).toMatch(/older/);
      expect(store.version).toBe(2);
    } finally {
      stop();
    }
  });
});
