/**
 * HidLink (request/response over one HID device) on its own, without the reader's poll loop, so
 * the ordering of late answers is exact.
 */
import { describe, expect, it } from 'vitest';
import { ConformanceCard, SELECT_PPSE } from '../hal/conformance/test-card.js';
import { HidFirmwareEmulator } from '../hal/hid/firmware-emulator.js';
import { shanfuFraming } from '../hal/hid/framing.js';
import { HidLink } from '../hal/hid/link.js';

describe('HidLink', () => {
  it('never hands a late answer of a timed-out request to the next request', async () => {
    const fw = new HidFirmwareEmulator();
    fw.present(new ConformanceCard());
    const link = new HidLink(fw.open(), shanfuFraming, 'emulated', 200);
    expect((await link.request({ command: 'field', on: true })).status).toBe('ok');
    fw.delayMs = 300; // answer at t≈300, after the 200 ms limit
    await expect(link.request({ command: 'transceive', apdu: SELECT_PPSE })).rejects.toMatchObject({ code: 'timeout' });
    fw.delayMs = 150; // sent at t≈200, answered at t≈350: the late SELECT answer (t≈300) arrives while it waits
    const res = await link.request({ command: 'firmware-info' });
    expect(res.command).toBe('firmware-info');
    expect(new TextDecoder().decode(res.data)).toBe(fw.firmware);
    link.close();
    expect(fw.openHandles).toBe(0);
  });

  it('does not take a stray answer to another command for the answer, even with the same sequence number', async () => {
    const fw = new HidFirmwareEmulator();
    const link = new HidLink(fw.open(), shanfuFraming, 'emulated', 1000);
    fw.delayMs = 20;
    const p = link.request({ command: 'firmware-info' }); // the link's first request: sequence number 1
    fw.inject(shanfuFraming.encodeResponse({ seq: 1, command: 'led', status: 'ok', data: new Uint8Array(0) })[0]!);
    const res = await p;
    expect(res.command).toBe('firmware-info');
    expect(new TextDecoder().decode(res.data)).toBe(fw.firmware);
    link.close();
  });

  it("rejects the request in flight and every later one 'reader-removed' once the device errors, and reports it once", async () => {
    const fw = new HidFirmwareEmulator();
    const link = new HidLink(fw.open(), shanfuFraming, 'emulated', 1000);
    const dead: string[] = [];
    link.onDead = (e) => dead.push(e.code);
    fw.delayMs = 50;
    const p = link.request({ command: 'poll' });
    const q = link.request({ command: 'poll' });
    setTimeout(() => fw.unplug(), 5);
    await expect(p).rejects.toMatchObject({ code: 'reader-removed' });
    await expect(q).rejects.toMatchObject({ code: 'reader-removed' });
    expect(link.alive).toBe(false);
    expect(dead).toEqual(['reader-removed']);
  });

  it("rejects 'closed' after close() without calling onDead", async () => {
    const fw = new HidFirmwareEmulator();
    const link = new HidLink(fw.open(), shanfuFraming, 'emulated', 1000);
    let notified = false;
    link.onDead = () => (notified = true);
    link.close();
    await expect(link.request({ command: 'poll' })).rejects.toMatchObject({ code: 'closed' });
    expect(notified).toBe(false);
  });
});
