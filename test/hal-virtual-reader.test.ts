/**
 * VirtualReader: the adapter conformance suite, plus what only an in-process reader can show
 * (simulated latency, emulator fault injection, close semantics).
 */
import { describe, expect, it } from 'vitest';
import { runReaderConformance } from '../hal/conformance/suite.js';
import { ConformanceCard, SELECT_PPSE } from '../hal/conformance/test-card.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { TransportError, type ReaderEvent } from '../hal/transport.js';

runReaderConformance('VirtualReader', async (card) => {
  const reader = new VirtualReader({ name: 'virtual 0' });
  return {
    reader,
    monitor: reader,
    present: async () => reader.present(card),
    remove: async () => reader.remove(),
    pendingWaits: () => reader.pendingWaits,
    close: () => reader.close(),
  };
});

describe('VirtualReader', () => {
  const rx = new Uint8Array(512);

  it('resolves a pending waitForCard when a card is presented', async () => {
    const r = new VirtualReader();
    const p = r.waitForCard();
    expect(r.pendingWaits).toBe(1);
    r.present(new ConformanceCard());
    const s = await p;
    expect(await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).toBeGreaterThan(2);
    expect(r.pendingWaits).toBe(0);
  });

  it("fails a session opened on an earlier tap with 'card-removed', even when a new card is there", async () => {
    const r = new VirtualReader();
    r.present(new ConformanceCard());
    const old = await r.waitForCard();
    r.remove();
    r.present(new ConformanceCard());
    await expect(old.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).rejects.toMatchObject({ code: 'card-removed' });
  });

  it('waits lastExchangeMicros per exchange when latency simulation is on, and loses the answer on removal during it', async () => {
    const card = new ConformanceCard();
    card.lastExchangeMicros = 30_000;
    const r = new VirtualReader({ simulateLatency: true });
    r.present(card);
    const s = await r.waitForCard();
    const t0 = performance.now();
    await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    const p = s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    setTimeout(() => r.remove(), 5);
    await expect(p).rejects.toBeInstanceOf(TransportError);
    await expect(p).rejects.toMatchObject({ code: 'card-removed' });
  });

  it('emits attach, present, removed and detach in order, and close rejects waiting callers', async () => {
    const r = new VirtualReader({ name: 'v' });
    const events: string[] = [];
    r.subscribe((e: ReaderEvent) => events.push(e.type));
    await Promise.resolve();
    r.present(new ConformanceCard());
    r.remove();
    const waiting = r.waitForCard();
    await r.close();
    await expect(waiting).rejects.toMatchObject({ code: 'closed' });
    expect(events).toEqual(['reader-attached', 'card-present', 'card-removed', 'reader-detached']);
    expect(r.listenerCount).toBe(0);
    await expect(r.waitForCard()).rejects.toMatchObject({ code: 'closed' });
  });

  it('powers the card on when presented and off when removed', () => {
    const r = new VirtualReader();
    const card = new ConformanceCard();
    r.present(card);
    expect(card.powered).toBe(true);
    r.remove();
    expect(card.powered).toBe(false);
  });
});
