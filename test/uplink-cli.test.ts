/**
 * `shanfu uplink` and `shanfu params` as an operator runs them (the CLI from source, bundled, in
 * child processes) against a real mosquitto: keygen → publish signed sets → `uplink run` drains the
 * journal and applies the sets, rejects a tampered one → `uplink status` reports both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, Encoder } from 'cbor-x';
import { Journal } from '../src/journal/journal.js';
import { buildDenyListFile } from '../src/denylist/index.js';
import { Broker, brokerUnavailable, bundleCli } from './uplink-broker.js';
import { tapEntry } from './uplink-fixtures.js';
import { startBackoffice } from '../examples/backoffice.js';

// The CLI from source, bundled once (see bundleCli: a tsx start per call would cost ~0.5–1.5 s).
let cli = '';
beforeAll(async () => {
  cli = await bundleCli('cli');
});
const shanfu = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('shanfu uplink / params: usage and bad input', () => {
  it('exit 2 with the reason', () => {
    let r = shanfu('uplink', 'run', '--url', 'mqtt://127.0.0.1:1');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/--journal is required/)]);
    r = shanfu('uplink', 'run', '--journal', '/nonexistent', '--url', 'http://x');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/url must be a broker URL/)]);
    r = shanfu('uplink', 'frobnicate');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/unknown subcommand 'frobnicate'/)]);
    r = shanfu('uplink', 'run', '--journal', '/nonexistent', '--url', 'mqtt://127.0.0.1:1', '--params-dir', '/tmp/x');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/--params-dir needs --trust-key/)]);
    r = shanfu('uplink', 'run', '--journal', '/nonexistent', '--url', 'mqtt://127.0.0.1:1', '--trust-key', 'rsa:00');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/expected ed25519:HEX or p256:HEX/)]);
    r = shanfu('params', 'publish', '--url', 'mqtt://127.0.0.1:1', '--kind', 'fares', '--file', '/nonexistent.json', '--signing-key', 'k');
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(/cannot read the parameter file \/nonexistent.json: ENOENT/)]);
  });
});

const skip = brokerUnavailable();

describe.skipIf(skip)(`shanfu uplink run with mosquitto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let broker: Broker;
  let dir: string;
  beforeAll(async () => {
    broker = await Broker.start();
    dir = mkdtempSync(join(tmpdir(), 'shanfu-uplink-cli-'));
  });
  afterAll(() => broker?.stop());

  it('keygen, publish, run (drain + parameters), status', async () => {
    const keyFile = join(dir, 'bo.key');
    const kg = shanfu('params', 'keygen', '--out', keyFile);
    expect(kg.status, kg.stderr).toBe(0);
    const trust = kg.stdout.trim();
    expect(trust).toMatch(/^ed25519:[0-9a-f]{64}$/);
    expect(shanfu('params', 'keygen', '--out', keyFile)).toMatchObject({ status: 2, stderr: expect.stringMatching(/never overwrites/) });

    const deny = join(dir, 'deny-v4.bin');
    writeFileSync(deny, buildDenyListFile({ version: 4, add: [{ pan: '6234567890123456789' }] }));
    let r = shanfu('params', 'publish', '--url', broker.url, '--kind', 'denylist', '--file', deny, '--signing-key', keyFile);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/retained on shanfu\/params\/denylist$/m);
    r = shanfu('params', 'publish', '--url', broker.url, '--kind', 'fares', '--version', '3', '--file', 'test-vectors/fares/bus-line.json', '--signing-key', keyFile);
    expect(r.status, r.stderr).toBe(0);

    const jdir = join(dir, 'journal');
    const j = await Journal.open({ dir: jdir, key: new Uint8Array(32).fill(5), terminalId: 'BUS-CLI' });
    for (let i = 1; i <= 500; i++) await j.append(tapEntry('BUS-CLI', i));
    await j.close();

    const params = join(dir, 'params');
    const child = spawn(process.execPath, [cli, 'uplink', 'run', '--journal', jdir, '--url', broker.url, '--params-dir', params, '--trust-key', trust]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const waitFor = async (cond: () => boolean, what: string) => {
      for (let i = 0; i < 3000 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
      if (!cond()) throw new Error(`timed out waiting for ${what}\nstdout: ${out}\nstderr: ${err}`);
    };
    await waitFor(() => out.includes('applied denylist v4') && out.includes('applied fares v3'), 'the parameter sets');

    // A tampered fare table (payload changed after signing) is rejected; v3 stays.
    const env = join(dir, 'fares-v4.env');
    r = shanfu('params', 'seal', '--kind', 'fares', '--version', '4', '--file', 'test-vectors/fares/bus-line.json', '--signing-key', keyFile, '--out', env);
    expect(r.status, r.stderr).toBe(0);
    const e = decode(readFileSync(env)) as Record<string, unknown>;
    e.payload = Buffer.from(String(e.payload).replace('"fare": 200', '"fare": 1'));
    writeFileSync(env, new Encoder({ tagUint8Array: false }).encode(e));
    r = shanfu('params', 'publish', '--url', broker.url, '--envelope', env);
    expect(r.status, r.stderr).toBe(0);
    await waitFor(() => /rejected fares v4 \(bad-signature\)/.test(err), 'the rejection');

    child.kill('SIGTERM');
    const code = await new Promise((res) => child.once('exit', res));
    expect(code, err).toBe(0);

    const st = shanfu('uplink', 'status', '--journal', jdir, '--params-dir', params, '--trust-key', trust, '--json');
    expect(st.status, st.stderr).toBe(0);
    const s = JSON.parse(st.stdout);
    expect(s).toMatchObject({ terminalId: 'BUS-CLI', lastSeq: 500, ackedSeq: 500, pending: 0 });
    expect(s.params).toEqual([
      { kind: 'denylist', version: 4, verified: true },
      expect.objectContaining({ kind: 'fares', version: 3, verified: true }),
      expect.objectContaining({ kind: 'capks', version: 0 }),
      expect.objectContaining({ kind: 'terminal', version: 0 }),
    ]);
    const plain = shanfu('uplink', 'status', '--journal', jdir, '--params-dir', params);
    expect(plain.stdout).toMatch(/terminal BUS-CLI: last seq 500, acknowledged 500, pending 0/);
    expect(plain.stdout).toMatch(/fares +v3 \(unverified: no --trust-key\)/);
  });

  it('runs beside the terminal writing the journal: entries appended while it runs are shipped too', async () => {
    const jdir = join(dir, 'live-journal');
    const writer = await Journal.open({ dir: jdir, key: new Uint8Array(32).fill(6), terminalId: 'BUS-LIVE' });
    await writer.append(tapEntry('BUS-LIVE', 1));
    const bo = await startBackoffice({ url: broker.url, clientId: 'bo-live', clearingFile: join(dir, 'live.jsonl') });
    const child = spawn(process.execPath, [cli, 'uplink', 'run', '--journal', jdir, '--url', broker.url]);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      // The terminal keeps tapping: 2,000 entries in small groups while the uplink ships.
      for (let i = 2; i <= 2000; i += 100) {
        await Promise.all(Array.from({ length: 100 }, (_, k) => (i + k <= 2000 ? writer.append(tapEntry('BUS-LIVE', i + k)) : null)));
        await new Promise((r) => setTimeout(r, 20));
      }
      for (let i = 0; i < 3000 && bo.counts.unique < 2000; i++) await new Promise((r) => setTimeout(r, 10));
      expect(bo.counts.unique, err).toBe(2000);
      expect(bo.has('BUS-LIVE', 1) && bo.has('BUS-LIVE', 2000)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await bo.stop();
      await writer.close();
    }
    expect(err).toBe('');
  });
});
