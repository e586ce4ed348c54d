/**
 * End to end, the issue's acceptance run: 100,000 entries in a real file journal, drained by
 * `shanfu uplink run` (a child process, SIGKILLed twice mid-drain) through a real mosquitto
 * (restarted three times mid-drain) to the reference back office (examples/backoffice.ts). Every
 * entry must reach the clearing file exactly once after de-duplication by key, with its content;
 * re-sends are allowed and counted, gaps are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../src/journal/journal.js';
import { startBackoffice, type Backoffice } from '../examples/backoffice.js';
import { Broker, brokerUnavailable, bundleCli } from './uplink-broker.js';
import { tapEntry } from './uplink-fixtures.js';

const skip = brokerUnavailable();
const N = 100_000;
const TERMINAL = 'BUS-0042';

describe.skipIf(skip)(`100,000 entries through uploader kills and broker restarts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let broker: Broker;
  let dir: string;
  let cli: string;
  let bo: Backoffice;

  beforeAll(async () => {
    [broker, cli] = await Promise.all([Broker.start(), bundleCli('e2e')]);
    dir = mkdtempSync(join(tmpdir(), 'shanfu-uplink-e2e-'));
    const journal = await Journal.open({ dir: join(dir, 'journal'), key: new Uint8Array(32).fill(9), terminalId: TERMINAL, groupCommitMs: 2 });
    // Every 10th tap carries a sealed PAN (AES-GCM in the journal costs ~0.14 ms per entry; the
    // uplink ships the sealed blob as bytes either way).
    for (let i = 1; i <= N; i += 1000) {
      const batch = [];
      for (let k = i; k < i + 1000; k++) {
        const e = tapEntry(TERMINAL, k);
        if (k % 10 !== 0) delete e.sensitive;
        batch.push(journal.append(e));
      }
      await Promise.all(batch);
    }
    expect(journal.stats()).toMatchObject({ lastSeq: N, pending: N });
    await journal.close();
    bo = await startBackoffice({ url: broker.url, clientId: 'e2e-backoffice', clearingFile: join(dir, 'clearing.jsonl'), backoffMinMs: 50, backoffMaxMs: 400 });
  }, 120_000);

  afterAll(async () => {
    await bo?.stop();
    await broker?.stop();
  });

  it('delivers every entry exactly once after de-duplication by key', async () => {
    let stderr = '';
    const spawnUplink = (): ChildProcess => {
      const c = spawn(process.execPath, [cli, 'uplink', 'run', '--journal', join(dir, 'journal'), '--url', broker.url, '--batch', '100', '--until-drained'], { stdio: ['ignore', 'ignore', 'pipe'] });
      c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      return c;
    };
    let child = spawnUplink();
    const events: { what: string; at: number }[] = [];
    const plan: [number, 'kill' | 'restart'][] = [[0.1, 'kill'], [0.25, 'restart'], [0.4, 'kill'], [0.55, 'restart'], [0.7, 'restart']];
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const [share, what] of plan) {
      while (bo.counts.unique < share * N) {
        if (child.exitCode !== null) throw new Error(`uplink exited early (${child.exitCode}): ${stderr}`);
        await wait(5);
      }
      events.push({ what, at: bo.counts.unique });
      if (what === 'kill') {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        child = spawnUplink();
      } else await broker.restart();
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    expect(code, stderr).toBe(0);
    for (let i = 0; i < 6000 && bo.counts.unique < N; i++) await wait(10);

    // Each disruption happened mid-drain.
    expect(events.map((e) => e.what)).toEqual(['kill', 'restart', 'kill', 'restart', 'restart']);
    for (const e of events) expect(e.at).toBeLessThan(N);

    // Counts: nothing missing, every re-send removed by key only.
    expect(bo.counts.unique).toBe(N);
    expect(bo.counts.rejected).toBe(0);
    expect(bo.counts.records).toBe(N + bo.counts.duplicates);
    const rows = readFileSync(join(dir, 'clearing.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; seq: number; amount: number; maskedPan: string; terminalId: string });
    expect(rows).toHaveLength(N);
    const seen = new Uint8Array(N + 1);
    for (const r of rows) {
      expect(r.key).toBe(`${TERMINAL}/${r.seq}`);
      seen[r.seq]++;
      if (r.amount !== 200 + (r.seq % 7) || r.maskedPan !== '623456******' + String(r.seq % 10_000).padStart(4, '0')) throw new Error(`record ${r.key} arrived with the wrong content: ${JSON.stringify(r)}`);
    }
    expect(seen.subarray(1).every((n) => n === 1)).toBe(true);

    // The journal's cursor moved over everything.
    const j = await Journal.openExisting(join(dir, 'journal'), { readOnly: true });
    expect(j.stats()).toMatchObject({ lastSeq: N, ackedSeq: N, pending: 0 });
    await j.close();
    console.log(`uplink e2e: ${N} entries, ${bo.counts.records} received (${bo.counts.duplicates} re-sends removed by key), disruptions at ${events.map((e) => `${e.what}@${e.at}`).join(', ')}`);
  }, 300_000);
});
