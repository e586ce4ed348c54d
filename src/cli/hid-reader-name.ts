import { UsageError } from './main.js';
import type { Reader } from '../../hal/transport.js';

/**
 * `--reader hid:VVVV:PPPP[:PATH]` names a USB-HID reader by its vendor and product id (hex, as
 * `lsusb` and `shanfu readers --hid` print them), optionally its hidraw path when several are
 * plugged in. Returns null for other names (PC/SC reader names, `virtual:…`).
 */
export function parseHidReaderName(name: string): { vendorId: number; productId: number; path?: string } | null {
  if (!name.startsWith('hid:')) return null;
  const m = /^hid:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?::(.+))?$/.exec(name);
  if (!m) throw new UsageError(`--reader ${name}: a USB-HID reader is hid:VVVV:PPPP[:/dev/hidrawN] (vendor and product id in hex, see 'shanfu readers --hid')`);
  return { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16), ...(m[3] ? { path: m[3] } : {}) };
}

/** Opens the HID reader `name` names (node-hid loaded now), or returns null when it is not an hid: name. */
export async function openHidReaderNamed(name: string): Promise<Reader | null> {
  const ids = parseHidReaderName(name);
  if (!ids) return null;
  const { openHidReader } = await import('../../hal/hid/index.js');
  return openHidReader({ ...ids, name });
}
