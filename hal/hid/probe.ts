/**
 * What `shanfu readers --hid` shows: every HID device the backend (node-hid) enumerates, and
 * whether this process may open it. The check opens and closes the device without any I/O, as
 * hidapi itself does when it enumerates; a refused open is the missing udev rule (README "USB-HID
 * readers on Linux"), reported with the rule for that vendor id.
 */
import { hex4, udevRule, type HidBackend, type HidDeviceInfo } from './device.js';

export type HidDeviceAccess = {
  /** vvvv:pppp, lower-case hex, as `lsusb` prints it. */
  id: string;
  vendorId: number;
  productId: number;
  path?: string;
  product?: string;
  manufacturer?: string;
  /** 'ok': this process can open it; 'denied': the open failed (see `hint`); 'unknown': no path to open. */
  access: 'ok' | 'denied' | 'unknown';
  error?: string;
  /** What to do about a refused open. */
  hint?: string;
};

export function probeHidDevices(backend: HidBackend): HidDeviceAccess[] {
  return backend.devices().map((d) => probe(backend, d));
}

function probe(backend: HidBackend, d: HidDeviceInfo): HidDeviceAccess {
  const base: HidDeviceAccess = { id: `${hex4(d.vendorId)}:${hex4(d.productId)}`, vendorId: d.vendorId, productId: d.productId, access: 'unknown' };
  if (d.path !== undefined) base.path = d.path;
  if (d.product) base.product = d.product;
  if (d.manufacturer) base.manufacturer = d.manufacturer;
  if (d.path === undefined) return base;
  try {
    backend.open(d.path).close();
    return { ...base, access: 'ok' };
  } catch (e) {
    return {
      ...base,
      access: 'denied',
      error: (e as Error).message,
      hint: `add the udev rule ${udevRule(d.vendorId)} to /etc/udev/rules.d/99-shanfu-hid.rules, run \`udevadm control --reload && udevadm trigger\`, replug, and make sure the user is in group plugdev (or close the program that holds the device)`,
    };
  }
}

/** What to check when node-hid sees no device at all. */
export const NO_HID_HINT = 'check the cable with `lsusb`; in a container, pass /dev/hidraw* and /run/udev through';

/** The sentence for "no device with these ids": what is visible instead, or why nothing may be. */
export function describeVisibleHid(backend: HidBackend): string {
  const seen = backend.devices();
  if (seen.length === 0) {
    return `no HID device is visible at all (${NO_HID_HINT})`;
  }
  const ids = [...new Set(seen.map((d) => `${hex4(d.vendorId)}:${hex4(d.productId)}${d.product ? ` (${d.product})` : ''}`))];
  return `HID devices visible: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? `, … ${ids.length - 8} more` : ''} (\`shanfu readers --hid\` lists them with their access)`;
}
