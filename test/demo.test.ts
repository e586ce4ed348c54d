/**
 * The main job (`npm start` = `shanfu demo`): three real Terminal loops (bus, metro entry, metro
 * exit) on virtual cards with durable journals. Checks that the demo's story happens (each hard case
 * is reached) and that money reconciles: what the cards lost = what the journals recorded, both by
 * the demo's own count and by reading the journal files back.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runDemo, type DemoTap } from '../src/demo/city.js';
import { Journal, verifyJournal } from '../src/journal/index.js';

describe('shanfu demo', () => {
  it('reaches every hard case, and the cards and the journal files agree on the money', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-demo-test-'));
    const seen: DemoTap[] = [];
    const s = await runDemo({ taps: 160, journalDir: dir, onTap: (e) => seen.push(e) });
    expect(s.taps).toBe(160);
    expect(seen.map((e) => e.index)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
    for (const key of ['approved / approved-offline', 'declined / deny-list', 'declined / already-charged', 'try-again / card-removed',
      'approved / torn-completed', 'try-again / see-phone', 'declined / oda-failed', 'declined / application-expired'])
      expect(s.byReason.get(key), key).toBeGreaterThan(0);
    const rules = new Set(seen.filter((e) => e.tap.charged > 0).map((e) => e.tap.rule));
    expect([...rules].sort()).toEqual(expect.arrayContaining(['distance', 'flat', 'transfer']));
    expect(s.tornResolved).toEqual({ charged: 1, notCharged: 1 });
    expect(s.cardsDebited).toBeGreaterThan(0);
    expect(s.journalCharged).toBe(s.cardsDebited);

    // Read the journals back from disk: every file verifies and their charges add up to the same.
    let fromFiles = 0;
    for (const name of readdirSync(dir)) {
      const report = await verifyJournal(join(dir, name));
      expect(report.ok, JSON.stringify(report.problems)).toBe(true);
      const j = await Journal.openExisting(join(dir, name), { readOnly: true });
      for (const e of await j.read(1, 100_000)) fromFiles += e.charged ?? 0;
      await j.close();
    }
    expect(fromFiles).toBe(s.cardsDebited);
  });

  it('the same seed gives the same taps', async () => {
    const run = async () => {
      const out: string[] = [];
      await runDemo({ taps: 40, seed: 7, onTap: (e) => out.push(`${e.validator} ${e.tap.maskedPan} ${e.tap.outcomeName} ${e.tap.reason} ${e.tap.charged} ${e.tap.time}`) });
      return out;
    };
    expect(await run()).toEqual(await run());
  });

  it('`shanfu demo --quiet` prints the summary and exits 0 (money agrees); bad options exit 2', () => {
    const cli = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'demo', ...a], { encoding: 'utf8', timeout: 120_000 });
    const ok = cli('--taps', '30', '--quiet');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/summary: 30 taps/);
    expect(ok.stdout).toMatch(/they agree/);
    const bad = cli('--taps', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--taps: an integer/);
  });
});
