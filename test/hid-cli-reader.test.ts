/**
 * `--reader hid:VVVV:PPPP` in pay / record / validate: the name is parsed, node-hid is asked for
 * that device, and without it (this machine has no USB-HID reader) the CLI says so and exits 2.
 * The adapter itself is tested against the firmware emulator (hid-reader.test.ts, terminal-hid.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { parseHidReaderName } from '../src/cli/hid-reader-name.js';
import { UsageError } from '../src/cli/main.js';

const shanfu = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('--reader hid:VVVV:PPPP', () => {
  it('parses vendor id, product id and an optional hidraw path; other names are not HID', () => {
    expect(parseHidReaderName('hid:072F:2200')).toEqual({ vendorId: 0x072f, productId: 0x2200 });
    expect(parseHidReaderName('hid:1a86:e010:/dev/hidraw3')).toEqual({ vendorId: 0x1a86, productId: 0xe010, path: '/dev/hidraw3' });
    expect(parseHidReaderName('ACS ACR1252 PICC')).toBeNull();
    expect(parseHidReaderName('virtual:debit-ec')).toBeNull();
    for (const bad of ['hid:', 'hid:72F:2200', 'hid:072F', 'hid:zz2F:2200']) expect(() => parseHidReaderName(bad), bad).toThrow(UsageError);
  });

  it('pay, record and validate name the missing device (or the missing node-hid) and exit 2', () => {
    const runs = [
      shanfu('pay', '--reader', 'hid:072F:2200', '--amount', '1.00', '--wait', '1'),
      shanfu('record', '--reader', 'hid:072F:2200', '--amount', '1.00', '--out', '/dev/null', '--wait', '1'),
      shanfu('validate', '--profile', 'bus', '--reader', 'hid:072F:2200'),
    ];
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/no HID reader 072f:2200 is plugged in|node-hid/);
    }
    const bad = shanfu('pay', '--reader', 'hid:nope', '--amount', '1.00');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/hid:VVVV:PPPP/);
  });
});
