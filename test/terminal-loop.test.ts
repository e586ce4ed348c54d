/**
 * Terminal: the validator loop on a VirtualReader with the real kernel and the real ODA engines.
 * Approvals, declines, anti-passback (injected clock), journal-before-outcome, journal failure,
 * abort, reader faults, feedback through reader capabilities, run() with removal.
 */
import { describe, expect, it } from 'vitest';
import { TransportError, type CardSession, type Reader } from '../hal/transport.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { ShanfuError } from '../kernels/util/errors.js';
import type { TerminalEvent } from '../src/terminal/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../src/journal/index.js';
import { createCard, flatProfile, journalCharged, rig, tap, TestJournal, TEST_KEY } from './terminal-fixtures.js';

describe('Terminal: taps', () => {
  it('approves a tap, journals it before the outcome event, and reports fare, balance, masked PAN', async () => {
    const r = rig();
    const card = createCard('debit-ec');
    const before = card.balance();
    const order: string[] = [];
    r.terminal.on('*', (e) => order.push(`${e.type}${e.type === 'tap' ? `:${r.journal.inner.stats().lastSeq}` : ''}`));
    const t = await tap(r, card);
    expect(t).toMatchObject({ outcomeName: 'approved', reason: 'approved-offline', fare: 200, charged: 200, balance: before - 200, torn: false, seq: 1 });
    expect(t.maskedPan).toMatch(/^\d{6}\*+\d{4}$/);
    expect(card.balance()).toBe(before - 200);
    // The journal entry was durable (appended) before the tap event fired.
    expect(order).toEqual(['card-present', 'tap:1', 'feedback']);
    const e = (await r.journal.entries())[0]!;
    expect(e).toMatchObject({ kind: 'tap', outcome: 'approved', reason: 'approved-offline', amount: 200, charged: 200, terminalId: 'T-TEST-1', profile: 'bus', cryptogramType: 'TC' });
    const pan = r.journal.unseal(e)?.pan;
    expect(pan).toMatch(/^\d{16,19}$/);
    expect(e.iccData).toBeTruthy();
    expect(e.iccData).not.toContain(pan); // track 2 / PAN stay sealed, not in field 55
    expect(journalCharged(await r.journal.entries())).toBe(before - card.balance());
  });

  it('declines an expired card; the card had already committed at the last record, so the journal says charged', async () => {
    // qpboc-facts §7.2: the card debits when it answers the last record; the terminal checks the
    // expiry date only afterwards. The journal records what the card did (with the TC for clearing).
    const r = rig();
    const fbs: TerminalEvent[] = [];
    r.terminal.on('feedback', (e) => fbs.push(e));
    const card = createCard('expired');
    const before = card.balance();
    const t = await tap(r, card);
    expect(t).toMatchObject({ outcomeName: 'declined', reason: 'application-expired' });
    expect(t.charged).toBe(before - card.balance());
    expect((await r.journal.entries())[0]).toMatchObject({ kind: 'tap', outcome: 'declined', charged: t.charged, cryptogramType: 'TC' });
    expect((await r.journal.entries())[0]!.iccData).toBeTruthy();
    expect(fbs[0]).toMatchObject({ feedback: { led: 'red', beep: 'error' } });
  });

  it('declines when the fare is over the balance (ARQC on an offline-only reader)', async () => {
    const r = rig({ profile: flatProfile(60_000) });
    const card = createCard('ec-low-balance');
    const before = card.balance();
    const t = await tap(r, card);
    expect(t.charged).toBe(0);
    expect(t.outcomeName).not.toBe('approved');
    expect(card.balance()).toBe(before);
  });
});

describe('Terminal: anti-passback', () => {
  it('does not charge the same card twice inside the window, and charges it again after', async () => {
    const r = rig({ antiPassbackMs: 30_000 });
    const card = createCard('debit-ec');
    const before = card.balance();
    expect((await tap(r, card)).charged).toBe(200);
    r.clock.now += 29_999;
    const again = await tap(r, card);
    expect(again).toMatchObject({ outcomeName: 'declined', reason: 'already-charged', charged: 0 });
    expect(card.balance()).toBe(before - 200);
    r.clock.now += 1; // 30 s after the charge: outside the window
    expect((await tap(r, card)).charged).toBe(200);
    expect(card.balance()).toBe(before - 400);
    expect(journalCharged(await r.journal.entries())).toBe(400);
  });

  it('tells cards apart (another card inside the window is charged)', async () => {
    const r = rig({ antiPassbackMs: 30_000 });
    expect((await tap(r, createCard('debit-ec'))).charged).toBe(200);
    expect((await tap(r, createCard('sm2-debit'))).charged).toBe(200);
  });

  it('survives a restart: the new Terminal rebuilds the window from the real journal on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-passback-'));
    const card = createCard('debit-ec');
    const other = createCard('sm2-debit');
    const j1 = await Journal.open({ dir, key: TEST_KEY, terminalId: 'T-TEST-1' });
    const a = rig({ antiPassbackMs: 30_000, journal: j1, cardKey: TEST_KEY });
    expect((await tap(a, card)).charged).toBe(200);
    a.clock.now += 40_000;
    expect((await tap(a, other)).charged).toBe(200); // the first charge is now outside the window
    await j1.close();

    // The validator restarts 10 s later: the same cards tap again.
    const j2 = await Journal.open({ dir, key: TEST_KEY, terminalId: 'T-TEST-1' });
    const b = rig({ antiPassbackMs: 30_000, journal: j2, cardKey: TEST_KEY });
    b.clock.now = a.clock.now + 10_000;
    expect(await tap(b, other)).toMatchObject({ reason: 'already-charged', charged: 0 });
    expect((await tap(b, card)).charged).toBe(200); // its charge was 50 s ago
    await j2.close();
  });

  it('is off with antiPassbackMs 0', async () => {
    const r = rig({ antiPassbackMs: 0 });
    const card = createCard('debit-ec');
    await tap(r, card);
    expect((await tap(r, card)).charged).toBe(200);
  });
});

describe('Terminal: journal failure', () => {
  it('halts: fatal error event, tapOnce rejects, no tap event, no further taps accepted', async () => {
    const r = rig();
    r.journal.failAppends = true;
    const events: TerminalEvent[] = [];
    r.terminal.on('*', (e) => events.push(e));
    const card = createCard('debit-ec');
    await expect(tap(r, card)).rejects.toMatchObject({ code: 'terminal.halted' });
    expect(events.map((e) => e.type)).toEqual(['card-present', 'error']);
    expect(events[1]).toMatchObject({ kind: 'journal', fatal: true });
    expect(r.terminal.halted?.message).toMatch(/ENOSPC/);
    r.journal.failAppends = false;
    r.reader.present(card);
    await expect(r.terminal.tapOnce()).rejects.toBeInstanceOf(ShanfuError);
    expect(await r.journal.entries()).toHaveLength(0);
  });

  it('run() rejects with terminal.halted and emits stopped {halted}', async () => {
    const r = rig();
    r.journal.failAppends = true;
    const stopped: TerminalEvent[] = [];
    r.terminal.on('stopped', (e) => stopped.push(e));
    r.reader.present(createCard('debit-ec'));
    await expect(r.terminal.run()).rejects.toMatchObject({ code: 'terminal.halted' });
    expect(stopped).toEqual([{ type: 'stopped', reason: 'halted' }]);
  });
});

describe('Terminal: run loop', () => {
  it('waits, taps, waits for removal, and stops cleanly on abort', async () => {
    const r = rig();
    const ac = new AbortController();
    const types: string[] = [];
    const cards = [createCard('debit-ec'), createCard('sm2-debit')];
    r.terminal.on('*', (e) => {
      types.push(e.type);
      if (e.type === 'waiting') {
        const next = cards.shift();
        if (next) queueMicrotask(() => r.reader.present(next));
        else queueMicrotask(() => ac.abort());
      }
      if (e.type === 'feedback') queueMicrotask(() => r.reader.remove());
    });
    await r.terminal.run({ signal: ac.signal });
    expect(types).toEqual([
      'waiting', 'card-present', 'tap', 'feedback', 'card-removed',
      'waiting', 'card-present', 'tap', 'feedback', 'card-removed',
      'waiting', 'stopped',
    ]);
    expect((await r.journal.entries()).map((e) => e.charged)).toEqual([200, 200]);
    expect(r.reader.pendingWaits).toBe(0);
  });

  it('stops after --taps N', async () => {
    const r = rig();
    r.terminal.on('feedback', () => queueMicrotask(() => r.reader.remove()));
    r.reader.present(createCard('debit-ec'));
    const stopped: TerminalEvent[] = [];
    r.terminal.on('stopped', (e) => stopped.push(e));
    await r.terminal.run({ taps: 1 });
    expect(stopped).toEqual([{ type: 'stopped', reason: 'taps-done' }]);
  });

  it('abort while waiting for removal stops without a card-removed event', async () => {
    const r = rig();
    const ac = new AbortController();
    const types: string[] = [];
    r.terminal.on('*', (e) => types.push(e.type));
    r.terminal.on('feedback', () => setImmediate(() => ac.abort()));
    r.reader.present(createCard('debit-ec'));
    await r.terminal.run({ signal: ac.signal });
    expect(types).toEqual(['waiting', 'card-present', 'tap', 'feedback', 'stopped']);
  });

  it('refuses a second loop on the same terminal', async () => {
    const r = rig();
    const ac = new AbortController();
    const running = r.terminal.run({ signal: ac.signal });
    await new Promise((res) => setImmediate(res));
    await expect(r.terminal.tapOnce()).rejects.toMatchObject({ code: 'terminal.busy' });
    ac.abort();
    await running;
  });

  it('reports reader faults, retries, and carries on when the reader is back', async () => {
    const virtual = new VirtualReader();
    let faults = 2;
    const flaky: Reader = {
      name: 'flaky',
      waitForCard(signal?: AbortSignal): Promise<CardSession> {
        if (faults > 0) {
          faults--;
          return Promise.reject(new TransportError('service-unavailable', 'pcscd is not running'));
        }
        return virtual.waitForCard(signal);
      },
      close: () => virtual.close(),
    };
    const r = rig({ reader: flaky, readerRetryMs: 1 });
    const errors: TerminalEvent[] = [];
    r.terminal.on('error', (e) => errors.push(e));
    virtual.present(createCard('debit-ec'));
    await r.terminal.run({ taps: 1 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ kind: 'reader', fatal: false, error: { code: 'service-unavailable' } });
    expect(await r.journal.entries()).toHaveLength(1);
  });

  it('a closed reader stops the loop', async () => {
    const r = rig();
    const stopped: TerminalEvent[] = [];
    r.terminal.on('stopped', (e) => stopped.push(e));
    await r.reader.close();
    await r.terminal.run();
    expect(stopped).toEqual([{ type: 'stopped', reason: 'reader-closed' }]);
  });

  it('a reader fault in the middle of a tap ends it with reader-fault, journalled, nothing charged', async () => {
    const virtual = new VirtualReader();
    const broken: Reader = {
      name: 'unplugged-mid-tap',
      async waitForCard(signal?: AbortSignal) {
        const s = await virtual.waitForCard(signal);
        let n = 0;
        return {
          atr: s.atr,
          transceive: (tx, len, rx) => (++n === 3 ? Promise.reject(new TransportError('reader-removed', 'unplugged')) : s.transceive(tx, len, rx)),
          disconnect: () => s.disconnect(),
        };
      },
      close: () => virtual.close(),
    };
    const r = rig({ reader: broken });
    const card = createCard('debit-ec');
    const before = card.balance();
    virtual.present(card);
    const t = await r.terminal.tapOnce();
    expect(t).toMatchObject({ outcomeName: 'end-application', reason: 'reader-fault', charged: 0 });
    expect(card.balance()).toBe(before);
    expect((await r.journal.entries())[0]).toMatchObject({ reason: 'reader-fault', charged: 0 });
  });
});

describe('Terminal: feedback', () => {
  class LitReader extends VirtualReader {
    shown: string[] = [];
    failDisplay = false;
    async setLed(c: string) { this.shown.push(`led:${c}`); }
    async beep(p: string) { this.shown.push(`beep:${p}`); }
    async showLines(lines: readonly string[]) {
      if (this.failDisplay) throw new Error('display cable loose');
      this.shown.push(`lines:${lines.join('|')}`);
    }
  }

  it('drives LED, buzzer and display when the reader has them', async () => {
    const reader = new LitReader();
    const r = rig({ reader });
    await tap(r, createCard('debit-ec'));
    expect(reader.shown).toEqual(['led:green', 'beep:ok', 'lines:Fare ¥2.00|Balance ¥498.00']);
  });

  it('a failing display is an error event, not a failed tap', async () => {
    const reader = new LitReader();
    reader.failDisplay = true;
    const r = rig({ reader });
    const errors: TerminalEvent[] = [];
    r.terminal.on('error', (e) => errors.push(e));
    const t = await tap(r, createCard('debit-ec'));
    expect(t.charged).toBe(200);
    expect(errors).toMatchObject([{ kind: 'feedback', fatal: false }]);
  });

  it('a listener that throws is reported and does not break the tap', async () => {
    const r = rig();
    const errors: TerminalEvent[] = [];
    r.terminal.on('error', (e) => errors.push(e));
    r.terminal.on('tap', () => {
      throw new Error('UI bug');
    });
    expect((await tap(r, createCard('debit-ec'))).charged).toBe(200);
    expect(errors).toMatchObject([{ kind: 'listener' }]);
  });
});

describe('Terminal: arguments', () => {
  it('names the bad option', () => {
    expect(() => rig({ antiPassbackMs: -1 })).toThrow(/antiPassbackMs/);
    expect(() => rig({ terminalId: '' })).toThrow(/terminalId/);
    expect(() => rig({ journal: {} as TestJournal })).toThrow(/journal/);
  });
});
