/**
 * `shanfu denylist build / info / check` as a user runs them (the CLI from source, in a child process):
 * a full list and a delta from CSV files, info on a good and a damaged file, check's exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

const shanfu = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'denylist', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('shanfu denylist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shanfu-denylist-cli-'));
  const file = (name: string) => join(dir, name);
  writeFileSync(file('v1.csv'), 'PAN,PSN\n# lost cards\n6228480000000000018,01\n6212 3456 7890 1234,\n621234567890123,*\n\n');
  writeFileSync(file('add2.csv'), '6228480000000000018,02\n');
  writeFileSync(file('remove2.csv'), '6212345678901234\n');

  it('builds a full list from CSV, then a delta with its salt; info shows both; check follows the chain', () => {
    const b1 = shanfu('build', '--out', file('v1.sfdl'), '--version', '1', '--add-file', file('v1.csv'), '--salt', '000102030405060708090A0B0C0D0E0F');
    expect(b1.stderr).toBe('');
    expect(b1.status).toBe(0);
    expect(b1.stdout).toMatch(/full list version 1, 3 entries .* salt 000102030405060708090A0B0C0D0E0F/);
    const info1 = shanfu('info', '--json', file('v1.sfdl'));
    expect(info1.status).toBe(0);
    expect(JSON.parse(info1.stdout)).toMatchObject({ ok: true, kind: 'full', version: 1, baseVersion: 0, added: 3, removed: 0, checksumOk: true, salt: '000102030405060708090A0B0C0D0E0F' });

    const b2 = shanfu('build', '--out', file('d2.sfdl'), '--version', '2', '--delta', '--base', '1', '--salt', '000102030405060708090A0B0C0D0E0F',
      '--add-file', file('add2.csv'), '--remove-file', file('remove2.csv'));
    expect(b2.status).toBe(0);
    expect(b2.stdout).toMatch(/delta 1 → 2, \+1 −1/);
    const info2 = shanfu('info', file('d2.sfdl'));
    expect(info2.stdout).toMatch(/kind +delta \(applies to version 1\)/);
    expect(info2.stdout).toMatch(/checksum +[0-9A-F]{64} ok/);

    const check = (...a: string[]) => shanfu('check', ...a).status;
    expect(check('--pan', '6228480000000000018', '--psn', '01', file('v1.sfdl'))).toBe(1);
    expect(check('--pan', '6228480000000000018', '--psn', '02', file('v1.sfdl'))).toBe(0);
    expect(check('--pan', '6228480000000000018', '--psn', '02', file('v1.sfdl'), file('d2.sfdl'))).toBe(1);
    expect(check('--pan', '6212345678901234', file('v1.sfdl'))).toBe(1); // no PSN: any-PSN entry
    expect(check('--pan', '6212345678901234', file('v1.sfdl'), file('d2.sfdl'))).toBe(0);
    expect(check('--pan', '621234567890123', '--psn', '42', file('v1.sfdl'), file('d2.sfdl'))).toBe(1);
    const j = shanfu('check', '--json', '--pan', '621234567890123', file('v1.sfdl'));
    expect(JSON.parse(j.stdout)).toEqual({ denied: true, version: 1, size: 3, pan: '621234567890123F', psn: null });
  });

  it('info on a damaged file: checksum MISMATCH, exit 1; on a truncated or foreign file: exit 1 naming the fault', () => {
    shanfu('build', '--out', file('x.sfdl'), '--version', '5', '--add-file', file('v1.csv'));
    const bytes = readFileSync(file('x.sfdl'));
    bytes[45] ^= 0xff;
    writeFileSync(file('flipped.sfdl'), bytes);
    const r = shanfu('info', file('flipped.sfdl'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH/);
    writeFileSync(file('short.sfdl'), bytes.subarray(0, 90)); // header announces 96 bytes
    const s = shanfu('info', file('short.sfdl'));
    expect(s.status).toBe(1);
    expect(s.stdout).toMatch(/truncated.*\[denylist\.corrupt\]/);
    const t = shanfu('info', file('v1.csv'));
    expect(t.status).toBe(1);
    expect(t.stdout).toMatch(/not a deny-list file/);
    // check refuses a damaged list (exit 2: unusable input), and so does a delta that does not apply.
    const c = shanfu('check', '--pan', '6228480000000000018', file('flipped.sfdl'));
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/checksum mismatch.*\[denylist\.corrupt\]/);
    const d = shanfu('check', '--pan', '6228480000000000018', file('x.sfdl'), file('d2.sfdl'));
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/\[denylist\.version\]/);
  });

  it('bad input exits 2 naming it and writes nothing', async () => {
    writeFileSync(file('bad.csv'), '6228480000000000018,01\n62284800000000000X8,01\n');
    const cases: [string[], RegExp][] = [
      [['build', '--out', file('b.sfdl'), '--version', '1', '--add-file', file('bad.csv')], /bad\.csv:2: PAN/],
      [['build', '--out', file('b.sfdl'), '--add-file', file('v1.csv')], /--version is required/],
      [['build', '--out', file('b.sfdl'), '--version', '2', '--delta', '--base', '1'], /--delta needs --salt/],
      [['build', '--out', file('b.sfdl'), '--version', '2', '--remove-file', file('remove2.csv')], /--remove-file needs --delta/],
      [['build', '--out', file('b.sfdl'), '--version', '1', '--add-file', file('nope.csv')], /--add-file: cannot read/],
      [['build', '--out', file('b.sfdl'), '--version', 'x'], /--version: expected a whole number/],
      [['check', '--pan', '6228', '--psn', '1', file('v1.sfdl')], /--psn: expected two digits/],
      [['check', file('v1.sfdl')], /--pan PAN is required/],
      [['info', file('missing.sfdl')], /cannot read .*missing\.sfdl.*\[denylist\.io\]/],
      [['frobnicate'], /unknown subcommand/],
    ];
    // In process through main() (same exit-code mapping as the binary; a child per case would add ~0.7 s each).
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const [args, message] of cases) {
        errors.mockClear();
        expect(await main(['denylist', ...args]), args.join(' ')).toBe(2);
        expect(errors.mock.calls.map((c) => String(c[0])).join('\n'), args.join(' ')).toMatch(message);
      }
    } finally {
      errors.mockRestore();
    }
    expect(() => readFileSync(file('b.sfdl'))).toThrow();
  });
});
