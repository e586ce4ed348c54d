/**
 * `shanfu journal` as an operator runs it (the CLI from source, in a child process): export as JSON
 * lines and as a CBOR sequence, unseal with a key file or the environment, ack, verify (exit 0/1),
 * stats, and exit 2 with a message for unusable input.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMultiple } from 'cbor-x';
import { Journal } from '../src/journal/index.js';
import { command } from '../src/cli/commands/journal.js';
import { KEY, OTHER_KEY, panFor, tapEntry, TERMINAL, tempDir } from './journal-fixtures.js';

const shanfu = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'journal', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, SHANFU_JOURNAL_KEY: '', ...env },
  });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let dir: string;
beforeEach(async () => {
  dir = tempDir('journal-cli');
  const j = await Journal.open({ dir, key: KEY, terminalId: TERMINAL });
  for (let n = 1; n <= 10; n++) await j.append(tapEntry(n));
  await j.close();
});

describe('shanfu journal', () => {
  it('exports pending records as JSON lines, sealed data as hex, then acks and exports the rest', () => {
    const r = shanfu(['export', '--dir', dir, '--json', '--max', '3']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(lines[0]).toMatchObject({ kind: 'tap', terminalId: TERMINAL, amount: tapEntry(1).amount, sealed: expect.stringMatching(/^[0-9a-f]+$/) });
    expect(r.stdout).not.toContain(panFor(1));
    expect(r.stderr).toContain(`shanfu journal ack --dir ${dir} --seq 3`);

    expect(shanfu(['ack', '--dir', dir, '--seq', '3']).stdout).toMatch(/acknowledged up to seq 3; 7 pending/);
    const rest = shanfu(['export', '--dir', dir, '--json']);
    expect(rest.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);

    const bad = shanfu(['ack', '--dir', dir, '--seq', '11']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/seq 11 is beyond the last durable record \(10\)/);
    const stats = shanfu(['stats', '--dir', dir, '--json']);
    expect(JSON.parse(stats.stdout)).toEqual({ terminalId: TERMINAL, lastSeq: 10, ackedSeq: 3, pending: 7, segments: 1, bytes: expect.any(Number) });
  });

  it('exports a CBOR sequence to --out that any CBOR decoder reads; --unseal with a key file gives the card data', async () => {
    const out = join(dir, '..', `${dir.split('/').pop()}-export.cbor`);
    const r = shanfu(['export', '--dir', dir, '--out', out]);
    expect(r.status).toBe(0);
    const records = decodeMultiple(readFileSync(out)) as Record<string, unknown>[];
    expect(records.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const j = await Journal.openExisting(dir, { key: KEY, readOnly: true });
    const stored = await j.read(1, 10);
    await j.close();
    expect(records.map((x) => hex(x.sealed as Uint8Array ?? new Uint8Array()))).toEqual(stored.map((s) => hex(s.sealed ?? new Uint8Array())));

    const keyFile = join(dir, '..', `${dir.split('/').pop()}-key.bin`);
    writeFileSync(keyFile, KEY); // 32 raw bytes
    const u = shanfu(['export', '--dir', dir, '--json', '--unseal', '--key-file', keyFile, '--max', '2']);
    expect(u.status).toBe(0);
    const [one, two] = u.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(one).toMatchObject({ seq: 1, sensitive: { pan: panFor(1) } });
    expect(one).not.toHaveProperty('sealed');
    expect(two).toMatchObject({ seq: 2, sensitive: tapEntry(2).sensitive });
  });

  it('refuses a wrong key (journal.key) and --unseal without a key; exports beside a running terminal, not beside another shipper', async () => {
    const wrong = shanfu(['export', '--dir', dir, '--json', '--unseal'], { SHANFU_JOURNAL_KEY: hex(OTHER_KEY) });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/not the key .* was written with.*\[journal\.key\]/s);
    expect(wrong.stdout).toBe('');
    const none = shanfu(['export', '--dir', dir, '--json', '--unseal']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--unseal needs the key/);

    // Beside a running terminal: export ships (and sees its latest append); a second shipper is refused.
    const live = await Journal.open({ dir, key: KEY, terminalId: TERMINAL });
    try {
      await live.append(tapEntry(11));
      const beside = shanfu(['export', '--dir', dir, '--json']);
      expect(beside.status).toBe(0);
      expect(beside.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      await live.ack(1); // the terminal ships itself now (an in-process uplink)
      const locked = shanfu(['export', '--dir', dir, '--json']);
      expect(locked.status).toBe(2);
      expect(locked.stderr).toMatch(new RegExp(`shipped by process ${process.pid}.*\\[journal\\.locked\\]`, 's'));
      expect(shanfu(['stats', '--dir', dir]).stdout).toMatch(/last seq\s+11/); // read-only: no lock needed
    } finally {
      await live.close();
    }
  });

  it('verify: exit 0 with the count (and unsealed blobs with a key), exit 1 naming file and offset of damage', () => {
    const ok = shanfu(['verify', '--dir', dir], { SHANFU_JOURNAL_KEY: hex(KEY) });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 10 records in 1 segment\nsealed card data decrypted: 7/);
    const seg = join(dir, readdirSync(dir).find((n) => n.endsWith('.sfj'))!);
    const bytes = readFileSync(seg);
    bytes[200] ^= 0x10;
    writeFileSync(seg, bytes);
    const bad = shanfu(['verify', '--dir', dir, '--json']);
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ file: seg, offset: expect.any(Number), problem: expect.stringMatching(/checksum/) });
    const open = shanfu(['export', '--dir', dir, '--json']);
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/\[journal\.corrupt\]/);
  });

  it('rejects unusable input with exit 2 and the usage', () => {
    const r = shanfu(['export', '--dir', dir, '--max', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--max must be an integer ≥ 1, got 'x'\n\nusage: shanfu journal/);
  });

  it('names the problem of each unusable command line (in process: the same command module main runs)', async () => {
    for (const [args, message] of [
      [[], /a subcommand is required/],
      [['frobnicate', '--dir', dir], /unknown subcommand 'frobnicate'/],
      [['export'], /--dir D is required/],
      [['ack', '--dir', dir], /--seq N is required/],
      [['ack', '--dir', dir, '--seq', '-1'], /--seq must be an integer ≥ 0/],
      [['stats', '--dir', dir, '--seq', '1'], /does not take --seq/],
      [['verify', '--dir', dir, 'extra'], /unexpected argument 'extra'/],
    ] as [string[], RegExp][])
      await expect(command.run(args), args.join(' ')).rejects.toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(message) }));
    await expect(command.run(['stats', '--dir', join(dir, 'nope')])).rejects.toThrow(expect.objectContaining({ code: 'journal.missing', message: expect.stringMatching(/no journal directory/) }));
    const saved = process.env.SHANFU_JOURNAL_KEY;
    process.env.SHANFU_JOURNAL_KEY = 'abcd';
    try {
      await expect(command.run(['verify', '--dir', dir])).rejects.toThrow(expect.objectContaining({ code: 'journal.key', message: expect.stringMatching(/SHANFU_JOURNAL_KEY is not a journal key/) }));
    } finally {
      if (saved === undefined) delete process.env.SHANFU_JOURNAL_KEY;
      else process.env.SHANFU_JOURNAL_KEY = saved;
    }
  });
});
