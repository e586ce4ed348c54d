/**
 * The uploader against a real mosquitto and the reference back office (examples/backoffice.ts):
 * every journal entry reaches the clearing file exactly once after de-duplication by key, across
 * broker restarts, a broker that is not there yet, and a journal whose ack fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackoffice, type Backoffice } from '../examples/backoffice.js';
import { JournalUploader } from '../src/uplink/uploader.js';
import { UplinkConnection } from '../src/uplink/connection.js';
import { decodeBatch, encodeBatch, idempotencyKey } from '../src/uplink/records.js';
import { Broker, brokerUnavailable } from './uplink-broker.js';
import { ArrayJournal, tapEntry } from './uplink-fixtures.js';

const skip = brokerUnavailable();

async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function fill(journal: ArrayJournal, terminalId: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await journal.append(tapEntry(terminalId, i));
}

function clearing(file: string): { key: string; seq: number; amount: number; sealed?: unknown }[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('loading', () => {
  it('importing src/uplink does not load mqtt (it is imported on the first connection)', () => {
    const code = `import { createRequire } from 'node:module';
      await import('./src/uplink/index.ts');
      const cache = createRequire(import.meta.url).cache;
      console.log(Object.keys(cache).filter((k) => k.includes('node_modules/mqtt/')).length);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });
});

describe('journal batches', () => {
  it('round-trip with seq, terminal id and the sealed blob as a CBOR byte string', async () => {
    const j = new ArrayJournal();
    await fill(j, 'T1', 3);
    const bytes = encodeBatch('T1', j.entries);
    const b = decodeBatch(bytes);
    expect(b).toMatchObject({ v: 1, terminalId: 'T1', first: 1, last: 3 });
    expect(b.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(j.unseal(b.records[1]!)).toEqual({ pan: '6234567890000000002' });
    expect(decodeBatch(encodeBatch('T1', j.entries, false)).records[0]!.sealed).toBeUndefined();
    expect(idempotencyKey('T1', 2)).toBe('T1/2');
  });

  it('reject malformed input with a reason', () => {
    expect(() => decodeBatch(new Uint8Array([0xff, 0x00]))).toThrow(TypeError);
    expect(() => encodeBatch('T1', [])).toThrow(RangeError);
  });
});

describe.skipIf(skip)(`uploader → mosquitto → back office${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let broker: Broker;
  let dir: string;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    broker = await Broker.start();
    dir = mkdtempSync(join(tmpdir(), 'shanfu-uplink-'));
  });
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  async function setup(name: string, journal: ArrayJournal, opts: { batchRecords?: number } = {}) {
    const bo: Backoffice = await startBackoffice({ url: broker.url, clientId: `bo-${name}`, clearingFile: join(dir, `${name}.jsonl`), backoffMinMs: 50, backoffMaxMs: 500 });
    cleanup.push(() => bo.stop());
    const connection = new UplinkConnection({ url: broker.url, clientId: `up-${name}`, backoffMinMs: 50, backoffMaxMs: 500 });
    const up = new JournalUploader({ journal, terminalId: name, connection, idlePollMs: 50, ...opts });
    cleanup.push(async () => {
      await up.stop();
      await connection.stop();
    });
    return { bo, up, connection };
  }

  it('delivers every entry once, in content, and drains the journal', async () => {
    const j = new ArrayJournal();
    await fill(j, 'T-plain', 5000);
    const { bo, up } = await setup('T-plain', j);
    up.start();
    await up.waitDrained(30_000);
    await until(() => bo.counts.unique === 5000, 'all records at the back office');
    expect(bo.counts.duplicates).toBe(0);
    const rows = clearing(join(dir, 'T-plain.jsonl'));
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(rows[41]).toMatchObject({ key: 'T-plain/42', amount: 200 + (42 % 7), maskedPan: '623456******0042' });
    // The sealed PAN is not written in clear to the clearing file by the reference consumer.
    expect(rows[0]!.sealed).toBeUndefined();
    // Ack ranges: far fewer journal acks than messages.
    expect(j.acks).toBeLessThan(up.status().sentBatches);
    // New entries after the drain go out too (notify wakes the idle uploader).
    await j.append(tapEntry('T-plain', 5001));
    up.notify();
    await until(() => bo.has('T-plain', 5001), 'the entry appended after the drain');
  });

  it('resumes after broker restarts: nothing missing, re-sends removed by key', async () => {
    const j = new ArrayJournal();
    await fill(j, 'T-restart', 20_000);
    const { bo, up } = await setup('T-restart', j, { batchRecords: 50 });
    up.start();
    const restartsAt: number[] = [];
    for (const share of [0.2, 0.5, 0.8]) {
      await until(() => j.ackedSeq >= share * 20_000 || j.stats().pending === 0, `${share * 100}% acked`);
      restartsAt.push(j.ackedSeq);
      await broker.restart();
    }
    await up.waitDrained(60_000);
    await until(() => bo.counts.unique === 20_000, 'all records at the back office');
    expect(restartsAt.every((s) => s < 20_000)).toBe(true);
    expect(up.status().sessions).toBeGreaterThanOrEqual(4);
    const seqs = clearing(join(dir, 'T-restart.jsonl')).map((r) => r.seq);
    expect(new Set(seqs).size).toBe(20_000);
    expect(Math.min(...seqs)).toBe(1);
    expect(Math.max(...seqs)).toBe(20_000);
    expect(bo.counts.records).toBe(bo.counts.unique + bo.counts.duplicates);
  });

  it('a graceful stop mid-drain waits for the PUBACKs in flight: the next start re-sends nothing', async () => {
    const j = new ArrayJournal();
    await fill(j, 'T-stop', 20_000);
    const { bo, up, connection } = await setup('T-stop', j, { batchRecords: 50 });
    up.start();
    await until(() => j.ackedSeq >= 5000, '5000 acknowledged');
    await up.stop();
    const s = up.status();
    expect(s.inflightRecords).toBe(0);
    expect(j.ackedSeq).toBe(s.confirmedSeq);
    expect(j.ackedSeq).toBeLessThan(20_000);
    const up2 = new JournalUploader({ journal: j, terminalId: 'T-stop', connection, idlePollMs: 50 });
    cleanup.push(() => up2.stop());
    up2.start();
    await up2.waitDrained(30_000);
    await until(() => bo.counts.unique === 20_000, 'all records at the back office');
    expect(bo.counts.duplicates).toBe(0);
  });

  it("keeps no more messages in flight than the broker's MQTT 5 Receive Maximum", async () => {
    const small = await Broker.start({ maxInflight: 3 });
    const j = new ArrayJournal();
    await fill(j, 'T-rxmax', 5000);
    const connection = new UplinkConnection({ url: small.url });
    const up = new JournalUploader({ journal: j, terminalId: 'T-rxmax', connection, batchRecords: 10, inflightBatches: 16 });
    cleanup.push(async () => {
      await up.stop();
      await connection.stop();
      await small.stop();
    });
    up.start();
    await connection.waitUp();
    expect(connection.receiveMaximum).toBe(3);
    let most = 0;
    while (j.stats().pending > 0) {
      most = Math.max(most, up.status().inflightRecords);
      await new Promise((r) => setImmediate(r));
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3 * 10);
  });

  it('waits for a broker that is not up yet (backoff), then delivers', async () => {
    const late = await Broker.start();
    await late.stop();
    const j = new ArrayJournal();
    await fill(j, 'T-late', 300);
    const connection = new UplinkConnection({ url: late.url, backoffMinMs: 50, backoffMaxMs: 200 });
    const up = new JournalUploader({ journal: j, terminalId: 'T-late', connection, idlePollMs: 50 });
    cleanup.push(async () => {
      await up.stop();
      await connection.stop();
      await late.stop();
    });
    up.start();
    await until(() => connection.status().failures >= 2, 'failed attempts');
    expect(connection.status()).toMatchObject({ connected: false });
    expect(connection.status().lastError).toBeTruthy();
    expect(j.ackedSeq).toBe(0);
    await late.launch();
    await up.waitDrained(30_000);
    expect(j.ackedSeq).toBe(300);
  });

  it('examples/backoffice.ts runs as a script: clears, prints its counts on Ctrl-C, and remembers what it cleared', async () => {
    const out = join(dir, 'script.jsonl');
    const runScript = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'examples/backoffice.ts', '--url', broker.url, '--out', out, '--client-id', 'bo-script']);
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      await until(() => stdout.includes('Ctrl-C to stop'), 'the back office to start', 30_000);
      return { child, stdout: () => stdout };
    };
    let s = await runScript();
    const j = new ArrayJournal();
    await fill(j, 'T-script', 300);
    const connection = new UplinkConnection({ url: broker.url });
    const up = new JournalUploader({ journal: j, terminalId: 'T-script', connection, batchRecords: 100 });
    cleanup.push(async () => {
      await up.stop();
      await connection.stop();
    });
    up.start();
    await up.waitDrained(30_000);
    await until(() => existsSync(out) && clearing(out).length === 300, 'the clearing file');
    s.child.kill('SIGINT');
    await new Promise((r) => s.child.once('exit', r));
    expect(JSON.parse(s.stdout().trim().split('\n').pop()!)).toMatchObject({ records: 300, unique: 300, duplicates: 0 });
    // Restarted, it reads its clearing file back: a re-send of the same entries is dropped by key.
    s = await runScript();
    expect(s.stdout()).toMatch(/300 records already cleared/);
    await up.stop();
    const again = new ArrayJournal();
    await fill(again, 'T-script', 300);
    const up2 = new JournalUploader({ journal: again, terminalId: 'T-script', connection, batchRecords: 100 });
    cleanup.push(() => up2.stop());
    up2.start();
    // One new entry after the re-sends: messages on one topic from one client arrive in order, so
    // once it is in the clearing file the back office has seen every re-send before it.
    await again.append(tapEntry('T-script', 301));
    up2.notify();
    await until(() => clearing(out).length === 301, 'the new entry');
    s.child.kill('SIGINT');
    await new Promise((r) => s.child.once('exit', r));
    expect(JSON.parse(s.stdout().trim().split('\n').pop()!)).toMatchObject({ records: 301, unique: 301, duplicates: 300 });
  });

  it('a failing journal ack loses nothing: the entries stay pending and are re-sent', async () => {
    const j = new ArrayJournal();
    await fill(j, 'T-ackfail', 1000);
    j.failAcks = true;
    const { bo, up, connection } = await setup('T-ackfail', j);
    const warnings: string[] = [];
    up.on('warning', (w) => warnings.push(w));
    up.start();
    await until(() => bo.counts.unique === 1000, 'first delivery');
    expect(j.ackedSeq).toBe(0);
    expect(warnings[0]).toMatch(/journal ack \d+: disk full/);
    // The "restart": a new uploader on the same journal re-sends all 1000; the back office drops them.
    await up.stop();
    j.failAcks = false;
    const up2 = new JournalUploader({ journal: j, terminalId: 'T-ackfail', connection, idlePollMs: 50 });
    cleanup.push(() => up2.stop());
    up2.start();
    await up2.waitDrained(30_000);
    await until(() => bo.counts.duplicates === 1000, 'the re-sends');
    expect(bo.counts.unique).toBe(1000);
  });
});
