/**
 * What a user sees when the HID reader is missing or may not be opened (the README's "real HID
 * untested" caveat: these are the message paths that need no hardware): `probeHidDevices` and
 * `shanfu readers --hid`, and openHidReader's "no such reader" message.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { emulatorBackend, HidFirmwareEmulator } from '../hal/hid/firmware-emulator.js';
import { probeHidDevices } from '../hal/hid/probe.js';
import { openHidReader } from '../hal/hid/reader.js';

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], { encoding: 'utf8', timeout: 30_000 }).then(
    (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ status: e.code ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );

describe('probeHidDevices', () => {
  it('reports each device with its access, the udev rule for its vendor id when the open is refused, and closes what it opened', () => {
    const ok = new HidFirmwareEmulator();
    const denied = new HidFirmwareEmulator({ vendorId: 0x072f, productId: 0x2200, path: '/dev/hidraw-emulated1', product: 'locked reader' });
    denied.denyAccess = true;
    const list = probeHidDevices(emulatorBackend(ok, denied));
    expect(list).toEqual([
      { id: '1d6b:5346', vendorId: 0x1d6b, productId: 0x5346, path: '/dev/hidraw-emulated0', product: 'shanfu HID reader emulator', access: 'ok' },
      expect.objectContaining({ id: '072f:2200', product: 'locked reader', access: 'denied', error: expect.stringContaining('cannot open device') }),
    ]);
    expect(list[1]!.hint).toContain('SUBSYSTEM=="hidraw", ATTRS{idVendor}=="072f", MODE="0660", GROUP="plugdev"');
    expect(list[1]!.hint).toContain('udevadm control --reload');
    expect(ok.openHandles).toBe(0);
  });

  it('lists nothing for unplugged devices, and a device without a path as access unknown', () => {
    const fw = new HidFirmwareEmulator();
    fw.unplug();
    expect(probeHidDevices(emulatorBackend(fw))).toEqual([]);
    const list = probeHidDevices({ devices: () => [{ vendorId: 1, productId: 2 }], open: () => { throw new Error('not called'); } });
    expect(list).toEqual([{ id: '0001:0002', vendorId: 1, productId: 2, access: 'unknown' }]);
  });
});

describe('openHidReader without the reader', () => {
  it('names the HID devices that are visible instead', async () => {
    const fw = new HidFirmwareEmulator();
    const err = (await openHidReader({ vendorId: 0x1d6b, productId: 0x0001, backend: emulatorBackend(fw) }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('reader-removed');
    expect(err.message).toContain('no HID reader 1d6b:0001 is plugged in');
    expect(err.message).toContain('HID devices visible: 1d6b:5346 (shanfu HID reader emulator)');
  });

  it('says when no HID device is visible at all, and what to check (cable, container passthrough)', async () => {
    const err = (await openHidReader({ vendorId: 0x1d6b, productId: 0x0001, backend: emulatorBackend() }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('reader-removed');
    expect(err.message).toMatch(/no HID device is visible at all \(check the cable with `lsusb`; in a container, pass \/dev\/hidraw\* and \/run\/udev through\)/);
  });
});

describe('shanfu readers --hid (real node-hid on this machine)', () => {
  it('lists the HID devices with their access, or says none is visible; without node-hid it says how to install it', async () => {
    const [text, json] = await Promise.all([run(['readers', '--hid']), run(['readers', '--hid', '--json'])]);
    if (json.status === 2) {
      // node-hid not installed or not built here: main reports the ShanfuError.
      expect(json.stderr).toMatch(/npm install node-hid/);
      expect(text.stderr).toMatch(/npm install node-hid/);
      return;
    }
    expect(json.status, json.stderr).toBe(0);
    expect(text.status, text.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as { id: string; access: string }[];
    for (const d of list) {
      expect(d.id).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4}$/);
      expect(['ok', 'denied', 'unknown']).toContain(d.access);
    }
    if (list.length === 0) expect(text.stdout).toMatch(/no USB-HID devices visible \(check the cable with `lsusb`; in a container, pass \/dev\/hidraw\* and \/run\/udev through\)/);
    else for (const d of list) expect(text.stdout).toContain(`${d.id} `);
  });
});
