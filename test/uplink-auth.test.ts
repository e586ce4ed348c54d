/**
 * Broker authentication as the uplink is configured in the field: username/password (mosquitto
 * password file) and TLS with a client certificate (mosquitto require_certificate). A refused
 * connection delivers nothing and acknowledges nothing in the journal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { UplinkConnection, type ConnectionOptions } from '../src/uplink/connection.js';
import { JournalUploader } from '../src/uplink/uploader.js';
import { Broker, brokerUnavailable, makeTestPki, MOSQUITTO_PASSWD } from './uplink-broker.js';
import { ArrayJournal, tapEntry } from './uplink-fixtures.js';

const skip = brokerUnavailable() ?? (!process.env.CI && !existsSync(MOSQUITTO_PASSWD) ? `${MOSQUITTO_PASSWD} missing` : null);
const noOpenssl = !process.env.CI && spawnSync('openssl', ['version']).status !== 0 ? 'openssl not installed (needed to make test certificates)' : null;

async function tryUpload(options: ConnectionOptions, n = 200) {
  const journal = new ArrayJournal();
  for (let i = 1; i <= n; i++) await journal.append(tapEntry('BUS-AUTH', i));
  const connection = new UplinkConnection({ backoffMinMs: 50, backoffMaxMs: 200, ...options });
  const up = new JournalUploader({ journal, terminalId: 'BUS-AUTH', connection, idlePollMs: 20 });
  up.start();
  return {
    journal,
    connection,
    uploader: up,
    drained: () => up.waitDrained(20_000),
    refused: async () => {
      for (let i = 0; i < 500 && connection.status().failures < 2; i++) await new Promise((r) => setTimeout(r, 10));
      return connection.status();
    },
    stop: async () => {
      await up.stop();
      await connection.stop();
    },
  };
}

describe.skipIf(skip)(`username and password${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let broker: Broker;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    broker = await Broker.start({ users: { 'BUS-AUTH': 's3cret' } });
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });
  afterAll(() => broker?.stop());

  it('delivers with the right password', async () => {
    const u = await tryUpload({ url: broker.url, username: 'BUS-AUTH', password: 's3cret' });
    stops.push(u.stop);
    await u.drained();
    expect(u.journal.ackedSeq).toBe(200);
  });

  it('a wrong password or none: refused, retried with backoff, nothing acknowledged', async () => {
    for (const creds of [{ username: 'BUS-AUTH', password: 'wrong' }, {}]) {
      const u = await tryUpload({ url: broker.url, ...creds });
      stops.push(u.stop);
      const s = await u.refused();
      expect(s.connected).toBe(false);
      expect(s.lastError).toMatch(/Not authorized|Bad username or password|Connection refused/i);
      expect(u.journal.ackedSeq).toBe(0);
    }
  });
});

describe.skipIf(skip)(`a broker ACL that refuses the journal topic${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('MQTT 5 (the default): the refused publish is reported and nothing is acknowledged', async () => {
    const broker = await Broker.start({ users: { 'BUS-AUTH': 's3cret' }, acl: ['user BUS-AUTH', 'topic read shanfu/#'] });
    const u = await tryUpload({ url: broker.url, username: 'BUS-AUTH', password: 's3cret' });
    const warnings: string[] = [];
    u.uploader.on('warning', (w) => warnings.push(w));
    try {
      for (let i = 0; i < 500 && !warnings.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(warnings[0]).toMatch(/publish shanfu\/terminals\/BUS-AUTH\/journal \(seq 1\.\.200\): .*Not authorized/);
      expect(u.journal.ackedSeq).toBe(0);
    } finally {
      await u.stop();
      await broker.stop();
    }
  });
});

describe.skipIf(brokerUnavailable() ?? noOpenssl)(`TLS with a client certificate${(brokerUnavailable() ?? noOpenssl) ? ` (skipped: ${brokerUnavailable() ?? noOpenssl})` : ''}`, () => {
  let broker: Broker;
  let pki: ReturnType<typeof makeTestPki>;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    pki = makeTestPki(mkdtempSync(join(tmpdir(), 'shanfu-pki-')));
    broker = await Broker.start({ tls: { ca: pki.ca, cert: pki.serverCert, key: pki.serverKey, requireClientCert: true } });
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });
  afterAll(() => broker?.stop());

  it('delivers over mqtts:// with the CA and a client certificate', async () => {
    const u = await tryUpload({ url: broker.url, ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    stops.push(u.stop);
    await u.drained();
    expect(u.journal.ackedSeq).toBe(200);
  });

  it('without a client certificate, or without trusting the CA: refused, nothing acknowledged', async () => {
    for (const o of [{ ca: readFileSync(pki.ca) }, { cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) }]) {
      const u = await tryUpload({ url: broker.url, ...o });
      stops.push(u.stop);
      const s = await u.refused();
      expect(s.connected).toBe(false);
      expect(s.lastError).toBeTruthy();
      expect(u.journal.ackedSeq).toBe(0);
    }
  });
});
