/**
 * `shanfu validate` as a user runs it (the CLI from source, in a child process): the loop on virtual
 * cards, one line / JSON object per event, the durable journal with --journal/--key-file, and bad
 * input exiting 2 with the problem named.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Journal } from '../src/journal/index.js';
import { DenyListStore, buildDenyListFile } from '../src/denylist/index.js';
import { command } from '../src/cli/commands/validate.js';

const shanfu = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'validate', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('shanfu validate', () => {
  it('--denylist: a newer list renamed over the file while the loop runs applies to the next taps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-validate-deny-'));
    const file = join(dir, 'denylist.bin');
    const salt = new Uint8Array(16).fill(3);
    writeFileSync(file, buildDenyListFile({ version: 1, salt, add: [{ pan: '6228480000000000999' }] }));
    const cards = Array(12).fill('debit-ec').join(','); // ~170 ms each on the air (--latency): time for the watcher
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'validate', '--profile', 'bus', '--reader', `virtual:${cards}`,
      '--denylist', file, '--anti-passback', '0', '--latency', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: { type: string; tap?: { reason: string }; message?: string }[] = [];
    let updated = false;
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const e = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        events.push(e);
        // After the first tap, the back office's new list arrives (the uplink's sink writes it like this).
        if (e.type === 'tap' && !updated) {
          updated = true;
          DenyListStore.fromBytes(buildDenyListFile({ version: 2, salt, add: [{ pan: '6228480000000000018' }] })).save(file);
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const reasons = events.filter((e) => e.type === 'tap').map((e) => e.tap!.reason);
    expect(reasons[0]).toBe('approved-offline');
    expect(reasons.at(-1)).toBe('deny-list');
    expect(events.some((e) => e.type === 'denylist' && /version 2 applied/.test(e.message!))).toBe(true);
    // Once applied, every later tap is declined.
    const first = reasons.indexOf('deny-list');
    expect(reasons.slice(first).every((r) => r === 'deny-list')).toBe(true);
  });

  it('runs the bus loop over virtual cards: JSON events, anti-passback on the same card', () => {
    const r = shanfu('--profile', 'bus', '--reader', 'virtual:metro-transit,debit-ec,metro-transit', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const taps = events.filter((e) => e.type === 'tap').map((e) => [e.tap.outcomeName, e.tap.reason, e.tap.charged]);
    expect(taps).toEqual([
      ['approved', 'approved-offline', 200],
      ['approved', 'approved-offline', 200],
      ['declined', 'already-charged', 0], // same PAN + PSN as the first card, inside 60 s
    ]);
    expect(events.map((e) => e.type).slice(0, 5)).toEqual(['waiting', 'card-present', 'tap', 'feedback', 'card-removed']);
    expect(events.at(-1)).toEqual({ type: 'stopped', reason: 'taps-done' });
  });

  it('writes the durable journal with --journal/--key-file (PAN sealed); no torn file without a torn tap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-validate-'));
    const key = randomBytes(32);
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, key.toString('hex'));
    const journalDir = join(dir, 'journal');
    const r = shanfu('--profile', 'bus', '--reader', 'virtual:debit-ec', '--journal', journalDir, '--key-file', keyFile, '--terminal-id', 'BUS-7');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tap approved \(approved-offline\) fare 2\.00 charged 2\.00 balance 498\.00 card 622848\*+\d{4}/);
    expect(r.stdout).toMatch(/stopped \(taps-done\)/);
    const j = await Journal.openExisting(journalDir, { key });
    const entries = await j.read(1, 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'tap', terminalId: 'BUS-7', profile: 'bus', charged: 200 });
    expect(j.unseal(entries[0]!)?.pan).toMatch(/^\d{16,19}$/);
    await j.close();
    expect(existsSync(join(journalDir, 'torn.json'))).toBe(false); // written only when a torn record exists
  });

  it('metro and toll gates: entry opens the journey (0 charged), a toll exit without entry charges the penalty', () => {
    const entry = shanfu('--profile', 'metro-entry', '--station', '202', '--reader', 'virtual:metro-transit', '--json');
    expect(entry.status).toBe(0);
    const t1 = entry.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'tap').tap;
    expect(t1).toMatchObject({ outcomeName: 'approved', charged: 0, rule: 'entry', profile: 'metro-entry', details: { station: 202 } });
    const exit = shanfu('--profile', 'toll-exit', '--station', '6504', '--vehicle-class', '1', '--reader', 'virtual:metro-transit', '--json');
    expect(exit.status).toBe(0);
    const t2 = exit.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'tap').tap;
    expect(t2).toMatchObject({ outcomeName: 'approved', rule: 'penalty-no-entry', profile: 'toll-exit' });
    expect(t2.charged).toBeGreaterThan(0);
  });

  it('bad input is refused before any reader or journal opens, naming the problem (exit 2)', async () => {
    // One through the real CLI for the exit status, the rest in process (each spawn costs ~1.5 s).
    const r = shanfu('--profile', 'tram', '--reader', 'virtual:debit-ec');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--profile: 'tram' is not one of/);
    const cases: [string[], RegExp][] = [
      [['--reader', 'virtual:debit-ec'], /missing --profile/],
      [['--profile', 'tram', '--reader', 'virtual:debit-ec'], /--profile: 'tram' is not one of/],
      [['--profile', 'bus'], /missing --reader/],
      [['--profile', 'bus', '--reader', 'virtual:no-such-card'], /no-such-card/],
      [['--profile', 'bus', '--reader', 'virtual:debit-ec', '--route', '99'], /route 99/],
      [['--profile', 'bus', '--reader', 'virtual:debit-ec', '--journal', '/tmp/x'], /journal key/],
      [['--profile', 'bus', '--reader', 'virtual:debit-ec', '--taps', '0'], /--taps/],
      [['--profile', 'bus', '--reader', 'virtual:debit-ec', '--fares', '/nonexistent.json'], /--fares/],
      [['--profile', 'metro-exit', '--reader', 'virtual:metro-transit'], /needs --station/],
      [['--profile', 'metro-exit', '--station', '999', '--reader', 'virtual:metro-transit'], /station 999/],
      [['--profile', 'metro-entry', '--station', '202', '--reader', 'Some PC/SC Reader'], /MAC keys/],
      [['--profile', 'toll-entry', '--station', '6501', '--fares', 'test-vectors/fares/bus-line.json', '--reader', 'virtual:metro-transit'], /not a toll table/],
    ];
    const saved = process.env.SHANFU_JOURNAL_KEY;
    delete process.env.SHANFU_JOURNAL_KEY;
    try {
      for (const [args, message] of cases) await expect(command.run(args), args.join(' ')).rejects.toThrow(message);
    } finally {
      if (saved !== undefined) process.env.SHANFU_JOURNAL_KEY = saved;
    }
  });
});
