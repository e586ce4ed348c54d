/**
 * `shanfu pay` as a user runs it (the CLI from source, in a child process):
 * the --json contract, reproducible taps with --date/--un, bad input exits 2 naming the problem.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const shanfu = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
const payJson = (...args: string[]) => {
  const r = shanfu('pay', '--json', '--date', '261127', ...args);
  return { status: r.status, json: JSON.parse(r.stdout), stderr: r.stderr };
};

describe('shanfu pay', () => {
  it('approves an electronic-cash tap offline and reports the outcome data', () => {
    const { status, json } = payJson('--card', 'debit-ec', '--amount', '2.00');
    expect(status).toBe(0);
    expect(json).toMatchObject({
      outcome: 'Approved', reason: 'approved-offline', aid: 'A000000333010101', atc: 1,
      cryptogramType: 'TC', tvr: '0000000000', balanceBefore: '500.00', balanceAfter: '498.00',
    });
    expect(json.apdus.map((a: { command: string }) => a.command)).toEqual([
      'SELECT PPSE', 'SELECT', 'GET PROCESSING OPTIONS', 'READ RECORD 1 SFI 1', 'READ RECORD 1 SFI 2', 'READ RECORD 1 SFI 3', 'READ RECORD 2 SFI 3', 'READ RECORD 3 SFI 3',
    ]);
  });

  it('declines an expired card with its reason and exit status 1', () => {
    const { status, json } = payJson('--card', 'expired', '--amount', '2.00');
    expect(status).toBe(1);
    expect(json).toMatchObject({ outcome: 'Declined', reason: 'application-expired' });
  });

  it('is reproducible with a fixed date and unpredictable number', () => {
    const a = payJson('--card', 'debit-ec', '--amount', '1.50', '--un', '0A0B0C0D', '--time', '080000');
    const b = payJson('--card', 'debit-ec', '--amount', '1.50', '--un', '0A0B0C0D', '--time', '080000');
    expect(a.json.apdus.map((x: { capdu: string }) => x.capdu)).toEqual(b.json.apdus.map((x: { capdu: string }) => x.capdu));
    expect(a.json.apdus[2].capdu).toContain('0A0B0C0D');
  });

  it('rejects unusable input with exit 2 and a message naming it', () => {
    expect(shanfu('pay', '--card', 'debit-ec', '--amount', '2.001').stderr).toMatch(/--amount/);
    expect(shanfu('pay', '--card', 'no-such-card', '--amount', '2').status).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-pay-'));
    const file = join(dir, 'terminal.json');
    writeFileSync(file, JSON.stringify({ aids: [{ aid: 'A000000333010101', floorLimit: -1 }] }));
    const r = shanfu('pay', '--card', 'debit-ec', '--amount', '2', '--config', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/aids\[0\]\.floorLimit/);
  });
});
