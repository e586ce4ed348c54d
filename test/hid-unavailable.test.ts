/**
 * Without node-hid (not installed or not built), opening a real HID reader fails with a
 * ShanfuError that says how to install it and which udev rule to add.
 */
import { expect, it, vi } from 'vitest';

vi.mock('node-hid', () => {
  throw new Error("Cannot find package 'node-hid'");
});

it("rejects with ShanfuError 'hid.unavailable' naming the install command and the udev rule", async () => {
  const { openHidReader } = await import('../hal/hid/reader.js');
  const err = (await openHidReader({ vendorId: 0x1234, productId: 0x5678 }).catch((e: unknown) => e)) as Error & { code: string };
  expect(err.code).toBe('hid.unavailable');
  expect(err.message).toContain('npm install node-hid');
  expect(err.message).toContain('SUBSYSTEM=="hidraw"');
  expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
});
