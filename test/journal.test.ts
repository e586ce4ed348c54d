/**
 * The journal over real files (fdatasync, rename, truncate): round trip, reopen, rotation, the
 * acknowledged cursor, sealing, torn tails, damage in the middle, group commit, locking, bad input.
 * The same store contract also runs against MemoryJournal.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal, MemoryJournal, verifyJournal } from '../src/journal/index.js';
import { ShanfuError } from '../kernels/util/errors.js';
import type { JournalStore, JournalHistory, StoredEntry } from '../src/journal/types.js';
import { expectedStored, KEY, OTHER_KEY, panFor, tapEntry, TERMINAL, tempDir } from './journal-fixtures.js';

const opened: Journal[] = [];
async function openJournal(dir: string, extra: Partial<Parameters<typeof Journal.open>[0]> = {}): Promise<Journal> {
  const j = await Journal.open({ dir, key: KEY, terminalId: TERMINAL, ...extra });
  opened.push(j);
  return j;
}
afterEach(async () => {
  for (const j of opened.splice(0)) await j.close().catch(() => undefined);
});

async function appendAll(j: JournalStore, from: number, to: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = from; n <= to; n++) seqs.push(await j.append(tapEntry(n)));
  return seqs;
}

function expectIntact(j: JournalStore, stored: StoredEntry, n = stored.seq) {
  const { sealed, ...rest } = stored;
  expect(rest).toEqual(expectedStored(tapEntry(n), stored.seq));
  expect(j.unseal(stored)).toEqual(tapEntry(n).sensitive);
  if (tapEntry(n).sensitive) expect(sealed).toBeInstanceOf(Uint8Array);
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.sfj')).sort();
}

async function expectCode(p: Promise<unknown>, code: string): Promise<ShanfuError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ShanfuError);
  expect((e as ShanfuError).code).toBe(code);
  return e as ShanfuError;
}

describe.each([
  ['Journal (files)', async () => openJournal(tempDir('journal-contract'))],
  ['MemoryJournal', async () => new MemoryJournal({ key: KEY, terminalId: TERMINAL })],
] as [string, () => Promise<JournalStore & JournalHistory>][])('%s: the store contract', (_name, make) => {
  it('gives 1-based increasing seqs and returns every entry as appended, sensitive data sealed', async () => {
    const j = await make();
    expect(await appendAll(j, 1, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const pending = await j.exportPending(100);
    expect(pending.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const e of pending) expectIntact(j, e);
    expect(pending[0]).not.toHaveProperty('sensitive');
    expect(j.stats()).toMatchObject({ lastSeq: 12, ackedSeq: 0, pending: 12 });
  });

  it('exports after the acknowledged cursor, at most max; ack is monotonic and bounded', async () => {
    const j = await make();
    await appendAll(j, 1, 10);
    expect((await j.exportPending(3)).map((e) => e.seq)).toEqual([1, 2, 3]);
    await j.ack(3);
    expect((await j.exportPending(3)).map((e) => e.seq)).toEqual([4, 5, 6]);
    await j.ack(2); // lower: no-op
    expect(j.stats()).toMatchObject({ ackedSeq: 3, pending: 7 });
    await expect(j.ack(11)).rejects.toThrow(RangeError);
    await expect(j.ack(1.5)).rejects.toThrow(/seq/);
    await expect(j.exportPending(0)).rejects.toThrow(/max/);
    await j.ack(10);
    expect(await j.exportPending(5)).toEqual([]);
    expect((await j.read(9, 5)).map((e) => e.seq)).toEqual([9, 10]);
  });

  it('rejects bad entries with a TypeError naming the field and does not spend a seq on them', async () => {
    const j = await make();
    await expect(j.append({ ...tapEntry(1), terminalId: 'OTHER' })).rejects.toThrow(/entry.terminalId/);
    await expect(j.append({ ...tapEntry(1), kind: 'refund' as never })).rejects.toThrow(/entry.kind/);
    await expect(j.append({ ...tapEntry(1), time: Number.NaN })).rejects.toThrow(/entry.time/);
    await expect(j.append({ ...tapEntry(1), sensitive: { pan: '6228 4800' } })).rejects.toThrow(/entry.sensitive.pan/);
    await expect(j.append({ ...tapEntry(1), seq: 5 } as never)).rejects.toThrow(/seq/);
    await expect(j.append({ ...tapEntry(1), details: { big: new Uint8Array(2 << 20) } })).rejects.toThrow(RangeError);
    expect(await j.append(tapEntry(1))).toBe(1);
  });

  it('refuses a wrong key on unseal with journal.key, never returning garbage', async () => {
    const j = await make();
    await j.append(tapEntry(1));
    const [stored] = await j.exportPending(1);
    const other = new MemoryJournal({ key: OTHER_KEY, terminalId: TERMINAL });
    expect(() => other.unseal(stored!)).toThrow(expect.objectContaining({ code: 'journal.key' }));
  });

  it('binds a sealed blob to its record: moved to another seq or terminal it does not open', async () => {
    const j = await make();
    await appendAll(j, 1, 2);
    const [a, b] = await j.exportPending(2);
    expect(j.unseal(a!)).toEqual({ pan: panFor(1) });
    expect(() => j.unseal({ ...b!, sealed: a!.sealed })).toThrow(expect.objectContaining({ code: 'journal.key' }));
    expect(() => j.unseal({ ...a!, terminalId: 'BUS-0043' })).toThrow(expect.objectContaining({ code: 'journal.key' }));
    const flipped = Uint8Array.from(a!.sealed!);
    flipped[20] ^= 1;
    expect(() => j.unseal({ ...a!, sealed: flipped })).toThrow(expect.objectContaining({ code: 'journal.key' }));
  });

  it('rejects use after close with journal.closed', async () => {
    const j = await make();
    await j.close();
    await expectCode(j.append(tapEntry(1)), 'journal.closed');
  });
});

describe('Journal on disk', () => {
  it('keeps every record and the seq across close and reopen', async () => {
    const dir = tempDir('journal-reopen');
    const a = await openJournal(dir);
    await appendAll(a, 1, 5);
    await a.ack(2);
    await a.close();
    const b = await openJournal(dir);
    expect(b.stats()).toMatchObject({ lastSeq: 5, ackedSeq: 2, pending: 3, segments: 1 });
    expect(b.recovery).toBeUndefined();
    expect(await b.append(tapEntry(6))).toBe(6);
    const all = await b.read(1, 10);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const e of all) expectIntact(b, e);
  });

  it('never writes the clear PAN or track 2 to disk', async () => {
    const dir = tempDir('journal-clear');
    const j = await openJournal(dir);
    await appendAll(j, 1, 30);
    await j.ack(5);
    await j.close();
    const bytes = Buffer.concat(readdirSync(dir).map((n) => readFileSync(join(dir, n))));
    let withCard = 0;
    for (let n = 1; n <= 30; n++) {
      const s = tapEntry(n).sensitive;
      if (!s) continue;
      withCard++;
      expect(bytes.includes(Buffer.from(s.pan, 'latin1'))).toBe(false);
      expect(bytes.includes(Buffer.from(s.pan.slice(0, 18)))).toBe(false);
      if (s.track2) expect(bytes.includes(Buffer.from(s.track2, 'hex'))).toBe(false);
    }
    expect(withCard).toBe(20);
    // The masked PAN is meant to be in clear: the scan does find what is there.
    expect(bytes.includes(Buffer.from(tapEntry(1).maskedPan!))).toBe(true);
  });

  it('rotates at rotateBytes without reusing a seq, and reopens across segments', async () => {
    const dir = tempDir('journal-rotate');
    const j = await openJournal(dir, { rotateBytes: 2048, retainAcknowledged: true });
    await appendAll(j, 1, 60);
    const segs = segments(dir);
    expect(segs.length).toBeGreaterThan(5);
    for (const s of segs) expect(statSync(join(dir, s)).size).toBeLessThanOrEqual(2048);
    await j.close();
    const b = await openJournal(dir, { rotateBytes: 2048, retainAcknowledged: true });
    expect(b.stats()).toMatchObject({ lastSeq: 60, segments: segs.length });
    const all = await b.read(1, 100);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const e of all) expectIntact(b, e);
    expect(await verifyJournal(dir, KEY)).toMatchObject({ ok: true, entries: 60, segments: segs.length, problems: [], unsealed: 40 });
  });

  it('deletes fully acknowledged segments when it rotates, unless retainAcknowledged', async () => {
    const dir = tempDir('journal-drop');
    const j = await openJournal(dir, { rotateBytes: 2048 });
    await appendAll(j, 1, 40);
    const before = segments(dir);
    const lastOfFirst = Number(before[1]!.slice(4, 20)) - 1;
    await j.ack(lastOfFirst + 1); // the first segment fully, the second partly
    await appendAll(j, 41, 60); // rotates at least once more
    const after = segments(dir);
    expect(after[0]).toBe(before[1]);
    expect((await j.exportPending(100))[0]!.seq).toBe(lastOfFirst + 2);
    expect((await j.read(1, 1))[0]!.seq).toBe(lastOfFirst + 1); // history starts at the first retained segment
    await j.ack(60);
    await appendAll(j, 61, 80);
    await j.close();
    const b = await openJournal(dir, { rotateBytes: 2048 });
    expect(b.stats()).toMatchObject({ lastSeq: 80, ackedSeq: 60, pending: 20 });
    expect(await b.append(tapEntry(81))).toBe(81);
    expect((await verifyJournal(dir, KEY)).ok).toBe(true);
  });

  it('continues after the acknowledged seq when every segment file is gone', async () => {
    const dir = tempDir('journal-empty');
    const j = await openJournal(dir);
    await appendAll(j, 1, 7);
    await j.ack(7);
    await j.close();
    for (const s of segments(dir)) unlinkSync(join(dir, s));
    const b = await openJournal(dir);
    expect(b.stats()).toMatchObject({ lastSeq: 7, ackedSeq: 7, pending: 0 });
    expect(await b.append(tapEntry(8))).toBe(8);
  });

  it('refuses a second writer (same process or a live one) and takes over a dead one\'s lock', async () => {
    const dir = tempDir('journal-lock');
    const j = await openJournal(dir);
    await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.locked');
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`); // a live process that is not us
    await j.close();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.locked');
    expect(e.message).toContain(String(process.ppid));
    writeFileSync(join(dir, 'LOCK'), '2147483000\n'); // no such process: stale
    const b = await openJournal(dir);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8').trim()).toBe(String(process.pid));
    // Read-only tools do not need the lock.
    const ro = await Journal.openExisting(dir, { readOnly: true });
    expect(ro.terminalId).toBe(TERMINAL);
    await expectCode(ro.append(tapEntry(1)), 'journal.read-only');
    await ro.close();
    await b.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it('refuses another terminal id and a key that is not the journal\'s', async () => {
    const dir = tempDir('journal-owner');
    const j = await openJournal(dir);
    await appendAll(j, 1, 2);
    await j.close();
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: 'BUS-0043' }), 'journal.terminal');
    expect(e.message).toContain(TERMINAL);
    await expectCode(Journal.open({ dir, key: OTHER_KEY, terminalId: TERMINAL }), 'journal.key');
    const report = await verifyJournal(dir, OTHER_KEY);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.problem).join('\n')).toMatch(/not the key/);
    // The journal is untouched by the refused opens.
    expect((await verifyJournal(dir, KEY)).ok).toBe(true);
  });

  it('checks its options, naming the bad one', async () => {
    const dir = tempDir('journal-options');
    await expect(Journal.open({ dir, key: new Uint8Array(16), terminalId: TERMINAL })).rejects.toThrow(/options.key/);
    await expect(Journal.open({ dir, key: 'k' as never, terminalId: TERMINAL })).rejects.toThrow(TypeError);
    await expect(Journal.open({ dir, key: KEY, terminalId: '' })).rejects.toThrow(/options.terminalId/);
    await expect(Journal.open({ dir, key: KEY, terminalId: TERMINAL, rotateBytes: 10 })).rejects.toThrow(/options.rotateBytes/);
    await expect(Journal.open({ dir, key: KEY, terminalId: TERMINAL, groupCommitMs: -1 })).rejects.toThrow(/options.groupCommitMs/);
    await expectCode(Journal.openExisting(join(dir, 'nothing-here')), 'journal.missing');
  });

  it('group commit: concurrent appends keep call order and share fsyncs', async () => {
    const dir = tempDir('journal-group');
    const j = await openJournal(dir, { groupCommitMs: 2, rotateBytes: 8192 });
    const resolved: number[] = [];
    const seqs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        j.append(tapEntry(i + 1)).then((seq) => {
          resolved.push(seq);
          return seq;
        }),
      ),
    );
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(resolved).toEqual(seqs); // resolved in seq order
    expect(j.syncs).toBeLessThan(50); // 200 appends, a handful of batches (one per segment touched)
    await j.close();
    const b = await openJournal(dir, { rotateBytes: 8192 });
    const all = await b.read(1, 500);
    expect(all.map((e) => e.seq)).toEqual(seqs);
    for (const e of all) expectIntact(b, e);
  });

  it('fsync per append when groupCommitMs is 0 and appends are sequential', async () => {
    const j = await openJournal(tempDir('journal-sync'));
    await appendAll(j, 1, 5);
    expect(j.syncs).toBe(5);
  });

  it('close waits for queued appends', async () => {
    const dir = tempDir('journal-close');
    const j = await openJournal(dir, { groupCommitMs: 50 });
    const p = Promise.all([j.append(tapEntry(1)), j.append(tapEntry(2))]);
    await j.close();
    expect(await p).toEqual([1, 2]);
    const b = await openJournal(dir);
    expect(b.stats().lastSeq).toBe(2);
  });

  it('a failed fsync rejects the batch and every later append (journal.io); reopening keeps only durable records', async () => {
    const dir = tempDir('journal-eio');
    const j = await openJournal(dir);
    await appendAll(j, 1, 3);
    const probe = await open(join(dir, segments(dir)[0]!), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    try {
      const e = await expectCode(j.append(tapEntry(4)), 'journal.io');
      expect(e.message).toMatch(/open the journal again/);
      await expectCode(j.append(tapEntry(5)), 'journal.io');
    } finally {
      spy.mockRestore();
    }
    await j.close();
    const b = await openJournal(dir);
    expect(b.stats().lastSeq).toBe(3);
    expect(await b.append(tapEntry(4))).toBe(4);
  });
});

describe('a shipper beside the writer (Journal.openExisting: the uplink or shanfu journal export/ack)', () => {
  it('follows the writer as it appends and rotates, exports only complete records, and its acks let the writer delete', async () => {
    const dir = tempDir('journal-ship');
    const w = await openJournal(dir, { rotateBytes: 2048 });
    await appendAll(w, 1, 5);
    const ship = await Journal.openExisting(dir, { key: KEY });
    opened.push(ship);
    expect((await ship.exportPending(100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    await appendAll(w, 6, 40); // several rotations
    const pending = await ship.exportPending(100);
    expect(pending.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const e of pending) expectIntact(ship, e);
    await ship.ack(30);
    expect(ship.stats()).toMatchObject({ lastSeq: 40, ackedSeq: 30, pending: 10 });
    await appendAll(w, 41, 60); // the writer rotates, reads the cursor from disk, deletes what is acknowledged
    expect(w.stats().ackedSeq).toBe(30);
    const segs = segments(dir);
    expect(Number(segs[0]!.slice(4, 20))).toBeGreaterThan(5);
    expect((await ship.exportPending(100)).map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 31));
    await expectCode(ship.append(tapEntry(61)), 'journal.read-only');
    await ship.close();
    expect((await verifyJournal(dir, KEY)).ok).toBe(true);
  });

  it('carries on when every segment it knew was acknowledged and deleted meanwhile', async () => {
    const dir = tempDir('journal-ship-gone');
    const w = await openJournal(dir, { rotateBytes: 2048 });
    await appendAll(w, 1, 3);
    // A record larger than rotateBytes gets a segment of its own, so the next append rotates.
    await w.append({ ...tapEntry(4), details: { blob: new Uint8Array(3000) } });
    const ship = await Journal.openExisting(dir);
    opened.push(ship);
    expect((await ship.exportPending(100)).length).toBe(4);
    await ship.ack(4);
    const known = segments(dir);
    await appendAll(w, 5, 9); // rotates: every segment the shipper knew is acknowledged, so deleted
    expect(segments(dir).filter((n) => known.includes(n))).toEqual([]);
    expect((await ship.exportPending(100)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9]);
  });

  it('one shipper at a time, and a writer acks only when no other process ships', async () => {
    const dir = tempDir('journal-ship-lock');
    const w = await openJournal(dir);
    await appendAll(w, 1, 3);
    const ship = await Journal.openExisting(dir);
    await expectCode(Journal.openExisting(dir), 'journal.locked');
    await expectCode(w.ack(1), 'journal.locked'); // this process ships already, through `ship`
    await ship.close();
    writeFileSync(join(dir, 'LOCK.ship'), `${process.ppid}\n`); // another live process ships
    const e = await expectCode(w.ack(1), 'journal.locked');
    expect(e.message).toContain(`shipped by process ${process.ppid}`);
    unlinkSync(join(dir, 'LOCK.ship'));
    await w.ack(2);
    await expectCode(Journal.openExisting(dir), 'journal.locked'); // the writer ships itself now
    await w.close();
    expect(readdirSync(dir).filter((n) => n.startsWith('LOCK'))).toEqual([]);
  });

  it('treats an incomplete last record as an append in progress: not exported, not cut, exported once whole', async () => {
    const dir = tempDir('journal-ship-tail');
    const w = await openJournal(dir);
    await appendAll(w, 1, 5);
    const before = w.stats().bytes;
    await w.append(tapEntry(6));
    await w.close();
    const file = join(dir, segments(dir)[0]!);
    const whole = readFileSync(file);
    const frame6 = whole.subarray(before);
    truncateSync(file, before + 20); // record 6 half written
    writeFileSync(join(dir, 'seg-0000000000000007.sfj.tmp'), 'a rotation in progress');
    const ship = await Journal.openExisting(dir);
    opened.push(ship);
    expect((await ship.exportPending(10)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(statSync(file).size).toBe(before + 20);
    expect(existsSync(join(dir, 'seg-0000000000000007.sfj.tmp'))).toBe(true);
    appendFileSync(file, frame6.subarray(20)); // the append completes
    expect((await ship.exportPending(10)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('Journal after a crash', () => {
  /** A journal of 5 records, closed: its directory, segment file, size, and where each record ends. */
  async function fiveRecords(prefix: string): Promise<{ dir: string; file: string; size: number; ends: number[] }> {
    const dir = tempDir(prefix);
    const j = await openJournal(dir);
    const ends: number[] = [];
    for (let n = 1; n <= 5; n++) {
      await j.append(tapEntry(n));
      ends.push(j.stats().bytes);
    }
    await j.close();
    const file = join(dir, segments(dir)[0]!);
    return { dir, file, size: statSync(file).size, ends };
  }

  async function reopenKeepsFive(dir: string, file: string, size: number, reason: RegExp) {
    const before = await verifyJournal(dir, KEY);
    expect(before.ok).toBe(true);
    expect(before.entries).toBe(5);
    expect(before.tornTail?.reason).toMatch(reason);
    const j = await openJournal(dir);
    expect(j.recovery?.reason).toMatch(reason);
    expect(statSync(file).size).toBe(size);
    const all = await j.read(1, 10);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const e of all) expectIntact(j, e);
    expect(await j.append(tapEntry(6))).toBe(6);
    await j.close();
    expect(await verifyJournal(dir, KEY)).toMatchObject({ ok: true, entries: 6, problems: [] });
    expect((await verifyJournal(dir)).tornTail).toBeUndefined();
  }

  /** The frame of tapEntry(6) as the journal would write it, taken from a scratch journal. */
  async function sixthFrame(): Promise<Buffer> {
    const dir = tempDir('journal-frame');
    const j = await openJournal(dir);
    await appendAll(j, 1, 5);
    const before = j.stats().bytes;
    await j.append(tapEntry(6));
    await j.close();
    return readFileSync(join(dir, segments(dir)[0]!)).subarray(before);
  }

  it('discards a partial length prefix', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-len');
    appendFileSync(file, (await sixthFrame()).subarray(0, 3));
    await reopenKeepsFive(dir, file, size, /incomplete record header/);
  });

  it('discards a partial record (CBOR cut short)', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-cbor');
    const frame = await sixthFrame();
    appendFileSync(file, frame.subarray(0, frame.length - 20));
    await reopenKeepsFive(dir, file, size, /incomplete record/);
  });

  it('discards a whole last record with a bad checksum', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-crc');
    const frame = Buffer.from(await sixthFrame());
    frame[frame.length - 30] ^= 0x40;
    appendFileSync(file, frame);
    await reopenKeepsFive(dir, file, size, /checksum mismatch in the last record/);
  });

  it('discards a zero-filled tail (size extended before the data reached the disk)', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-zero');
    appendFileSync(file, Buffer.alloc(700));
    await reopenKeepsFive(dir, file, size, /zero-filled/);
  });

  it('repairs nothing when the open is refused (here: the wrong key)', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-refused');
    appendFileSync(file, (await sixthFrame()).subarray(0, 40));
    await expectCode(Journal.open({ dir, key: OTHER_KEY, terminalId: TERMINAL }), 'journal.key');
    expect(statSync(file).size).toBe(size + 40);
    await reopenKeepsFive(dir, file, size, /incomplete record/);
  });

  it('removes leftover temp files of an interrupted rotation (writer) or ack (shipper)', async () => {
    const { dir, file, size } = await fiveRecords('journal-torn-tmp');
    writeFileSync(join(dir, 'seg-0000000000000006.sfj.tmp'), Buffer.alloc(10));
    writeFileSync(join(dir, 'cursor.json.tmp'), '{"format":"shanfu-jou');
    const j = await openJournal(dir);
    // The cursor is the shipper's: a shipper process may be replacing it right now.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual(['cursor.json.tmp']);
    expect(statSync(file).size).toBe(size);
    expect(j.stats()).toMatchObject({ lastSeq: 5, ackedSeq: 0 });
    const ship = await Journal.openExisting(dir);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await ship.ack(3);
    expect(JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')).ackedSeq).toBe(3);
    await ship.close();
  });

  it('refuses to open over damage in the middle and names the file and offset; verify reports it', async () => {
    const { dir, file, ends } = await fiveRecords('journal-middle');
    const start2 = ends[0]!; // record 2 starts where record 1 ends
    const bytes = readFileSync(file);
    bytes[start2 + 30] ^= 0x01; // one bit in record 2's CBOR
    writeFileSync(file, bytes);
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.corrupt');
    expect(e.message).toContain(file);
    expect(e.message).toContain(`offset ${start2}`);
    expect(e.message).toMatch(/shanfu journal verify/);
    expect(statSync(file).size).toBe(bytes.length); // nothing truncated
    const report = await verifyJournal(dir, KEY);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ file, offset: start2, problem: expect.stringMatching(/checksum mismatch/) }]);
    expect(report.entries).toBe(4); // verify steps over the damaged record and checks the rest
  });

  it('refuses a damaged length in the middle (it cannot find the records after it)', async () => {
    const { dir, file, ends } = await fiveRecords('journal-middle-len');
    const bytes = readFileSync(file);
    bytes[ends[2]! + 1] ^= 0x01; // record 4's length field
    writeFileSync(file, bytes);
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.corrupt');
    expect(e.message).toContain(`offset ${ends[2]}`);
    expect((await verifyJournal(dir)).problems[0]).toMatchObject({ file, offset: ends[2], problem: expect.stringMatching(/damaged record length/) });
  });

  it('refuses a damaged segment header and a torn record in a segment that is not the last', async () => {
    const dir = tempDir('journal-middle-seg');
    const j = await openJournal(dir, { rotateBytes: 2048 });
    await appendAll(j, 1, 30);
    await j.close();
    const [first, second] = segments(dir).map((s) => join(dir, s));
    truncateSync(first!, statSync(first!).size - 5);
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.corrupt');
    expect(e.message).toContain(first!);
    const hdr = readFileSync(second!);
    hdr[13] ^= 0xff;
    writeFileSync(second!, hdr);
    const report = await verifyJournal(dir);
    expect(report.problems.map((p) => [p.file, p.problem])).toEqual([
      [first, expect.stringMatching(/not the last/)],
      [second, expect.stringMatching(/header checksum/)],
    ]);
  });

  it('refuses a cursor beyond the journal and a damaged cursor file', async () => {
    const dir = tempDir('journal-cursor');
    const j = await openJournal(dir);
    await appendAll(j, 1, 3);
    await j.close();
    writeFileSync(join(dir, 'cursor.json'), JSON.stringify({ format: 'shanfu-journal-cursor/1', ackedSeq: 9 }));
    await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.corrupt');
    writeFileSync(join(dir, 'cursor.json'), 'garbage');
    const e = await expectCode(Journal.open({ dir, key: KEY, terminalId: TERMINAL }), 'journal.corrupt');
    expect(e.message).toContain('cursor.json');
    expect((await verifyJournal(dir)).ok).toBe(false);
  });
});

describe('peekSeq (the seq read at open without decoding the record)', () => {
  it('agrees with the full CBOR decode for every integer width, and defers to it beyond 32 bits', async () => {
    const { peekSeq } = await import('../src/journal/segment.js');
    const { decodeStoredEntry, encodeStoredEntry, storedEntry } = await import('../src/journal/codec.js');
    for (const seq of [1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3]) {
      const cbor = encodeStoredEntry(storedEntry(tapEntry(1), seq, KEY));
      expect(decodeStoredEntry(cbor)!.seq).toBe(seq);
      expect(peekSeq(cbor, 0, cbor.length)).toBe(seq < 2 ** 32 ? seq : undefined);
    }
    expect(peekSeq(Uint8Array.of(0xa1, 0x63, 0x73, 0x65, 0x78, 0x01), 0, 6)).toBeUndefined(); // key "sex"
    expect(peekSeq(Uint8Array.of(0x81, 0x63, 0x73, 0x65, 0x71, 0x01), 0, 6)).toBeUndefined(); // an array
  });
});

describe('the journal key for tools', () => {
  it('takes 32 raw bytes or 64 hex digits (file or SHANFU_JOURNAL_KEY) and names the source of a bad one', async () => {
    const { loadJournalKey, parseJournalKey } = await import('../src/journal/key.js');
    const dir = tempDir('journal-key');
    const hexKey = Buffer.from(KEY).toString('hex');
    writeFileSync(join(dir, 'raw.bin'), KEY);
    writeFileSync(join(dir, 'hex.txt'), hexKey.toUpperCase() + '\n');
    writeFileSync(join(dir, 'short.txt'), hexKey.slice(2));
    expect(loadJournalKey(join(dir, 'raw.bin'), {})).toEqual(KEY);
    expect(loadJournalKey(join(dir, 'hex.txt'), {})).toEqual(KEY);
    expect(loadJournalKey(undefined, { SHANFU_JOURNAL_KEY: hexKey })).toEqual(KEY);
    expect(loadJournalKey(join(dir, 'raw.bin'), { SHANFU_JOURNAL_KEY: Buffer.from(OTHER_KEY).toString('hex') })).toEqual(KEY); // the file wins
    expect(loadJournalKey(undefined, {})).toBeUndefined();
    expect(() => loadJournalKey(join(dir, 'short.txt'), {})).toThrow(expect.objectContaining({ code: 'journal.key', message: expect.stringContaining('short.txt') }));
    expect(() => loadJournalKey(join(dir, 'missing'), {})).toThrow(expect.objectContaining({ code: 'journal.key', message: expect.stringMatching(/cannot read the key file .*ENOENT/) }));
    expect(() => parseJournalKey('zz'.repeat(32), 'SHANFU_JOURNAL_KEY')).toThrow(/SHANFU_JOURNAL_KEY is not a journal key/);
  });
});
