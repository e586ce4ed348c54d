/**
 * The PC/SC adapter through the real pcscd + vsmartcard-vpcd, with the vpcd bridge as the card:
 * the adapter conformance suite, a plain QuickPass-style read script, opensc-tool seeing the card,
 * the CLI, and pcscd killed and restarted mid-session.
 *
 * One file on purpose: these tests share one pcscd and one vpcd port, and restart pcscd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runReaderConformance, nextEvent } from '../hal/conformance/suite.js';
import { SELECT_PPSE } from '../hal/conformance/test-card.js';
import { openPcsc, type PcscReader, type PcscService, type PcscSession } from '../hal/pcsc/index.js';
import { FIELD_GAP_MS, VpcdBridge } from '../hal/virtual/vpcd.js';
import { decodeTlv, type TlvNode } from '../kernels/tlv/tree.js';
import { TransportError, type CardSession, type ReaderEvent } from '../hal/transport.js';
import type { CardEmulator } from '../hal/virtual/emulator.js';
import { QuickPassKernel, Outcome, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import { createCard } from '../hal/virtual/personalities.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { driveTap, type Exchange } from '../src/terminal/drive.js';
import { mayskip, pcscMissing, startPcscd, type PcscdHandle } from './pcsc-env.js';

const missing = pcscMissing();
const skip = missing && mayskip ? missing : undefined;
const READER = 'Virtual PCD 00 00';
/** The tap-read tests use vpcd's second reader (port 35964), so no card of another test can linger there. */
const READER_2 = 'Virtual PCD 00 01';
const PORT_2 = 35964;
/** Runs a program without blocking our event loop (the virtual card answers from this process). */
const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, { encoding: 'utf8', timeout: 30_000 }).then(
    (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ status: e.code ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

let env: PcscdHandle | undefined;
let host = '127.0.0.1';

/** The card under test for the read script: the QuickPass virtual card when it exists, else the suite card. */
async function quickPassCard(): Promise<{ card: CardEmulator; real: boolean }> {
  try {
    const m = (await import('../hal/virtual/personalities.js' as string)) as { createCard(name: string): CardEmulator };
    return { card: m.createCard('debit-ec'), real: true };
  } catch {
    const { ConformanceCard } = await import('../hal/conformance/test-card.js');
    return { card: new ConformanceCard(), real: false };
  }
}

describe.skipIf(skip !== undefined)(`PC/SC through pcscd + vpcd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('has the PC/SC stack (in CI it must be installed)', () => {
    expect(missing).toBeUndefined();
  });

  beforeAll(async () => {
    env = await startPcscd();
    host = env.quickack.host;
  });

  afterAll(async () => {
    await env?.stop();
  });

  runReaderConformance(
    'PcscReader via vpcd',
    async (card) => {
      const bridge = new VpcdBridge(card, { host });
      const service = await openPcsc();
      const reader = await service.waitForReader(READER);
      const seen = (present: boolean) =>
        service.readers().some((r) => r.name === READER && r.cardPresent === present);
      const until = async (present: boolean) => {
        if (seen(present)) return;
        await nextEvent(service, (e) => e.reader === READER && e.type === (present ? 'card-present' : 'card-removed'), 5000);
      };
      return {
        reader,
        monitor: service,
        present: async () => {
          bridge.present();
          await until(true);
        },
        remove: async () => {
          bridge.remove();
          await until(false);
        },
        pendingWaits: () => service.pendingWaits,
        close: async () => {
          await reader.close();
          await bridge.stop();
          await service.close();
        },
      };
    },
    { eventTimeoutMs: 5000 },
  );

  describe('a tap read through pcsclite', () => {
    let service: PcscService;
    let bridge: VpcdBridge;
    let real = false;

    beforeAll(async () => {
      const c = await quickPassCard();
      real = c.real;
      bridge = new VpcdBridge(c.card, { host, port: PORT_2 });
      bridge.present();
      service = await openPcsc();
    });
    afterAll(async () => {
      await bridge?.stop();
      await service?.close();
    });

    it('reads SELECT PPSE / SELECT AID / GPO / READ RECORD', async () => {
      const reader = await service.waitForReader(READER_2);
      const s = await reader.waitForCard();
      const rx = new Uint8Array(1024);
      const sw = (n: number) => hex(rx.subarray(n - 2, n));
      let n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
      expect(sw(n)).toBe('9000');
      const aidHex = findTag(decodeTlv(rx, 0, n - 2), '4F') ?? '';
      expect(aidHex).toMatch(/^A000000333/);
      if (!real) return; // the suite card has no application behind its PPSE
      const select = h(`00A40400${(aidHex.length / 2).toString(16).padStart(2, '0')}${aidHex}00`);
      n = await s.transceive(select, select.length, rx);
      expect(sw(n)).toBe('9000');
      // GPO with a PDOL filled with zeros of the right length (enough for the card to answer).
      const pdolLen = pdolLength(findTag(decodeTlv(rx, 0, n - 2), '9F38') ?? '');
      const gpoData = `83${pdolLen.toString(16).padStart(2, '0')}${'00'.repeat(pdolLen)}`;
      const gpo = h(`80A80000${(gpoData.length / 2).toString(16).padStart(2, '0')}${gpoData}00`);
      n = await s.transceive(gpo, gpo.length, rx);
      expect(['9000', '6985', '6984']).toContain(sw(n));
      const read = h('00B2010C00');
      n = await s.transceive(read, read.length, rx);
      expect(n).toBeGreaterThanOrEqual(2);
      await s.disconnect();
    });

    it("reports 'access-denied' when another program holds the card exclusively, and T=1 as negotiated protocol", async () => {
      const other = await openPcsc({ shareMode: 'exclusive', protocol: 'T1' });
      try {
        const held = await (await other.waitForReader(READER_2)).waitForCard();
        expect((held as import('../hal/pcsc/index.js').PcscSession).protocol).toBe(2); // SCARD_PROTOCOL_T1
        const err = await (await service.waitForReader(READER_2)).waitForCard().catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'access-denied' });
        await held.disconnect();
        const s = await (await service.waitForReader(READER_2)).waitForCard();
        await s.disconnect();
      } finally {
        await other.close();
      }
    });

    it('is seen by opensc-tool (the card answers a SELECT PPSE from another PC/SC client)', async () => {
      const r = await run('opensc-tool', ['-r', '1', '-s', '00A404000E325041592E5359532E444446303100']);
      expect(r.stdout).toMatch(/Received \(SW1=0x90, SW2=0x00\)/);
      expect(r.stdout).toMatch(/2PAY\.SYS\.DDF/);
    });

    it('lists the reader and sends APDUs from the CLI', async () => {
      const readers = await run(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'readers', '--json']);
      expect(readers.status).toBe(0);
      const list = JSON.parse(readers.stdout) as { name: string; kind: string; cardPresent: boolean }[];
      expect(list).toContainEqual(expect.objectContaining({ name: READER_2, kind: 'contactless', cardPresent: true }));
      const apdu = await run(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'apdu', '--reader', READER_2, hex(SELECT_PPSE)]);
      expect(apdu.status).toBe(0);
      expect(apdu.stdout).toMatch(/SW 9000/);
      expect(apdu.stdout).toMatch(/6F /);
    });

    it('`shanfu record --reader` records a tap through PC/SC as a trace and a QA case that replays', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shanfu-record-'));
      const trace = join(dir, 'tap.trace.json');
      const kase = join(dir, 'tap.case.json');
      const cli = ['--import', 'tsx', 'src/cli/dev.ts'];
      const rec = await run(process.execPath, [...cli, 'record', '--reader', READER_2, '--out', trace, '--amount', '2.00', '--no-mask',
        '--case', kase, '--id', 'pcsc-recorded', '--wait', '10']);
      expect(rec.status, rec.stderr).toBe(0);
      const t = JSON.parse(readFileSync(trace, 'utf8')) as { reader: string; masked: boolean; exchanges: { c: string; r: string | null }[] };
      expect(t.reader).toBe(READER_2);
      expect(t.masked).toBe(false);
      expect(t.exchanges[0]!.c).toBe(hex(SELECT_PPSE));
      expect(t.exchanges.length).toBeGreaterThanOrEqual(8);
      const replay = await run(process.execPath, [...cli, 'replay', kase]);
      expect(replay.status, replay.stdout + replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/1 passed, 0 failed/);
    });

    it('`shanfu validate` runs the validator loop on the PC/SC reader: the tap is approved, the loop ends when the card leaves', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'validate', '--profile', 'bus', '--reader', READER_2, '--taps', '1', '--json'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      const events: { type: string; tap?: { outcomeName: string; reason: string; charged: number } }[] = [];
      let buf = '';
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const e = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          events.push(e);
          if (e.type === 'feedback') bridge.remove(); // the passenger takes the card away
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      bridge.present(); // back in the field for whatever runs next
      expect(code, stderr).toBe(0);
      const tap = events.find((e) => e.type === 'tap')!.tap!;
      expect([tap.outcomeName, tap.reason, tap.charged]).toEqual(['approved', 'approved-offline', 200]);
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['card-present', 'tap', 'feedback', 'card-removed', 'stopped']));
    });
  });

  describe('a card that stops answering', () => {
    it("rejects with 'timeout' after transmitTimeoutMs, and the session ends cleanly once the card is gone", async () => {
      // A raw vpcd client: answers power and ATR controls, never an APDU.
      await new Promise((r) => setTimeout(r, FIELD_GAP_MS));
      const { Socket } = await import('node:net');
      const sock = new Socket();
      const atr = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (msg.length === 1 && msg[0] === 0x04) sock.write(Buffer.concat([Buffer.of(0, atr.length), atr]));
        }
      });
      sock.on('error', () => undefined);
      sock.connect(35963, host);
      const service = await openPcsc({ transmitTimeoutMs: 300 });
      try {
        const reader = await service.waitForReader(READER);
        const s = await reader.waitForCard(AbortSignal.timeout(10_000));
        const t0 = performance.now();
        const err = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, new Uint8Array(64)).catch((e: unknown) => e);
        expect(performance.now() - t0).toBeLessThan(2000);
        expect(err).toMatchObject({ code: 'timeout' });
        expect((err as TransportError).isCardFault).toBe(true);
        await expect(s.transceive(SELECT_PPSE, SELECT_PPSE.length, new Uint8Array(64))).rejects.toMatchObject({ code: 'closed' });
        sock.destroy(); // the card leaves: the blocked native transmit returns
        await s.disconnect();
      } finally {
        sock.destroy();
        await service.close();
        // Let pcscd see this card leave before the next test's card enters (see FIELD_GAP_MS).
        await new Promise((r) => setTimeout(r, FIELD_GAP_MS));
      }
    });
  });

  describe('a QuickPass tap with fDDA cut at every command (card removed, powered off, bridge stopped)', () => {
    // The issue's "remove the card at every step of a tap": the debit-ec card leaves the field at
    // command N (N = 1..last) of a full tap through pcsclite + pcscd + vpcd, and every cut tap must
    // end in TryAgain card-removed with a typed TransportError, the next tap on the same reader
    // approves, and nothing leaks. A cut makes the card leave (vpcd sees the socket close), so
    // each N costs one field transition (~1 s: FIELD_GAP_MS + pcscd's 400 ms presence poll); the
    // fault taps themselves need none (the card is powered on again at connect).
    const config = withTestPki(defaultConfig());
    const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config) });
    const card = createCard('debit-ec');
    const app = () => card.state.apps['A000000333010101']!;
    let service: PcscService;
    let bridge: VpcdBridge;
    let reader: PcscReader;
    /** Card-side events of the reader under test (card-present / card-removed / reader-*). */
    const events: ReaderEvent['type'][] = [];
    let off: () => void = () => undefined;

    /** The bridge stops after the card answered exchange `stopAtApdu` (counted from arming), before sending the answer (0: never). */
    let stopAtApdu = 0;
    let apdusSinceArmed = 0;
    /** A bridge for the card that can stop itself mid-exchange: its 'apdu' event fires after the card answered and before the answer is sent. */
    function newBridge(): VpcdBridge {
      const b = new VpcdBridge(card, { host, port: PORT_2, traceApdus: true });
      b.onEvent((e) => {
        if (e.type !== 'apdu' || stopAtApdu === 0) return;
        if (++apdusSinceArmed === stopAtApdu) {
          stopAtApdu = 0;
          void b.stop();
        }
      });
      return b;
    }

    beforeAll(async () => {
      bridge = newBridge();
      bridge.present();
      service = await openPcsc();
      off = service.subscribe((e) => e.reader === READER_2 && events.push(e.type));
      reader = await service.waitForReader(READER_2);
    });
    afterAll(async () => {
      off();
      await reader?.close();
      await bridge?.stop();
      await service?.close();
    });

    /** One tap; `wrap` may interpose on the session (to act between commands). */
    async function tap(wrap?: (s: CardSession) => CardSession): Promise<{ log: Exchange[]; answered: number }> {
      const s = await reader.waitForCard(AbortSignal.timeout(15_000));
      const before = bridge.exchanges;
      const log: Exchange[] = [];
      await driveTap(kernel, wrap ? wrap(s) : s, { amount: 200 }, { exchanges: log });
      await s.disconnect();
      return { log, answered: bridge.exchanges - before };
    }

    async function approvedTap(): Promise<void> {
      const balance = app().ecBalance;
      const { log } = await tap();
      expect({ outcome: outcomeName(kernel.outcome), reason: reasonName(kernel.reason), errors: log.filter((e) => e.error).map((e) => e.error) }).toEqual({
        outcome: 'approved',
        reason: 'approved-offline',
        errors: [],
      });
      expect(kernel.card.has(0x9f4b)).toBe(true); // fDDA ran
      expect(app().ecBalance).toBe(balance - 200);
    }

    /** Expects the last tap to have ended at command `n` with a typed card fault, TryAgain card-removed. */
    function expectCut(r: { log: Exchange[]; answered: number }, n: number, codes: readonly string[] = ['card-removed']): void {
      expect({ outcome: outcomeName(kernel.outcome), reason: reasonName(kernel.reason) }).toEqual({ outcome: 'try-again', reason: 'card-removed' });
      expect(r.log).toHaveLength(n);
      expect(codes).toContain(r.log[n - 1]!.error);
    }

    let baseline: LeakCounts;
    let last = 0;

    it('approves a full tap first (the baseline for the leak count)', async () => {
      await approvedTap();
      last = kernel.apduCount;
      expect(last).toBeGreaterThanOrEqual(6); // SELECT PPSE, SELECT AID, GPO, READ RECORD ×n
      baseline = leakCounts(service);
    });

    it('the card leaves at command N = 1..last: TryAgain card-removed, the card is not debited, and the next tap approves', async () => {
      expect(last).toBeGreaterThan(0);
      for (let n = 1; n <= last; n++) {
        const balance = app().ecBalance;
        const present = nextEvent(service, (e) => e.reader === READER_2 && e.type === 'card-present', 10_000);
        card.faults.add({ command: n, action: 'leaveField' });
        const r = await tap();
        expect(r.answered, `cut at command ${n}`).toBe(n - 1);
        expectCut(r, n);
        expect(kernel.torn, `cut at command ${n}`).toBe(n > 3); // torn from GPO's response to the last record's (facts §7.2)
        expect(app().ecBalance).toBe(balance);
        expect(bridge.state).toBe('removed');
        bridge.present(); // the card is tapped again
        await present;
        await approvedTap();
      }
    });

    it('the last command is processed but its answer lost: TryAgain card-removed, torn, the card did debit', async () => {
      const balance = app().ecBalance;
      card.faults.add({ command: last, action: 'leaveField', processed: true });
      const r = await tap();
      expectCut(r, last);
      expect(kernel.torn).toBe(true);
      expect(app().ecBalance).toBe(balance - 200);
      bridge.present();
      await approvedTap();
    });

    it('another PC/SC client resets the card between GPO and the records: card-removed, and the next tap approves without a new field entry', async () => {
      const other = await openPcsc();
      try {
        const otherReader = await other.waitForReader(READER_2);
        // Before the first READ RECORD, the card is powered off and on under our handle.
        const firstRecord = (tx: Uint8Array) => tx[1] === 0xb2 && tx[2] === 0x01 && tx[3] === 0x0c;
        const r = await tap((s) => beforeCommand(s, firstRecord, async () => ((await otherReader.waitForCard()) as PcscSession).disconnectWith('reset')));
        expectCut(r, 4);
        expect(kernel.torn).toBe(true);
      } finally {
        await other.close();
      }
      await approvedTap();
    });

    it('the vpcd bridge is stopped mid-exchange (its TCP connection closed before the answer): a typed card fault, a card-removed event, and a new bridge serves the next tap', async () => {
      stopAtApdu = 5;
      apdusSinceArmed = 0;
      const gone = nextEvent(service, (e) => e.reader === READER_2 && e.type === 'card-removed', 10_000);
      const r = await tap();
      expectCut(r, 5);
      expect(bridge.state).toBe('stopped');
      await gone; // the monitor reports the card gone
      bridge = newBridge();
      bridge.present();
      await approvedTap();
    });

    it('the vpcd bridge is stopped between two commands (pcscd still sees the card): a typed card fault, and the next tap approves', async () => {
      const r = await tap((s) => beforeCommand(s, (tx) => tx[1] === 0xa8, () => bridge.stop())); // before GPO
      expectCut(r, 3, ['card-removed', 'protocol', 'timeout']);
      bridge = newBridge();
      bridge.present();
      await approvedTap();
    });

    it('leaks no file descriptor, listener, wait or handle over all those taps and faults', () => {
      expect(baseline).toBeDefined();
      expect(leakCounts(service)).toEqual(baseline);
      expect(events.filter((e) => e === 'reader-detached')).toEqual([]);
    });
  });

  describe('pcscd killed and restarted mid-session', () => {
    it('fails the exchange with a typed service/reader fault, keeps the process alive, and the next tap works', async (ctx) => {
      if (!env?.child) ctx.skip(); // a pcscd we did not start is never killed
      const { ConformanceCard } = await import('../hal/conformance/test-card.js');
      const bridge = new VpcdBridge(new ConformanceCard(), { host, maxBackoffMs: 500 });
      bridge.present();
      const service = await openPcsc({ maxBackoffMs: 500 });
      const events: ReaderEvent['type'][] = [];
      const off = service.subscribe((e) => e.reader === READER && events.push(e.type));
      try {
        const reader = await service.waitForReader(READER);
        const s = await reader.waitForCard();
        const rx = new Uint8Array(512);
        expect(await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).toBeGreaterThan(2);
        const before = leakCounts(service);

        await env!.kill();
        // The card leaves while pcscd is down and comes back once our context is up again. With the
        // card side in this process it must: pcsclite opens a context synchronously
        // (SCardEstablishContext in its constructor), and a pcscd that powers up a vpcd card during
        // its start waits for that card's answer — measured: both wait forever when the bridge
        // reconnects first (see hal/virtual/vpcd.ts).
        bridge.remove();
        const err = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TransportError);
        expect(['service-unavailable', 'reader-removed']).toContain((err as TransportError).code);
        expect((err as TransportError).isCardFault).toBe(false);
        await s.disconnect();

        await env!.start();
        while (!service.serviceUp) await service.nextChange(AbortSignal.timeout(15_000));
        bridge.present();
        const s2 = await reader.waitForCard(AbortSignal.timeout(15_000));
        const n = await s2.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
        expect(hex(rx.subarray(n - 2, n))).toBe('9000');
        await s2.disconnect();
        // The dead context's sockets and reader threads are gone; nothing was added but the new context's.
        expect(leakCounts(service)).toEqual(before);
        expect(service.contexts).toBeGreaterThanOrEqual(2);
        expect(events).toContain('reader-detached');
        expect(events.lastIndexOf('reader-attached')).toBeGreaterThan(events.indexOf('reader-detached'));
      } finally {
        off();
        await bridge.stop();
        await service.close();
      }
    });
  });
  // Last in the file: it runs after the pcscd restart above, against the restarted pcscd.
  describe('`shanfu sim` and a full QuickPass tap through pcsclite', () => {
    // The virtual card runs in another process, as a user runs it: `shanfu sim --card debit-ec`.
    let sim: ChildProcess | undefined;
    afterAll(async () => {
      if (sim && sim.exitCode === null) {
        const exited = new Promise((r) => sim!.once('exit', r));
        sim.kill('SIGTERM');
        const timer = setTimeout(() => sim!.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      // Let pcscd see this card leave before the next test's card enters (see FIELD_GAP_MS).
      await new Promise((r) => setTimeout(r, 2 * FIELD_GAP_MS));
    });

    it('runs SELECT PPSE to an offline approval with fDDA, in-process and from `shanfu pay --reader`', async () => {
      await new Promise((r) => setTimeout(r, FIELD_GAP_MS)); // let pcscd see the earlier card leave
      sim = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'sim', '--card', 'debit-ec', '--host', host], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      sim.stdout!.on('data', (d) => (out += d));
      sim.stderr!.on('data', (d) => (out += d));
      const service = await openPcsc();
      try {
        const reader = await service.waitForReader(READER, AbortSignal.timeout(20_000));
        const session = await reader.waitForCard(AbortSignal.timeout(20_000));
        const config = withTestPki(defaultConfig());
        const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config) });
        await driveTap(kernel, session, { amount: 200 });
        await session.disconnect();
        await reader.close();
        expect({ outcome: kernel.outcome, reason: reasonName(kernel.reason), oda: kernel.odaFailure }, out).toEqual({ outcome: Outcome.Approved, reason: 'approved-offline', oda: 0 });
        expect(kernel.card.has(0x9f4b)).toBe(true); // the tap was authenticated by fDDA
        expect(kernel.balanceAfter).toBe(49800);
      } finally {
        await service.close();
      }
      const pay = await run(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'pay', '--reader', READER, '--amount', '1.00', '--json', '--wait', '20']);
      expect(pay.status, pay.stderr).toBe(0);
      expect(JSON.parse(pay.stdout)).toMatchObject({ outcome: 'Approved', atc: 2, balanceAfter: '497.00' });
    });
  });
});

/** `s`, with `action` awaited before each command that matches `pred` is sent. */
function beforeCommand(s: CardSession, pred: (tx: Uint8Array) => boolean, action: () => Promise<void>): CardSession {
  return {
    atr: s.atr,
    disconnect: () => s.disconnect(),
    transceive: async (tx, txLen, rx) => {
      if (pred(tx)) await action();
      return s.transceive(tx, txLen, rx);
    },
  };
}

type LeakCounts = { fds: number; monitorListeners: number; processListeners: number; pendingWaits: number; handles: number };

/** Open descriptors, listeners, waits and libuv handles that a leak would grow (after a full GC). */
function leakCounts(service: PcscService): LeakCounts {
  collectGarbage();
  return {
    fds: readdirSync('/proc/self/fd').length,
    monitorListeners: service.listenerCount,
    processListeners: process.eventNames().reduce((a, e) => a + process.listenerCount(e), 0),
    pendingWaits: service.pendingWaits,
    handles: process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'TTYWrap').length,
  };
}

/**
 * A full garbage collection. pcsclite releases a closed context's socket to pcscd only in its
 * native destructor, when the JS object is collected (pcsclite 1.0.1 src/pcsclite.cpp ~PCSCLite,
 * src/cardreader.cpp ~CardReader), so a descriptor count is only meaningful after one.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The value of the first `tag` in a decoded tree (depth first). */
function findTag(nodes: TlvNode[], tag: string): string | undefined {
  for (const n of nodes) {
    if (n.tag === tag && n.value !== undefined) return n.value;
    const inner = n.children && findTag(n.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

/** Sum of the lengths in a DOL (tag ‖ length pairs, hex). */
function pdolLength(dolHex: string): number {
  const dol = h(dolHex);
  let total = 0;
  for (let p = 0; p < dol.length; ) {
    if ((dol[p++]! & 0x1f) === 0x1f) while (p < dol.length && dol[p++]! & 0x80);
    total += dol[p++] ?? 0;
  }
  return total;
}
