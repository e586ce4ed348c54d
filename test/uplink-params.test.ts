/**
 * Signed parameter updates: envelope format and signatures (Ed25519, ECDSA P-256), the downloader's
 * policy (tampered, wrong key, wrong kind, downgraded, delta on the wrong base → rejected, current set
 * kept), the real deny list and file sinks, and delivery over retained topics of a real mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decode, Encoder } from 'cbor-x';
import { generateSigningKey, parseTrustedKey, openParameters, sealParameters, signedBytes, type ParameterUpdate, type SigningKey } from '../src/uplink/envelope.js';
import { ParameterDownloader, type ParameterStatus } from '../src/uplink/downloader.js';
import { DenyListSink, FileParameterSink, PARAMETER_PARSERS } from '../src/uplink/sinks.js';
import { parameterTopic, publishParameters } from '../src/uplink/publish.js';
import { UplinkConnection } from '../src/uplink/connection.js';
import { DenyListStore, buildDenyListFile, panTo5A } from '../src/denylist/index.js';
import { MemoryJournal } from '../src/journal/index.js';
import { Broker, brokerUnavailable } from './uplink-broker.js';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const busTable = readFileSync('test-vectors/fares/bus-line.json');
const SALT = new Uint8Array(16).fill(7);
const PAN_A = '6234567890123456789';
const PAN_B = '6234567890000000001';

function denied(store: DenyListStore, pan: string): boolean {
  const p = panTo5A(pan);
  return store.isDenied(p, 0, p.length, 1);
}

function update(kind: string, version: number, payload: Uint8Array, base = 0): ParameterUpdate {
  return { kind, version, base, issuedAt: 1_790_000_000_000 + version, payload };
}

function fullList(version: number, pans: string[]) {
  return buildDenyListFile({ version, salt: SALT, add: pans.map((pan) => ({ pan })) });
}

describe('parameter envelopes', () => {
  const { signingKey, trustedKey } = generateSigningKey('ed25519');

  it('sign the deterministic CBOR array [format, kind, version, base, issuedAt, alg, SHA-256(payload)]', () => {
    const u = update('fares', 300, new Uint8Array([1, 2, 3]));
    const bytes = signedBytes(u, 'ed25519');
    // Any CBOR decoder reads the signed bytes back as the array (cbor-x here).
    expect((decode(bytes) as unknown[]).map((v) => (typeof v === 'bigint' ? Number(v) : v))).toEqual(['shanfu-params/1', 'fares', 300, 0, u.issuedAt, 'ed25519', new Uint8Array(createHash('sha256').update(Uint8Array.of(1, 2, 3)).digest())]);
    // Deterministic heads: 0x87 (array of 7), version 300 as 0x19 0x012C.
    expect(bytes[0]).toBe(0x87);
    expect(Buffer.from(bytes).includes(Buffer.from([0x19, 0x01, 0x2c]))).toBe(true);
  });

  for (const alg of ['ed25519', 'p256'] as const) {
    it(`${alg}: verify, and reject a flipped payload byte, a flipped signature byte and another key`, () => {
      const k = generateSigningKey(alg);
      const env = sealParameters(update('terminal', 2, enc({ a: 1 })), k.signingKey);
      const ok = openParameters(env, [trustedKey, k.trustedKey]);
      expect(ok).toMatchObject({ kind: 'terminal', version: 2, base: 0, alg });
      expect(ok.sha256).toMatch(/^[0-9a-f]{64}$/);
      const e = decode(env) as { payload: Buffer; sig: Buffer };
      const tamperedPayload = Buffer.from(e.payload);
      tamperedPayload[3] ^= 1;
      const reseal = (o: object) => encodeLike(env, o);
      expect(() => openParameters(reseal({ payload: tamperedPayload }), [k.trustedKey])).toThrow(expect.objectContaining({ code: 'params.bad-signature' }));
      const badSig = Buffer.from(e.sig);
      badSig[10] ^= 0x40;
      expect(() => openParameters(reseal({ sig: badSig }), [k.trustedKey])).toThrow(expect.objectContaining({ code: 'params.bad-signature' }));
      expect(() => openParameters(reseal({ version: 3 }), [k.trustedKey])).toThrow(expect.objectContaining({ code: 'params.bad-signature' }));
      const other = generateSigningKey(alg);
      expect(() => openParameters(env, [other.trustedKey])).toThrow(/does not verify with any trusted/);
    });
  }

  it('reject what is not an envelope with params.malformed', () => {
    expect(() => openParameters(new Uint8Array([0xff, 0x01]), [trustedKey])).toThrow(expect.objectContaining({ code: 'params.malformed' }));
    expect(() => openParameters(encodeLike(sealParameters(update('fares', 1, enc({})), signingKey), { version: -1 }), [trustedKey])).toThrow(expect.objectContaining({ code: 'params.malformed' }));
    expect(() => sealParameters(update('Fares!', 1, enc({})), signingKey)).toThrow(TypeError);
    expect(() => sealParameters(update('fares', 2, enc({}), 2), signingKey)).toThrow(RangeError);
  });

  it('trusted keys from their text form (configuration, --trust-key)', () => {
    const hex = Buffer.from(trustedKey.publicKey).toString('hex');
    expect(parseTrustedKey(`ed25519:${hex}`)).toMatchObject({ alg: 'ed25519', publicKey: trustedKey.publicKey });
    const p = generateSigningKey('p256').trustedKey;
    expect(parseTrustedKey(`p256:${Buffer.from(p.publicKey).toString('hex')}`).publicKey).toEqual(p.publicKey);
    expect(() => parseTrustedKey('rsa:00', 'config.backOfficeKeys[0]')).toThrow(/config.backOfficeKeys\[0\]: expected ed25519:HEX or p256:HEX/);
    expect(() => parseTrustedKey(`ed25519:${hex.slice(2)}`)).toThrow(/32 bytes/);
    expect(() => parseTrustedKey(`p256:05${'11'.repeat(32)}`)).toThrow(/not a valid p256 public key/);
  });

  it('parameterTopic routes full sets and deltas to separate retained topics', () => {
    expect(parameterTopic(sealParameters(update('denylist', 4, new Uint8Array(1)), signingKey))).toBe('shanfu/params/denylist');
    expect(parameterTopic(sealParameters(update('denylist', 5, new Uint8Array(1), 4), signingKey), { terminalId: 'BUS-7' })).toBe('shanfu/terminals/BUS-7/params/denylist/delta');
  });
});

// Same encoder settings as the real envelopes: byte strings untagged.
const raw = new Encoder({ tagUint8Array: false, useRecords: false });

/** Re-encodes an envelope with some fields replaced (an attacker who cannot sign). */
function encodeLike(env: Uint8Array, replace: object): Uint8Array {
  return raw.encode({ ...(decode(env) as object), ...replace });
}

describe('parameter downloader (offer)', () => {
  const bo = generateSigningKey('ed25519');
  const seal = (u: ParameterUpdate, key: SigningKey = bo.signingKey) => sealParameters(u, key);

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-params-'));
    const store = DenyListStore.empty();
    const deny = new DenyListSink(store, join(dir, 'denylist.bin'));
    const fares = new FileParameterSink({ dir, kind: 'fares', parse: PARAMETER_PARSERS.fares, trusted: [bo.trustedKey] });
    const terminal = new FileParameterSink({ dir, kind: 'terminal', parse: PARAMETER_PARSERS.terminal, trusted: [bo.trustedKey] });
    const capks = new FileParameterSink({ dir, kind: 'capks', parse: PARAMETER_PARSERS.capks, trusted: [bo.trustedKey] });
    const journal = new MemoryJournal({ terminalId: 'BUS-7', key: new Uint8Array(32) });
    const d = new ParameterDownloader({ terminalId: 'BUS-7', trustedKeys: [bo.trustedKey], sinks: [deny, fares, terminal, capks], journal, now: () => 1_800_000_000_000 });
    return { dir, store, deny, fares, terminal, capks, journal, d };
  }

  it('applies full and delta deny lists and keeps the current list on tampered, downgraded and wrong-base updates', async () => {
    const { d, store, dir } = setup();
    expect(await d.offer(seal(update('denylist', 1, fullList(1, [PAN_A]))), 'denylist')).toMatchObject({ outcome: 'applied', version: 1 });
    expect(denied(store, PAN_A)).toBe(true);
    const delta2 = buildDenyListFile({ version: 2, kind: 'delta', baseVersion: 1, salt: SALT, add: [{ pan: PAN_B }], remove: [{ pan: PAN_A }] });
    expect(await d.offer(seal(update('denylist', 2, delta2, 1)), 'denylist')).toMatchObject({ outcome: 'applied', version: 2, base: 1 });
    expect([denied(store, PAN_A), denied(store, PAN_B)]).toEqual([false, true]);
    // The merged list was saved atomically: a restarted terminal loads v2.
    expect(DenyListStore.fromFile(join(dir, 'denylist.bin')).version).toBe(2);

    // Replayed retained message: recognised, nothing applied, nothing rejected.
    expect(await d.offer(seal(update('denylist', 2, delta2, 1)), 'denylist')).toMatchObject({ outcome: 'current' });
    // The full list v2 the back office publishes beside the delta: the same version, not a reuse.
    expect(await d.offer(seal(update('denylist', 2, fullList(2, [PAN_B]))), 'denylist')).toMatchObject({ outcome: 'current' });
    // Downgrade: an old full list, validly signed.
    expect(await d.offer(seal(update('denylist', 1, fullList(1, [PAN_A]))), 'denylist')).toMatchObject({ outcome: 'rejected', reason: 'downgrade' });
    // Tampered: v3 whose payload was changed after signing.
    const env3 = seal(update('denylist', 3, fullList(3, [PAN_A, PAN_B])));
    const e3 = decode(env3) as { payload: Buffer };
    expect(await d.offer(encodeLike(env3, { payload: fullList(3, []) }), 'denylist')).toMatchObject({ outcome: 'rejected', reason: 'bad-signature' });
    // Signed by a key the terminal does not trust.
    expect(await d.offer(seal(update('denylist', 3, e3.payload), generateSigningKey().signingKey), 'denylist')).toMatchObject({ outcome: 'rejected', reason: 'bad-signature' });
    // A delta for a base the terminal does not run.
    const delta9 = buildDenyListFile({ version: 9, kind: 'delta', baseVersion: 8, salt: SALT, add: [{ pan: PAN_A }] });
    expect(await d.offer(seal(update('denylist', 9, delta9, 8)), 'denylist')).toMatchObject({ outcome: 'rejected', reason: 'base-mismatch' });
    // An envelope whose version disagrees with the file inside it.
    expect(await d.offer(seal(update('denylist', 5, fullList(4, []))), 'denylist')).toMatchObject({ outcome: 'rejected', reason: 'apply-failed' });
    // Through all of that the terminal kept v2, with the same lookups.
    expect(store.version).toBe(2);
    expect([denied(store, PAN_A), denied(store, PAN_B)]).toEqual([false, true]);
    const s = d.status();
    expect(s.running.find((r) => r.kind === 'denylist')).toMatchObject({ version: 2, appliedAt: 1_800_000_000_000 });
    expect(s.rejected.map((r) => r.reason)).toEqual(['downgrade', 'bad-signature', 'bad-signature', 'base-mismatch', 'apply-failed']);
  });

  it('a delta that arrives before its base is applied right after the base', async () => {
    const { d, store } = setup();
    const delta2 = buildDenyListFile({ version: 2, kind: 'delta', baseVersion: 1, salt: SALT, add: [{ pan: PAN_B }] });
    expect(await d.offer(seal(update('denylist', 2, delta2, 1)), 'denylist')).toMatchObject({ reason: 'base-mismatch' });
    await d.offer(seal(update('denylist', 1, fullList(1, [PAN_A]))), 'denylist');
    await d.idle();
    expect(store.version).toBe(2);
    expect([denied(store, PAN_A), denied(store, PAN_B)]).toEqual([true, true]);
  });

  it('fare tables, CA keys and terminal parameters: validated, stored, re-verified at start; bad ones rejected', async () => {
    const { d, dir, fares, terminal, capks, journal } = setup();
    expect(await d.offer(seal(update('fares', 1, busTable)), 'fares')).toMatchObject({ outcome: 'applied' });
    expect(fares.value).toMatchObject({ kind: 'bus', version: 'bus-2026.1' });
    // Signed correctly but not a valid fare table: rejected by the sink, v1 stays.
    const broken = JSON.parse(busTable.toString());
    broken.routes[0].fare = -5;
    const r = await d.offer(seal(update('fares', 2, enc(broken))), 'fares');
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'apply-failed' });
    expect((r as { message: string }).message).toMatch(/routes\[0\]\.fare/);
    expect(fares.version).toBe(1);
    // A fare table offered on the deny-list topic (a replay across topics).
    expect(await d.offer(seal(update('fares', 3, busTable)), 'denylist')).toMatchObject({ reason: 'wrong-kind' });
    // Same version, different content: refused.
    expect(await d.offer(seal(update('fares', 1, enc({ ...broken, routes: [{ id: 1, fare: 100 }] }))), 'fares')).toMatchObject({ reason: 'version-reused' });
    // Deltas are for the deny list only.
    expect(await d.offer(seal(update('fares', 2, busTable, 1)), 'fares')).toMatchObject({ reason: 'apply-failed' });
    // Terminal parameters and CA keys.
    expect(await d.offer(seal(update('terminal', 4, enc({ aids: [{ aid: 'A000000333010101', floorLimit: 0 }] }))), 'terminal')).toMatchObject({ outcome: 'applied' });
    expect(terminal.value?.aids[0]?.floorLimit).toBe(0);
    expect(await d.offer(seal(update('terminal', 5, enc({ aids: [], bogus: 1 }))), 'terminal')).toMatchObject({ reason: 'apply-failed' });
    const capk = { rid: 'A000000333', index: 'F1', modulus: 'C'.repeat(256), exponent: '03' };
    expect(await d.offer(seal(update('capks', 1, enc({ capks: [capk] }))), 'capks')).toMatchObject({ outcome: 'applied' });
    expect(capks.value?.capks).toHaveLength(1);
    expect(await d.offer(seal(update('capks', 2, enc({ capks: [{ ...capk, exponent: '05' }] }))), 'capks')).toMatchObject({ reason: 'apply-failed' });
    expect(capks.version).toBe(1);
    expect(await d.offer(seal(update('tariffs', 1, enc({}))), 'tariffs')).toMatchObject({ reason: 'unknown-kind' });

    // Every applied set is in the journal.
    const entries = await journal.exportPending(100);
    expect(entries.map((e) => [e.kind, (e.details as { kind: string }).kind])).toEqual([['params', 'fares'], ['params', 'terminal'], ['params', 'capks']]);

    // Restart: the stored envelopes are verified again and loaded.
    const again = new FileParameterSink({ dir, kind: 'fares', parse: PARAMETER_PARSERS.fares, trusted: [bo.trustedKey] });
    expect([again.version, again.loadProblem]).toEqual([1, null]);
    // Changed at rest: not trusted, the terminal waits for a fresh set.
    const file = join(dir, 'fares.params');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(file, bytes);
    const tampered = new FileParameterSink({ dir, kind: 'fares', parse: PARAMETER_PARSERS.fares, trusted: [bo.trustedKey] });
    expect(tampered.version).toBe(0);
    expect(tampered.loadProblem).toMatch(/signature does not verify|not CBOR|malformed/);
  });
});

const skip = brokerUnavailable();

describe.skipIf(skip)(`parameter sets over retained topics${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('a terminal picks up the retained sets, rejects a tampered and a downgraded one, and reports what it runs', async () => {
    const bo = generateSigningKey('p256');
    const url = broker.url;
    await publishParameters(sealParameters(update('denylist', 7, fullList(7, [PAN_A])), bo.signingKey), { url });
    await publishParameters(sealParameters(update('fares', 3, busTable), bo.signingKey), { url });

    const store = DenyListStore.empty();
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-params-mqtt-'));
    const fares = new FileParameterSink({ dir, kind: 'fares', parse: PARAMETER_PARSERS.fares, trusted: [bo.trustedKey] });
    const connection = new UplinkConnection({ url, backoffMinMs: 50 });
    const d = new ParameterDownloader({ terminalId: 'GATE-1', trustedKeys: [bo.trustedKey], sinks: [new DenyListSink(store), fares], connection });
    const applied: string[] = [];
    const rejected: string[] = [];
    d.on('applied', (r) => applied.push(`${r.kind}:${r.version}`));
    d.on('rejected', (r) => rejected.push(`${r.kind}:${r.version}:${r.reason}`));
    d.start();
    const wait = async (cond: () => boolean) => {
      for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      await d.idle();
    };
    await wait(() => applied.length === 2);
    expect(applied.sort()).toEqual(['denylist:7', 'fares:3']);

    // A tampered v8 and a downgraded v6 arrive on the same retained topic: both rejected, v7 stays.
    const env8 = sealParameters(update('denylist', 8, fullList(8, [PAN_A, PAN_B])), bo.signingKey);
    await publishParameters(encodeLike(env8, { payload: Buffer.from(fullList(8, [])) }), { url });
    await publishParameters(sealParameters(update('denylist', 6, fullList(6, [])), bo.signingKey), { url });
    await wait(() => rejected.length === 2);
    expect(rejected).toEqual(['denylist:8:bad-signature', 'denylist:6:downgrade']);
    expect(store.version).toBe(7);
    expect(denied(store, PAN_A)).toBe(true);

    // A genuine terminal-specific delta is applied.
    const delta = buildDenyListFile({ version: 8, kind: 'delta', baseVersion: 7, salt: SALT, add: [{ pan: PAN_B }] });
    await publishParameters(sealParameters(update('denylist', 8, delta, 7), bo.signingKey), { url, terminalId: 'GATE-1' });
    await wait(() => applied.length === 3);
    expect(store.version).toBe(8);

    // The retained status topic says what the terminal runs.
    const watcher = new UplinkConnection({ url });
    watcher.start();
    const client = await watcher.waitUp();
    const status = await new Promise<ParameterStatus>((resolve) => {
      client.on('message', (_t, p) => {
        const s = JSON.parse(p.toString()) as ParameterStatus;
        if (s.running.some((r) => r.kind === 'denylist' && r.version === 8)) resolve(s);
      });
      client.subscribe('shanfu/terminals/GATE-1/status', { qos: 1 });
    });
    expect(status.running.map((r) => [r.kind, r.version])).toEqual([['denylist', 8], ['fares', 3]]);
    expect(status.rejected.map((r) => r.reason)).toEqual(['bad-signature', 'downgrade']);
    await watcher.stop();
    await d.stop();
    await connection.stop();
  });
});
