/**
 * The slice of node-hid the adapter uses, and its lazy loading. The adapter only sees these
 * interfaces, so it runs the same against real node-hid and against the firmware emulator.
 * Nothing else in shanfu imports node-hid, so `import 'shanfu'` works without it.
 */
import { ShanfuError } from '../../kernels/util/errors.js';

/** An open HID device, the shape of node-hid's `HID` object. */
export interface HidDevice {
  /** Writes one output report; the first byte is the report id (0 for unnumbered reports). */
  write(data: number[] | Buffer): number;
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  removeListener(event: 'data' | 'error', listener: (...args: any[]) => void): this;
  close(): void;
}

/** One enumerated device, the fields of node-hid's `devices()` entries the adapter uses. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** Enumeration and open: node-hid's `devices()` and `new HID(path)`, or an emulator. */
export interface HidBackend {
  devices(): HidDeviceInfo[];
  open(path: string): HidDevice;
}

/** The udev rule that lets a non-root user (group plugdev) open the reader's hidraw node (XXXX: any vendor id to fill in). */
export function udevRule(vendorId?: number): string {
  return `SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${vendorId === undefined ? 'XXXX' : hex4(vendorId)}", MODE="0660", GROUP="plugdev"`;
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

type NodeHidModule = {
  devices(): HidDeviceInfo[];
  HID: new (path: string) => HidDevice;
};

let cached: HidBackend | undefined;

/** Loads `node-hid` once; ShanfuError 'hid.unavailable' when it is not installed or not built. */
export async function loadNodeHid(): Promise<HidBackend> {
  if (cached) return cached;
  try {
    const m = (await import('node-hid' as string)) as { default?: NodeHidModule } & NodeHidModule;
    const mod = typeof m.devices === 'function' ? m : m.default!;
    cached = { devices: () => mod.devices(), open: (path) => new mod.HID(path) };
    return cached;
  } catch (e) {
    throw new ShanfuError(
      'hid.unavailable',
      'USB-HID support needs the optional package node-hid, which is not installed or did not build. ' +
        'Install the hidraw headers (Debian/Ubuntu: apt-get install libudev-dev libusb-1.0-0-dev), then run `npm install node-hid@3.3.0`; ' +
        `to use the reader without root add the udev rule ${udevRule()} with your reader's vendor id ` +
        `(file /etc/udev/rules.d/99-shanfu-hid.rules, then \`udevadm control --reload && udevadm trigger\`). Cause: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
