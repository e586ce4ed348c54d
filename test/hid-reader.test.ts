/**
 * The USB-HID adapter against the reader-firmware emulator: the adapter conformance suite, then
 * what only HID shows (firmware-side chaining, unplug and reopen, garbage reports, slow firmware,
 * LED / buzzer / display, access denied).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, runReaderConformance } from '../hal/conformance/suite.js';
import { ConformanceCard, FCI_PPSE, LONG_DATA, SELECT_PPSE } from '../hal/conformance/test-card.js';
import { emulatorBackend, HidFirmwareEmulator } from '../hal/hid/firmware-emulator.js';
import { openHidReader, type HidReader, type HidReaderOptions, type HidSession } from '../hal/hid/reader.js';
import { packetize, REPORT_SIZE, shanfuFraming } from '../hal/hid/framing.js';
import { hasBuzzer, hasDisplay, hasLed, TransportError, type ReaderEvent } from '../hal/transport.js';
import type { CardEmulator } from '../hal/virtual/emulator.js';
import { createCard } from '../hal/virtual/personalities.js';
import { prng } from './prng.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** Polls `cond` every 2 ms; rejects after `ms`. */
async function until(cond: () => boolean, what: string, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function setup(options: Partial<HidReaderOptions> = {}) {
  const fw = new HidFirmwareEmulator();
  const open = () => openHidReader({ vendorId: fw.info.vendorId, productId: fw.info.productId, backend: emulatorBackend(fw), pollIntervalMs: 5, responseTimeoutMs: 500, ...options });
  return { fw, open };
}

runReaderConformance('HidReader over the firmware emulator', async (card) => {
  const { fw, open } = setup();
  const reader = await open();
  return {
    reader,
    monitor: reader,
    present: async () => {
      fw.present(card);
      await until(() => reader.cardPresent, 'card-present');
    },
    remove: async () => {
      fw.remove();
      await until(() => !reader.cardPresent, 'card-removed');
    },
    pendingWaits: () => reader.pendingWaits,
    close: () => reader.close(),
  };
});

describe('HidReader', () => {
  const rx = new Uint8Array(1024);
  let reader: HidReader | undefined;
  afterEach(async () => {
    await reader?.close();
    reader = undefined;
  });

  async function tapped(fw: HidFirmwareEmulator, r: HidReader, card: CardEmulator = new ConformanceCard()) {
    fw.present(card);
    return r.waitForCard();
  }

  it('runs a QuickPass card (debit-ec): the session has its ATR and UID, SELECT PPSE answers an FCI with 9000', async () => {
    const { fw, open } = setup();
    reader = await open();
    const card = createCard('debit-ec');
    const s = (await tapped(fw, reader, card)) as HidSession;
    expect(hex(s.atr)).toBe(hex(card.atr));
    expect(hex(s.uid)).toBe(hex(fw.uid));
    const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(rx[0]).toBe(0x6f);
    expect(hex(rx.subarray(n - 2, n))).toBe('9000');
  });

  it('reassembles a long answer the firmware chains over several reports (firmware follows 61xx)', async () => {
    const { fw, open } = setup();
    fw.followGetResponse = true;
    reader = await open();
    const card = new ConformanceCard();
    const s = await tapped(fw, reader, card);
    const before = card.commands;
    const n = await s.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(LONG_DATA) + '9000');
    expect(card.commands - before).toBe(3); // the firmware sent both GET RESPONSEs
    // 1 status + 302 bytes = 303 bytes: six 64-byte reports.
    expect(shanfuFraming.encodeResponse({ seq: 1, command: 'transceive', status: 'ok', data: rx.subarray(0, n) })).toHaveLength(6);
  });

  it('chains a long C-APDU (255-byte ECHO) to the firmware and back', async () => {
    const { fw, open } = setup();
    reader = await open();
    const s = await tapped(fw, reader);
    const data = Uint8Array.from({ length: 255 }, (_, i) => 255 - i);
    const echo = new Uint8Array(5 + data.length);
    echo.set([0x80, 0xee, 0x00, 0x00, data.length]);
    echo.set(data, 5);
    const n = await s.transceive(echo, echo.length, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(data) + '9000');
  });

  it("rejects 'reader-removed' when the device is unplugged mid-exchange, then reopens when it is back", async () => {
    const { fw, open } = setup();
    reader = await open();
    const events: ReaderEvent['type'][] = [];
    const off = reader.subscribe((e) => events.push(e.type));
    const card = new ConformanceCard();
    const s = await tapped(fw, reader, card);
    fw.delayMs = 30;
    const p = s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    await sleep(5);
    fw.unplug();
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('reader-removed');
    expect((err as TransportError).isCardFault).toBe(false);
    await expect(s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).rejects.toMatchObject({ code: 'reader-removed' });
    await expect(reader.setLed('red')).rejects.toMatchObject({ code: 'reader-removed' });
    expect(reader.attached).toBe(false);
    expect(fw.openHandles).toBe(0);

    fw.delayMs = 0;
    const attached = nextEvent(reader, (e) => e.type === 'reader-attached', 1000);
    const waiting = reader.waitForCard();
    fw.plug();
    await attached;
    const s2 = await waiting; // the card stayed on the reader: the new session opens at once
    const n = await s2.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(FCI_PPSE) + '9000');
    expect(reader.opens).toBe(2);
    expect(fw.openHandles).toBe(1);
    off();
    expect(events.slice(0, 4)).toEqual(['card-present', 'card-removed', 'reader-detached', 'reader-attached']);
  });

  it("turns a garbage report into 'protocol' without hanging, and the next exchange works", async () => {
    const { fw, open } = setup({ responseTimeoutMs: 5000 });
    reader = await open();
    const s = await tapped(fw, reader);
    fw.garbageCommand = 'transceive';
    fw.garbageResponses = 1;
    const t0 = Date.now();
    const err = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('protocol');
    expect(Date.now() - t0).toBeLessThan(1000); // well before the 5 s response limit
    const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(hex(rx.subarray(n - 2, n))).toBe('9000');
  });

  it("rejects 'reader-removed' when the device is unplugged in the middle of a chained long answer, and the next tap after replug reads it whole", async () => {
    const { fw, open } = setup();
    fw.followGetResponse = true; // 302 data bytes + status: six reports
    reader = await open();
    const s = await tapped(fw, reader);
    fw.unplugAfterReports = 3;
    const err = await s.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('reader-removed');
    expect(reader.attached).toBe(false);
    fw.plug();
    const s2 = await reader.waitForCard();
    const n = await s2.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(LONG_DATA) + '9000');
    expect(fw.openHandles).toBe(1);
  });

  it("turns a garbage report inside a chained answer into 'protocol', drops the rest of that answer, and the next exchange works", async () => {
    const { fw, open } = setup({ responseTimeoutMs: 5000 });
    fw.followGetResponse = true;
    reader = await open();
    const s = await tapped(fw, reader);
    fw.garbleReportIndex = 2;
    const t0 = Date.now();
    await expect(s.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx)).rejects.toMatchObject({ code: 'protocol' });
    expect(Date.now() - t0).toBeLessThan(1000); // not the 5 s response limit
    const n = await s.transceive(Uint8Array.of(0x80, 0xca, 0x00, 0xfe, 0x00), 5, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(LONG_DATA) + '9000');
  });

  it('ignores reports nobody asked for while idle (garbage, a stale answer, half a chain): the next exchange works', async () => {
    const { fw, open } = setup();
    reader = await open();
    const s = await tapped(fw, reader);
    const events: ReaderEvent['type'][] = [];
    const off = reader.subscribe((e) => events.push(e.type));
    fw.inject(Uint8Array.of(0x7f, 1, 2, 3)); // unknown command byte
    fw.inject(new Uint8Array(REPORT_SIZE).fill(0xff));
    fw.inject(shanfuFraming.encodeResponse({ seq: 0xee, command: 'transceive', status: 'ok', data: Uint8Array.of(0x90, 0x00) })[0]!); // stale seq
    fw.inject(shanfuFraming.encodeResponse({ seq: 0xef, command: 'transceive', status: 'ok', data: LONG_DATA })[0]!); // first of six
    await sleep(20); // several poll rounds
    const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(FCI_PPSE) + '9000');
    off();
    expect(events).toEqual([]); // no spurious card or reader events
    expect(reader.attached && reader.cardPresent).toBe(true);
  });

  it('survives 300 random reports interleaved with exchanges: each exchange answers or ends in a typed fault, and the reader works afterwards', async () => {
    const { fw, open } = setup({ responseTimeoutMs: 200 });
    reader = await open();
    const s = await tapped(fw, reader);
    const rnd = prng(0x5eed6);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const kind = rnd();
      let junk: Uint8Array = Uint8Array.from({ length: 1 + Math.floor(rnd() * REPORT_SIZE) }, () => Math.floor(rnd() * 256));
      if (kind < 0.3) junk[0] = 0x80 | Math.floor(rnd() * 8); // a plausible response header
      // A well-formed answer to a command not in flight (any sequence number): must be ignored.
      else if (kind < 0.6) junk = shanfuFraming.encodeResponse({ seq: Math.floor(rnd() * 256), command: rnd() < 0.5 ? 'led' : 'firmware-info', status: 'ok', data: junk.subarray(0, 8) })[0]!;
      const p = s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx).then(
        (n) => (hex(rx.subarray(0, n)) === hex(FCI_PPSE) + '9000' ? 'ok' : 'wrong answer'),
        (e: unknown) => (e instanceof TransportError ? e.code : `untyped ${String(e)}`),
      );
      fw.inject(junk); // arrives before the answer (same loop turn)
      const o = await p;
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    expect([...outcomes.keys()].every((k) => k === 'ok' || k === 'protocol'), JSON.stringify([...outcomes])).toBe(true);
    // Both kinds happened: reports the framing rejects, and ones it takes for a stray answer.
    expect(outcomes.get('protocol')).toBeGreaterThan(10);
    expect(outcomes.get('ok')).toBeGreaterThan(10);
    const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(FCI_PPSE) + '9000');
    expect(reader.attached && reader.cardPresent).toBe(true);
  });

  it('retries the session open when the firmware garbles the field-on answer (the card stays on the reader)', async () => {
    const { fw, open } = setup();
    reader = await open();
    fw.garbageCommand = 'field';
    fw.garbageResponses = 1;
    const ac = new AbortController();
    const limit = setTimeout(() => ac.abort(new Error('waitForCard did not retry')), 2000);
    fw.present(new ConformanceCard());
    const s = await reader.waitForCard(ac.signal).finally(() => clearTimeout(limit));
    expect(fw.garbageResponses).toBe(0);
    const n = await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx);
    expect(hex(rx.subarray(0, n))).toBe(hex(FCI_PPSE) + '9000');
  });

  it("rejects 'timeout' when the firmware is slow, and the session works once it is fast again", async () => {
    const { fw, open } = setup({ responseTimeoutMs: 40 });
    reader = await open();
    const s = await tapped(fw, reader);
    fw.delayMs = 100;
    await expect(s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).rejects.toMatchObject({ code: 'timeout' });
    fw.delayMs = 0;
    await sleep(120); // the late answer arrives now and must not be taken for the next one
    const echo = Uint8Array.of(0x80, 0xee, 0x00, 0x00, 0x02, 0xab, 0xcd);
    const n = await s.transceive(echo, echo.length, rx);
    expect(hex(rx.subarray(0, n))).toBe('ABCD9000');
  });

  it('offers LED, buzzer and display, and the calls reach the firmware', async () => {
    const { fw, open } = setup();
    reader = await open();
    expect(hasLed(reader) && hasBuzzer(reader) && hasDisplay(reader)).toBe(true);
    await reader.setLed('green');
    expect(fw.led).toBe('green');
    await reader.setLed('blue');
    expect(fw.led).toBe('blue');
    await reader.beep('ok');
    await reader.beep('error');
    expect(fw.beeps).toEqual(['ok', 'error']);
    await reader.showLines(['票价 2.00', 'balance 13.50']);
    expect(fw.displayLines).toEqual(['票价 2.00', 'balance 13.50']);
    expect(await reader.firmwareInfo()).toBe('shanfu-emulator 1.0');
    await expect(reader.setLed('purple' as 'red')).rejects.toThrow(TypeError);
    await expect(reader.showLines(['a\nb'])).rejects.toThrow(TypeError);
  });

  it("maps an open that fails on an enumerated device to 'access-denied' naming the udev rule", async () => {
    const { fw, open } = setup();
    fw.denyAccess = true;
    const err = await open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('access-denied');
    expect((err as Error).message).toContain(`SUBSYSTEM=="hidraw", ATTRS{idVendor}=="1d6b", MODE="0660", GROUP="plugdev"`);
  });

  it("rejects 'reader-removed' when no device with those ids is plugged in", async () => {
    const { open } = setup({ productId: 0x0001 });
    await expect(open()).rejects.toMatchObject({ code: 'reader-removed' });
  });

  it('runs on an injected device (no enumeration) and closes it on close()', async () => {
    const fw = new HidFirmwareEmulator();
    reader = await openHidReader({ vendorId: 1, productId: 2, device: fw.open(), pollIntervalMs: 5 });
    const s = await tapped(fw, reader);
    expect(await s.transceive(SELECT_PPSE, SELECT_PPSE.length, rx)).toBe(FCI_PPSE.length + 2);
    await reader.close();
    expect(fw.openHandles).toBe(0);
    await expect(reader.waitForCard()).rejects.toMatchObject({ code: 'closed' });
  });

  it('leaves no listeners, handles or waits behind over unplug/replug cycles and close', async () => {
    const { fw, open } = setup();
    const r = await open();
    const card = new ConformanceCard();
    fw.present(card);
    for (let i = 0; i < 3; i++) {
      await (await r.waitForCard()).disconnect();
      fw.unplug();
      await until(() => !r.attached, 'detach');
      fw.plug();
      await until(() => r.attached, 'reattach');
    }
    expect(fw.openHandles).toBe(1);
    const ac = new AbortController();
    fw.remove();
    await until(() => !r.cardPresent, 'card-removed');
    const w = r.waitForCard(ac.signal);
    ac.abort(new Error('done'));
    await expect(w).rejects.toThrow('done');
    expect(r.pendingWaits).toBe(0);
    r.subscribe(() => undefined);
    await r.close();
    expect(r.listenerCount).toBe(0);
    expect(fw.openHandles).toBe(0);
  });
});

describe('HID firmware emulator', () => {
  it('answers a packet out of sequence with bad-sequence and an unknown command with the unknown-command status', async () => {
    const fw = new HidFirmwareEmulator();
    const dev = fw.open();
    const got: Buffer[] = [];
    dev.on('data', (d) => got.push(d));
    const cont = packetize(0x03, 9, new Uint8Array(10))[0]!;
    cont[3] = 2; // packet 2 with no packet 0 before it
    dev.write(Buffer.concat([Buffer.of(0), cont]));
    dev.write(Buffer.concat([Buffer.of(0), packetize(0x55, 10, new Uint8Array(0))[0]!]));
    await until(() => got.length === 2, 'two answers');
    expect(shanfuFraming.responseDecoder().push(got[0]!)).toMatchObject({ seq: 9, command: 'transceive', status: 'bad-sequence' });
    expect(Array.from(got[1]!.subarray(0, 6))).toEqual([0xd5, 10, 0, 0, 1, 6]);
    expect(() => dev.write(new Array(REPORT_SIZE).fill(1))).toThrow(/report id 0/);
    dev.close();
    expect(() => dev.write(Buffer.alloc(REPORT_SIZE + 1))).toThrow('Cannot write');
  });
});
