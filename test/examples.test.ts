/** The runnable examples stay runnable: each runs from source and prints what its comment promises. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('examples', () => {
  it('one-tap.ts approves a debit card with electronic cash', () => {
    const r = run('examples/one-tap.ts', 'debit-ec', '250');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/debit-ec: Approved \(approved-offline\), ATC 1, balance after 49750 fen/);
  });

  it('decode-response.ts walks a GPO response', () => {
    const r = run('examples/decode-response.ts');
    expect(r.stdout).toContain('9F5D Available Offline Spending Amount len 6');
    expect(r.stdout).not.toContain('malformed');
  });

  it('bus-validator.ts runs the Terminal loop: a fare, a double tap not charged, a deny-listed card, the journal read back', () => {
    const r = run('examples/bus-validator.ts');
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.split('  ')[1])).toEqual(['approved approved-offline', 'declined already-charged', 'declined deny-list', 'approved approved-offline']);
    expect(lines[4]).toMatch(/^journal: 4 entries, 400 fen charged/);
  });
});
