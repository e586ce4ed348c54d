import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShanfuError } from '../../kernels/util/errors.js';
import { fromHex } from '../../kernels/util/hex.js';
import { buildDenyListFile, type DenyEntry } from './build.js';
import { hashEntry, panTo5A } from './entry-hash.js';
import { CHECKSUM_LENGTH, HEADER_LENGTH, checksumOf } from './file-format.js';
import { inspectDenyListFile } from './inspect.js';
import { DenyListStore } from './store.js';

const salt = fromHex('5A17000000000000000000000000C0DE');
const otherSalt = fromHex('00000000000000000000000000000001');
const PAN_A = '6228480000000000018'; // 19 digits (odd): 5A is F-padded
const PAN_B = '6212345678901234';
const PAN_C = '621234567890123';
const full = (version: number, add: DenyEntry[], s = salt) => buildDenyListFile({ version, salt: s, add });
const delta = (baseVersion: number, version: number, add: DenyEntry[], remove: DenyEntry[] = [], s = salt) =>
  buildDenyListFile({ kind: 'delta', version, baseVersion, salt: s, add, remove });

/** The kernel's call: PAN in 5A form, psn = 5F34 byte or -1. */
function denied(store: DenyListStore, pan: string, psn: number): boolean {
  const b = panTo5A(pan);
  return store.isDenied(b, 0, b.length, psn);
}

/** A fingerprint of what the store answers, to show a failed update changed nothing. */
function answers(store: DenyListStore): string {
  const cards: [string, number][] = [[PAN_A, 1], [PAN_A, 2], [PAN_A, -1], [PAN_B, 0], [PAN_B, -1], [PAN_C, 3], [PAN_C, -1]];
  return `v${store.version} n${store.size} ` + cards.map(([p, s]) => (denied(store, p, s) ? 1 : 0)).join('');
}

function expectShanfu(fn: () => unknown, code: string, message?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ShanfuError ${code}`).toBeInstanceOf(ShanfuError);
  expect((err as ShanfuError).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('DenyListStore lookups (PAN + PSN)', () => {
  const store = DenyListStore.fromBytes(full(1, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B, psn: '00' }, { pan: PAN_C }]));

  it('an exact-PSN entry matches only that PSN', () => {
    expect(denied(store, PAN_A, 0x01)).toBe(true);
    expect(denied(store, PAN_A, 0x02)).toBe(false);
    expect(denied(store, PAN_A, -1)).toBe(false);
  });

  it('a card without 5F34 (psn -1) is looked up as PSN 00', () => {
    expect(denied(store, PAN_B, -1)).toBe(true);
    expect(denied(store, PAN_B, 0x00)).toBe(true);
    expect(denied(store, PAN_B, 0x01)).toBe(false);
  });

  it('an "any PSN" entry matches every PSN and a card without one', () => {
    for (const psn of [-1, 0x00, 0x01, 0x10, 0x99, 0xff]) expect(denied(store, PAN_C, psn), `psn ${psn}`).toBe(true);
  });

  it('other PANs miss, including a prefix or extension of a listed one', () => {
    expect(denied(store, '6228480000000000026', 1)).toBe(false);
    expect(denied(store, PAN_A.slice(0, 18), 1)).toBe(false);
    expect(denied(store, PAN_B + '5', 0)).toBe(false);
    // PAN_B is PAN_C + one digit: PAN_C's any-PSN entry does not cover it, and PAN_B is listed for 00 only.
    expect(PAN_B.startsWith(PAN_C)).toBe(true);
    expect(denied(store, PAN_B, 3)).toBe(false);
  });

  it('never throws on odd kernel input: PSN out of range, empty PAN, garbage nibbles', () => {
    const a = panTo5A(PAN_A);
    expect(store.isDenied(a, 0, a.length, 300)).toBe(false);
    expect(store.isDenied(a, 0, a.length, Number.NaN)).toBe(false);
    expect(store.isDenied(a, 0, 0, 1)).toBe(false);
    expect(store.isDenied(fromHex('ABCDEF'), 0, 3, 1)).toBe(false);
    expect(store.isDenied(a, 5, 20, 1)).toBe(false);
  });

  it('hasHash answers for the file form of a hash', () => {
    expect(store.hasHash(hashEntry(salt, PAN_A, 1))).toBe(true);
    expect(store.hasHash(hashEntry(salt, PAN_A, 2))).toBe(false);
    expect(store.hasHash(hashEntry(otherSalt, PAN_A, 1))).toBe(false);
  });

  it('size, version, salt, memoryBytes', () => {
    expect(store.size).toBe(3);
    expect(store.version).toBe(1);
    expect(store.salt).toEqual(salt);
    expect(store.memoryBytes).toBeGreaterThanOrEqual(3 * 8);
  });

  it('the empty store denies nothing', () => {
    const e = DenyListStore.empty();
    expect([e.version, e.size, e.salt]).toEqual([0, 0, null]);
    expect(denied(e, PAN_A, 1)).toBe(false);
  });
});

describe('updates: full, deltas, versions', () => {
  it('a delta chain adds and removes; counts say what changed', () => {
    const s = DenyListStore.fromBytes(full(1, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B }]));
    expect(s.apply(delta(1, 2, [{ pan: PAN_C, psn: 3 }, { pan: PAN_A, psn: 1 }], [{ pan: PAN_B }]))).toEqual({
      kind: 'delta', version: 2, size: 2, added: 1, removed: 1, changed: true,
    });
    expect(denied(s, PAN_C, 3)).toBe(true);
    expect(denied(s, PAN_B, 5)).toBe(false);
    // Removing an entry that is not listed is a no-op (the delta's intent is already the state).
    expect(s.apply(delta(2, 7, [{ pan: PAN_B, psn: 9 }], [{ pan: PAN_A, psn: 1 }, { pan: '4000000000000002', psn: 0 }]))).toEqual({
      kind: 'delta', version: 7, size: 2, added: 1, removed: 1, changed: true,
    });
    expect(answers(s)).toBe('v7 n2 0000010');
    expect(denied(s, PAN_B, 9)).toBe(true);
    expect(denied(s, PAN_C, 3)).toBe(true);
    // The state after the chain equals a full list of the same entries, byte for byte once saved.
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-'));
    s.save(join(dir, 'list.sfdl'));
    expect(new Uint8Array(readFileSync(join(dir, 'list.sfdl')))).toEqual(full(7, [{ pan: PAN_B, psn: 9 }, { pan: PAN_C, psn: 3 }]));
  });

  it('a delta for another base version is refused and the list in force stays', () => {
    const s = DenyListStore.fromBytes(full(3, [{ pan: PAN_A, psn: 1 }]));
    const before = answers(s);
    expectShanfu(() => s.apply(delta(2, 4, [{ pan: PAN_B }])), 'denylist.version', /version 3/);
    expectShanfu(() => s.apply(delta(4, 5, [{ pan: PAN_B }])), 'denylist.version');
    expect(answers(s)).toBe(before);
  });

  it('a delta with another salt is refused (its hashes would never match)', () => {
    const s = DenyListStore.fromBytes(full(1, [{ pan: PAN_A, psn: 1 }]));
    expectShanfu(() => s.apply(delta(1, 2, [{ pan: PAN_B }], [], otherSalt)), 'denylist.salt');
    expect(s.version).toBe(1);
  });

  it('a delta from version 0 builds a list on the empty store', () => {
    const s = DenyListStore.empty();
    s.apply(delta(0, 1, [{ pan: PAN_B }], [], otherSalt));
    expect(denied(s, PAN_B, 4)).toBe(true);
    expect(s.salt).toEqual(otherSalt);
  });

  it('full lists: a newer one replaces (salt may change); an older one is refused; the same one is a no-op', () => {
    const s = DenyListStore.fromBytes(full(5, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B }]));
    expectShanfu(() => s.apply(full(4, [{ pan: PAN_C }])), 'denylist.version', /older/);
    expect(s.apply(full(5, [{ pan: PAN_B }, { pan: PAN_A, psn: 1 }]))).toMatchObject({ changed: false, version: 5, size: 2 });
    expectShanfu(() => s.apply(full(5, [{ pan: PAN_C }])), 'denylist.version', /same version/);
    expect(s.apply(full(6, [{ pan: PAN_B }, { pan: PAN_C }]))).toEqual({ kind: 'full', version: 6, size: 2, added: 1, removed: 1, changed: true });
    expect(s.apply(full(8, [{ pan: PAN_A, psn: 2 }], otherSalt))).toEqual({ kind: 'full', version: 8, size: 1, added: 1, removed: 2, changed: true });
    expect(answers(s)).toBe('v8 n1 0100000');
    expect(denied(s, PAN_A, 2)).toBe(true);
  });
});

describe('damaged files: a clear ShanfuError and the old list intact', () => {
  const good = () => DenyListStore.fromBytes(full(2, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B }]));
  const update = delta(2, 3, [{ pan: PAN_C }], [{ pan: PAN_A, psn: 1 }]);
  const reseal = (b: Uint8Array) => {
    b.set(checksumOf(b, b.length - CHECKSUM_LENGTH), b.length - CHECKSUM_LENGTH);
    return b;
  };

  it('every truncation of a delta is refused as corrupt', () => {
    const s = good();
    const before = answers(s);
    for (let n = 0; n < update.length; n++) expectShanfu(() => s.apply(update.subarray(0, n)), 'denylist.corrupt');
    expectShanfu(() => s.apply(update.subarray(0, update.length - 1)), 'denylist.corrupt', /truncated/);
    expect(answers(s)).toBe(before);
    // …and the intact file still applies afterwards.
    s.apply(update);
    expect(answers(s)).toBe('v3 n2 0001111');
  });

  it('any flipped bit fails the checksum', () => {
    const s = good();
    const before = answers(s);
    for (let i = 0; i < update.length; i++) {
      const b = update.slice();
      b[i] ^= 0x01;
      expect(() => s.apply(b), `byte ${i}`).toThrow(ShanfuError);
    }
    const b = update.slice();
    b[HEADER_LENGTH + 3] ^= 0x80;
    expectShanfu(() => s.apply(b), 'denylist.corrupt', /checksum/);
    expect(answers(s)).toBe(before);
  });

  it('structural faults with a valid checksum: unsorted, duplicate, add ∩ remove, reserved bits, bad kind, trailing bytes', () => {
    const s = good();
    const before = answers(s);
    const list = full(9, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B }, { pan: PAN_C }]);
    const swapped = list.slice();
    swapped.set(list.subarray(HEADER_LENGTH, HEADER_LENGTH + 8), HEADER_LENGTH + 8);
    swapped.set(list.subarray(HEADER_LENGTH + 8, HEADER_LENGTH + 16), HEADER_LENGTH);
    expectShanfu(() => s.apply(reseal(swapped)), 'denylist.corrupt', /sorted and unique/);
    const dup = list.slice();
    dup.copyWithin(HEADER_LENGTH + 8, HEADER_LENGTH, HEADER_LENGTH + 8);
    expectShanfu(() => s.apply(reseal(dup)), 'denylist.corrupt', /sorted and unique/);
    // A delta adding and removing the same hash: build add X remove Y, then overwrite Y with X.
    const d = delta(2, 3, [{ pan: PAN_C }], [{ pan: PAN_A, psn: 1 }]).slice();
    d.copyWithin(HEADER_LENGTH + 8, HEADER_LENGTH, HEADER_LENGTH + 8);
    expectShanfu(() => s.apply(reseal(d)), 'denylist.corrupt', /both adds and removes/);
    const reserved = list.slice();
    reserved[7] = 1;
    expectShanfu(() => s.apply(reseal(reserved)), 'denylist.corrupt', /reserved/);
    const kind = list.slice();
    kind[5] = 3;
    expectShanfu(() => s.apply(reseal(kind)), 'denylist.corrupt', /kind 3/);
    expectShanfu(() => s.apply(new Uint8Array([...list, 0])), 'denylist.corrupt', /trailing/);
    expect(answers(s)).toBe(before);
  });

  it('not a deny list, or a newer format: distinct errors', () => {
    const s = good();
    expectShanfu(() => s.apply(new TextEncoder().encode('PAN,PSN\n6212345678901234,01\n'.repeat(4))), 'denylist.corrupt', /magic/);
    const v2 = full(9, []).slice();
    v2[4] = 2;
    expectShanfu(() => s.apply(reseal(v2)), 'denylist.format', /format version 2/);
    expect(() => s.apply('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(s.version).toBe(2);
  });

  it('apply never modifies the caller\'s bytes (Uint8Array or Buffer)', () => {
    const s = DenyListStore.empty();
    const bytes = full(1, [{ pan: PAN_A, psn: 1 }, { pan: PAN_B }]);
    const copy = bytes.slice();
    const buf = Buffer.from(bytes);
    s.apply(bytes);
    DenyListStore.fromBytes(buf);
    expect(bytes).toEqual(copy);
    expect(new Uint8Array(buf)).toEqual(copy);
  });
});

describe('files on disk', () => {
  it('save → fromFile round trip; atomic (no temp file left); info reads the saved file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-'));
    const path = join(dir, 'deny.sfdl');
    const s = DenyListStore.fromBytes(full(4, [{ pan: PAN_A, psn: 1 }, { pan: PAN_C }]));
    s.save(path);
    s.apply(delta(4, 5, [{ pan: PAN_B, psn: 0 }]));
    s.save(path); // replaces the old file
    expect(readdirSync(dir)).toEqual(['deny.sfdl']);
    const t = DenyListStore.fromFile(path);
    expect(answers(t)).toBe(answers(s));
    expect(inspectDenyListFile(readFileSync(path))).toMatchObject({ kind: 'full', version: 5, added: 3, removed: 0, checksumOk: true });
    // applyFile: a delta from disk.
    writeFileSync(join(dir, 'd6'), delta(5, 6, [], [{ pan: PAN_C }]));
    expect(t.applyFile(join(dir, 'd6'))).toMatchObject({ version: 6, size: 2, removed: 1 });
  });

  it('IO faults are ShanfuError denylist.io and lose nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-'));
    expectShanfu(() => DenyListStore.fromFile(join(dir, 'missing.sfdl')), 'denylist.io', /missing\.sfdl/);
    const s = DenyListStore.fromBytes(full(1, [{ pan: PAN_A, psn: 1 }]));
    expectShanfu(() => s.save(join(dir, 'no-such-dir', 'x.sfdl')), 'denylist.io');
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    expectShanfu(() => DenyListStore.empty().save(join(dir, 'x')), 'denylist.version', /nothing to save/);
    expect(denied(s, PAN_A, 1)).toBe(true);
  });
});

describe('buildDenyListFile', () => {
  it('sorts and de-duplicates entries and raw hashes; the same entries give the same file', () => {
    const a = full(1, [{ pan: PAN_C }, { pan: PAN_A, psn: 1 }, { pan: PAN_A, psn: '01' }, { pan: PAN_B }]);
    const b = full(1, [{ pan: PAN_B }, { pan: PAN_A, psn: 1 }, { pan: PAN_C }]);
    expect(a).toEqual(b);
    const raw = new Uint8Array([...hashEntry(salt, PAN_C), ...hashEntry(salt, PAN_A, 1), ...hashEntry(salt, PAN_B), ...hashEntry(salt, PAN_C)]);
    expect(buildDenyListFile({ version: 1, salt, add: raw })).toEqual(b);
    expect(inspectDenyListFile(b)).toMatchObject({ added: 3, version: 1, kind: 'full', checksumOk: true });
  });

  it('a full list gets a random salt unless given one', () => {
    const x = inspectDenyListFile(buildDenyListFile({ version: 1, add: [{ pan: PAN_A }] })).salt;
    const y = inspectDenyListFile(buildDenyListFile({ version: 1, add: [{ pan: PAN_A }] })).salt;
    expect(x).not.toBe(y);
  });

  it('bad arguments are RangeError/TypeError naming them', () => {
    expect(() => buildDenyListFile({ version: 0, salt })).toThrow(/version: expected an integer 1/);
    expect(() => buildDenyListFile({ version: 2 ** 32, salt })).toThrow(/version/);
    expect(() => buildDenyListFile({ version: 2, kind: 'delta', baseVersion: 1 })).toThrow(/salt: a delta must carry/);
    expect(() => buildDenyListFile({ version: 2, kind: 'delta', baseVersion: 2, salt })).toThrow(/baseVersion: 2 must be below/);
    expect(() => buildDenyListFile({ version: 2, salt, remove: [{ pan: PAN_A }] })).toThrow(/remove: a full list/);
    expect(() => buildDenyListFile({ version: 2, salt, baseVersion: 1 })).toThrow(/baseVersion: only a delta/);
    expect(() => delta(1, 2, [{ pan: PAN_A, psn: 1 }], [{ pan: PAN_A, psn: '01' }])).toThrow(/both added and removed/);
    expect(() => buildDenyListFile({ version: 1, salt, add: new Uint8Array(12) })).toThrow(/8 bytes each/);
    expect(() => full(1, [{ pan: '62x' }])).toThrow(/add\[0\]\.pan/);
    expect(() => full(1, [{ pan: PAN_A }, { pan: PAN_B, psn: 123 }])).toThrow(/add\[1\]\.psn/);
    expect(() => buildDenyListFile({ version: 1, kind: 'partial' as 'full', salt })).toThrow(/kind/);
  });
});

describe('memory', () => {
  it('a small list read from disk does not pin Node\'s shared Buffer pool (memoryBytes stays small)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-'));
    writeFileSync(join(dir, 'small.sfdl'), full(1, [{ pan: PAN_A, psn: 1 }]));
    const s = DenyListStore.fromFile(join(dir, 'small.sfdl'));
    expect(s.memoryBytes).toBeLessThan(64);
  });
});
