/**
 * The adapter conformance suite: one set of behaviours every Reader adapter must show, run
 * against the VirtualReader (test/hal-virtual-reader.test.ts) and the PC/SC path through pcscd +
 * vpcd (test/pcsc-vpcd.test.ts). Call it inside a vitest file; it registers tests.
 *
 * The factory gets the suite's ConformanceCard and returns a harness that can put that card into
 * the reader's field and take it out — directly (virtual reader) or through the vpcd bridge.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, type Reader, type ReaderEvent, type ReaderMonitor } from '../transport.js';
import { ConformanceCard, FCI_PPSE, LONG_DATA, RECORD_1, SELECT_PPSE } from './test-card.js';

export type ConformanceHarness = {
  reader: Reader;
  monitor: ReaderMonitor;
  /** The card enters the field; resolves when the adapter could see it. */
  present(): Promise<void>;
  /** The card leaves the field. */
  remove(): Promise<void>;
  /** Pending internal waits (waitForCard / change waits) — 0 when idle; for leak checks. */
  pendingWaits(): number;
  close(): Promise<void>;
};

export type ConformanceFactory = (card: ConformanceCard) => Promise<ConformanceHarness>;

export type ConformanceOptions = {
  /** How long events may take to arrive (pcscd polls vpcd for presence). Default 1000 ms. */
  eventTimeoutMs?: number;
  /** Reason to skip the whole suite (e.g. pcscd missing), or undefined to run it. */
  skip?: string;
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** Waits for the first event matching `pred` (rejects after `ms`), unsubscribing either way. */
export function nextEvent(monitor: ReaderMonitor, pred: (e: ReaderEvent) => boolean, ms: number): Promise<ReaderEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching reader event within ${ms} ms`));
    }, ms);
    const off = monitor.subscribe((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

export function runReaderConformance(name: string, factory: ConformanceFactory, options: ConformanceOptions = {}): void {
  const ms = options.eventTimeoutMs ?? 1000;
  describe.skipIf(options.skip !== undefined)(`reader conformance: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    const card = new ConformanceCard();
    let h: ConformanceHarness;
    const rx = new Uint8Array(1024);

    beforeAll(async () => {
      h = await factory(card);
    });
    afterEach(async () => {
      await h.remove();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('reports card-present with the ATR and card-removed', async () => {
      const seen = nextEvent(h.monitor, (e) => e.type === 'card-present' && e.reader === h.reader.name, ms);
      await h.present();
      const e = await seen;
      expect(e.type === 'card-present' && hex(e.atr)).toBe(hex(card.atr));
      const gone = nextEvent(h.monitor, (e) => e.type === 'card-removed' && e.reader === h.reader.name, ms);
      await h.remove();
      await gone;
    });

    it('round-trips a SELECT PPSE and an echo of every byte value', async () => {
      await h.present();
      const s = await h.reader.waitForCard();
      expect(hex(s.atr)).toBe(hex(card.atr));
      const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
      expect(hex(rx.subarray(0, n))).toBe(hex(FCI_PPSE) + '9000');
      const data = Uint8Array.from({ length: 200 }, (_, i) => (i * 31 + 1) & 0xff);
      const echo = new Uint8Array(5 + data.length);
      echo.set([0x80, 0xee, 0x00, 0x00, data.length]);
      echo.set(data, 5);
      const m = await s.transceive(echo, echo.length, rx);
      expect(hex(rx.subarray(0, m))).toBe(hex(data) + '9000');
      await s.disconnect();
    });

    it('follows 61xx with GET RESPONSE and re-issues on 6Cxx', async () => {
      await h.present();
      const s = await h.reader.waitForCard();
      const before = card.commands;
      const n = await s.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx);
      expect(hex(rx.subarray(0, n))).toBe(hex(LONG_DATA) + '9000');
      expect(card.commands - before).toBe(3); // GET DATA, GET RESPONSE ×2
      const m = await s.transceive(Uint8Array.of(0x00, 0xb2, 0x01, 0x0c, 0x00), 5, rx);
      expect(hex(rx.subarray(0, m))).toBe(hex(RECORD_1) + '9000');
      await s.disconnect();
    });

    it("rejects with 'response-too-long' when rx is too small", async () => {
      await h.present();
      const s = await h.reader.waitForCard();
      const small = new Uint8Array(16);
      await expect(s.transceive(SELECT_PPSE, SELECT_PPSE.length, small)).rejects.toMatchObject({ code: 'response-too-long' });
      await s.disconnect();
    });

    it("rejects with TransportError 'card-removed' when the card leaves mid-exchange, and the next tap works", async () => {
      await h.present();
      const s = await h.reader.waitForCard();
      card.leaveOnNextCommand();
      const err = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe('card-removed');
      expect((err as TransportError).isCardFault).toBe(true);
      await s.disconnect();
      await h.remove();
      await h.present();
      const s2 = await h.reader.waitForCard();
      const n = await s2.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
      expect(hex(rx.subarray(n - 2, n))).toBe('9000');
      await s2.disconnect();
    });

    it("disconnect twice is safe; transceive afterwards rejects 'closed'", async () => {
      await h.present();
      const s = await h.reader.waitForCard();
      await s.disconnect();
      await s.disconnect();
      await expect(s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).rejects.toMatchObject({ code: 'closed' });
    });

    it('waitForCard honours an AbortSignal and leaves no pending wait', async () => {
      await h.remove();
      const ac = new AbortController();
      const p = h.reader.waitForCard(ac.signal);
      ac.abort(new Error('stop waiting'));
      await expect(p).rejects.toThrow('stop waiting');
      expect(h.pendingWaits()).toBe(0);
    });

    it('leaks no listeners or handles over 5 taps', async () => {
      const baseListeners = h.monitor.listenerCount;
      const tap = async () => {
        const seen = nextEvent(h.monitor, (e) => e.type === 'card-present', ms);
        await h.present();
        await seen;
        const s = await h.reader.waitForCard();
        await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
        await s.disconnect();
        const gone = nextEvent(h.monitor, (e) => e.type === 'card-removed', ms);
        await h.remove();
        await gone;
      };
      await tap(); // warm-up: lazily created handles exist from here on
      const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'TTYWrap').length;
      const base = handles();
      for (let i = 0; i < 5; i++) await tap();
      expect(h.monitor.listenerCount).toBe(baseListeners);
      expect(h.pendingWaits()).toBe(0);
      expect(handles()).toBeLessThanOrEqual(base);
    });
  });
}
