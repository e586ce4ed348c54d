/**
 * The Terminal on the USB-HID adapter (hal/hid HidReader) over its reader-firmware emulator: the
 * passenger feedback really reaches the reader's LED, buzzer and display; the loop waits for removal
 * through the reader's monitor; the card's UID reaches the profile; and a reader unplugged in the
 * middle of a tap ends that tap uncharged (reader-fault), after which the loop carries on when the
 * reader is plugged back in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorBackend, HidFirmwareEmulator } from '../hal/hid/firmware-emulator.js';
import { openHidReader, type HidReader } from '../hal/hid/reader.js';
import type { SectorProfile, TapContext } from '../src/profiles/types.js';
import type { TerminalEvent } from '../src/terminal/index.js';
import { createCard, flatProfile, rig } from './terminal-fixtures.js';

let reader: HidReader | undefined;
afterEach(async () => {
  await reader?.close();
  reader = undefined;
});

async function hid(): Promise<{ fw: HidFirmwareEmulator; reader: HidReader }> {
  const fw = new HidFirmwareEmulator();
  reader = await openHidReader({ vendorId: fw.info.vendorId, productId: fw.info.productId, backend: emulatorBackend(fw), pollIntervalMs: 5, responseTimeoutMs: 500 });
  return { fw, reader };
}

describe('Terminal on a USB-HID reader', () => {
  it('shows the outcome on the reader (LED, buzzer, display), hands the card UID to the profile, waits for removal', async () => {
    const { fw, reader } = await hid();
    const seen: TapContext[] = [];
    const base = flatProfile(200);
    const profile: SectorProfile = { ...base, startTap: (ctx) => (seen.push(ctx), base.startTap.call(base, ctx)) };
    const r = rig({ reader: reader as never, profile });
    const types: string[] = [];
    const ac = new AbortController();
    let beeps = 0;
    const realBeep = reader.beep.bind(reader);
    reader.beep = (p) => (beeps++, realBeep(p));
    r.terminal.on('*', (e) => {
      types.push(e.type);
      if (e.type === 'feedback') setTimeout(() => fw.remove(), 5);
      if (e.type === 'card-removed') ac.abort();
    });
    fw.present(createCard('debit-ec'));
    await r.terminal.run({ signal: ac.signal });
    expect(types).toEqual(['waiting', 'card-present', 'tap', 'feedback', 'card-removed', 'stopped']);
    expect(fw.led).toBe('green');
    expect(fw.displayLines).toEqual(['Fare ¥2.00', 'Balance ¥498.00']);
    expect(beeps).toBe(1);
    expect(Buffer.from(seen[0]!.cardUid!).equals(Buffer.from(fw.uid))).toBe(true);
  });

  it('a reader unplugged mid-tap: that tap ends reader-fault, uncharged and journalled; after replug the next tap is charged', async () => {
    const { fw, reader } = await hid();
    const r = rig({ reader: reader as never, readerRetryMs: 5 });
    const card = createCard('debit-ec');
    const before = card.balance();
    const taps: TerminalEvent[] = [];
    const ac = new AbortController();
    r.terminal.on('tap', (e) => {
      taps.push(e);
      if (taps.length === 2) ac.abort();
    });
    r.terminal.on('feedback', () => {
      if (taps.length !== 1) return;
      // The first tap is over: plug the reader back in and tap again.
      setTimeout(() => {
        fw.plug();
        fw.present(card);
      }, 20);
    });
    fw.unplugAfterReports = 1; // the first answer longer than one report is cut by pulling the cable
    fw.present(card);
    await r.terminal.run({ signal: ac.signal });
    expect(taps.map((e) => e.type === 'tap' && [e.tap.reason, e.tap.charged])).toEqual([
      ['reader-fault', 0],
      ['approved-offline', 200],
    ]);
    expect(card.balance()).toBe(before - 200);
    expect((await r.journal.entries()).map((e) => [e.reason, e.charged])).toEqual([
      ['reader-fault', 0],
      ['approved-offline', 200],
    ]);
  });
});
