/**
 * Traces end to end: a real kernel tap (debit-ec, fDDA with the test PKI) recorded through
 * RecordingReader around a VirtualReader, replayed through ReplayReader into a fresh kernel with
 * the same clock and unpredictable number; strict replay, masking, faults; and the recorder passes
 * the adapter conformance suite (it must be transparent).
 */
import { describe, expect, it } from 'vitest';
import { runReaderConformance } from '../hal/conformance/suite.js';
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { RecordingReader, ReplayReader, parseTrace, serializeTrace, type Trace } from '../hal/trace/index.js';
import type { ReaderMonitor } from '../hal/transport.js';
import { decodeTlv } from '../kernels/tlv/index.js';
import { Outcome, QuickPassKernel, reasonName } from '../kernels/qpboc/index.js';
import { defaultConfig } from '../src/config/index.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { driveTap, type Exchange } from '../src/terminal/drive.js';
import type { FaultSpec } from '../hal/virtual/faults.js';

const PAN = '6228480000000000018';
const CLOCK = Date.UTC(2026, 10, 27, 2, 0, 0);
const UN = [0x12, 0x34, 0x56, 0x78];

function kernel(): QuickPassKernel {
  const config = withTestPki(defaultConfig());
  return new QuickPassKernel(config, {
    oda: createOdaProvider(config),
    clock: () => CLOCK,
    random: (out, off, len) => {
      for (let i = 0; i < len; i++) out[off + i] = UN[i % UN.length]!;
    },
  });
}

async function recordTap(options: { mask?: boolean; faults?: FaultSpec[] } = {}) {
  const virtual = new VirtualReader({ name: 'virtual 0' });
  let emitted: Trace | null = null;
  const rec = new RecordingReader(virtual, { mask: options.mask, onTrace: (t) => (emitted = t) });
  virtual.present(createCard('debit-ec', { faults: options.faults ?? [] }));
  const session = await rec.waitForCard();
  const k = kernel();
  const exchanges: Exchange[] = [];
  rec.setInputs({ amount: 200, unpredictableNumber: '12345678' });
  await driveTap(k, session, { amount: 200 }, { exchanges });
  rec.setInputs({ date: String(k.transactionDate).padStart(8, '0'), time: String(k.transactionTime).padStart(6, '0') });
  await session.disconnect();
  await rec.close();
  return { k, exchanges, trace: emitted as Trace | null, last: rec.trace() };
}

async function replay(trace: Trace | string, strict = true) {
  const r = new ReplayReader(trace, { strict });
  const s = await r.waitForCard();
  const k = kernel();
  const exchanges: Exchange[] = [];
  await driveTap(k, s, { amount: 200 }, { exchanges });
  await s.disconnect();
  await r.close();
  return { k, exchanges };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('RecordingReader + ReplayReader on a real kernel tap', () => {
  it('records an approved debit-ec tap (terminal time is China time, UTC+8) with inputs, timings and the ATR, and hands it to onTrace on disconnect', async () => {
    const { k, exchanges, trace, last } = await recordTap({ mask: false });
    expect(k.outcome).toBe(Outcome.Approved);
    expect(trace).not.toBeNull();
    expect(last).toEqual(trace);
    const t = trace!;
    expect(t).toMatchObject({ format: 'shanfu-trace', version: 1, reader: 'virtual 0', masked: false, inputs: { amount: 200, date: '20261127', time: '100000', unpredictableNumber: '12345678' } });
    expect(t.exchanges.map((e) => [e.c, e.r])).toEqual(exchanges.map((e) => [hex(e.capdu), e.rapdu && hex(e.rapdu)]));
    for (let i = 1; i < t.exchanges.length; i++) expect(t.exchanges[i]!.t).toBeGreaterThanOrEqual(t.exchanges[i - 1]!.t);
    expect(t.exchanges.every((e) => e.us >= 0)).toBe(true);
    expect(parseTrace(serializeTrace(t))).toEqual(t);
  });

  it('replays the trace through a fresh kernel with the same clock and UN: same outcome, same APDUs', async () => {
    const rec = await recordTap({ mask: false });
    const json = serializeTrace(rec.trace!);
    const rep = await replay(json);
    expect({ outcome: rep.k.outcome, reason: reasonName(rep.k.reason) }).toEqual({ outcome: Outcome.Approved, reason: 'approved-offline' });
    expect(rep.exchanges.map((e) => hex(e.capdu))).toEqual(rec.exchanges.map((e) => hex(e.capdu)));
    expect(rep.exchanges.map((e) => e.rapdu && hex(e.rapdu))).toEqual(rec.exchanges.map((e) => e.rapdu && hex(e.rapdu)));
    expect(rep.k.balanceAfter).toBe(rec.k.balanceAfter);
  });

  it('strict replay fails with a protocol error naming the exchange when a recorded C-APDU differs by one byte', async () => {
    const { trace } = await recordTap({ mask: false });
    const t = structuredClone(trace!);
    const i = 2;
    const c = t.exchanges[i]!.c;
    const changed = c.slice(0, 2) + ((parseInt(c.slice(2, 4), 16) ^ 0x01).toString(16).toUpperCase().padStart(2, '0')) + c.slice(4);
    t.exchanges[i]!.c = changed;
    const r = new ReplayReader(t);
    const s = await r.waitForCard();
    const rx = new Uint8Array(512);
    for (let n = 0; n < i; n++) {
      const tx = Buffer.from(t.exchanges[n]!.c, 'hex');
      await s.transceive(tx, tx.length, rx);
    }
    const tx = Buffer.from(c, 'hex');
    const err = await s.transceive(tx, tx.length, rx).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'protocol' });
    expect((err as Error).message).toContain(`exchange ${i}`);
    expect((err as Error).message).toContain(c);
    expect((err as Error).message).toContain(changed);
    // Through the kernel: the tap ends (card fault → try again), not approved.
    const rep = await replay(t);
    expect(rep.k.outcome).toBe(Outcome.TryAgain);
    expect(rep.exchanges[i]!.error).toBe('protocol');
    // Non-strict replay ignores the C-APDU and serves the recorded answers.
    expect((await replay(t, false)).k.outcome).toBe(Outcome.Approved);
  });

  it('past the end of the trace the card is gone (card-removed)', async () => {
    const { trace } = await recordTap({ mask: false });
    const t = { ...trace!, exchanges: trace!.exchanges.slice(0, 3) };
    const rep = await replay(t);
    expect(rep.k.outcome).toBe(Outcome.TryAgain);
    expect(rep.exchanges[3]!.error).toBe('card-removed');
  });

  it('masks by default: no PAN digits beyond the first 6 and last 4 anywhere, TLV still decodes', async () => {
    const { k, trace } = await recordTap();
    expect(k.outcome).toBe(Outcome.Approved);
    const t = trace!;
    expect(t.masked).toBe(true);
    const all = serializeTrace(t).toUpperCase();
    const masked = '622848' + '9'.repeat(PAN.length - 10) + '0018';
    // BCD (5A, 57), odd-length PAN padded with F, and ASCII forms of the PAN are all gone.
    expect(all).not.toContain(PAN);
    expect(all).not.toContain(Buffer.from(PAN, 'ascii').toString('hex').toUpperCase());
    expect(all).toContain(`5A0A${masked}F`);
    let sawPan = false;
    let sawTrack2 = false;
    for (const e of t.exchanges) {
      if (!e.r || e.r.length <= 4) continue;
      const data = Buffer.from(e.r.slice(0, -4), 'hex');
      if (data[0] !== 0x70 && data[0] !== 0x77 && data[0] !== 0x6f) continue;
      const walk = (nodes: ReturnType<typeof decodeTlv>): void => {
        for (const n of nodes) {
          if (n.children) walk(n.children);
          if (n.tag === '5A') {
            sawPan = true;
            expect(n.value).toBe(`${masked}F`);
          }
          if (n.tag === '57') {
            sawTrack2 = true;
            expect(n.value!.startsWith(`${masked}D`)).toBe(true);
          }
        }
      };
      walk(decodeTlv(data));
    }
    expect(sawPan).toBe(true);
    expect(sawTrack2).toBe(true);
  });

  it('an unmasked recording keeps the PAN', async () => {
    const { trace } = await recordTap({ mask: false });
    expect(serializeTrace(trace!)).toContain(`5A0A${PAN}F`);
  });

  it("records a card pulled away mid-tap as error 'card-removed', and that replays to TryAgain", async () => {
    const { k, trace } = await recordTap({ mask: false, faults: [{ command: 5, action: 'leaveField' }] });
    expect(k.outcome).toBe(Outcome.TryAgain);
    const last = trace!.exchanges.at(-1)!;
    expect(last).toMatchObject({ r: null, error: 'card-removed' });
    expect(trace!.exchanges).toHaveLength(5);
    const text = serializeTrace(trace!);
    expect(JSON.parse(text).exchanges[4].error).toBe('card-removed');
    const rep = await replay(text);
    expect(rep.k.outcome).toBe(Outcome.TryAgain);
    expect(rep.exchanges.map((e) => hex(e.capdu))).toEqual(trace!.exchanges.map((e) => e.c));
  });

  it('freezes the inputs of a tap at disconnect, and a throwing onTrace does not fail the disconnect', async () => {
    const virtual = new VirtualReader();
    const rec = new RecordingReader(virtual, {
      onTrace: () => {
        throw new Error('sink down');
      },
    });
    virtual.present(createCard('debit-ec'));
    const s = await rec.waitForCard();
    rec.setInputs({ amount: 1 });
    const warned = new Promise((resolve) => process.once('warning', resolve));
    await s.disconnect();
    expect(String(await warned)).toContain('sink down');
    rec.setInputs({ amount: 2 });
    expect(rec.trace()!.inputs).toEqual({ amount: 1 });
    await rec.close();
  });

  it('forwards the reader monitor of the wrapped reader', async () => {
    const virtual = new VirtualReader();
    const rec = new RecordingReader(virtual);
    const seen: string[] = [];
    const off = rec.subscribe!((e) => seen.push(e.type));
    expect(rec.listenerCount).toBe(1);
    virtual.present(createCard('debit-ec'));
    virtual.remove();
    off();
    expect(rec.listenerCount).toBe(0);
    expect(seen).toEqual(expect.arrayContaining(['card-present', 'card-removed']));
    await rec.close();
    expect(new RecordingReader(new ReplayReader(parseTrace((await recordTap()).trace))).subscribe).toBeUndefined();
  });
});

runReaderConformance('RecordingReader(VirtualReader)', async (card) => {
  const virtual = new VirtualReader({ name: 'virtual rec' });
  const reader = new RecordingReader(virtual);
  return {
    reader,
    monitor: reader as RecordingReader & ReaderMonitor,
    present: async () => virtual.present(card),
    remove: async () => virtual.remove(),
    pendingWaits: () => virtual.pendingWaits,
    close: () => reader.close(),
  };
});
