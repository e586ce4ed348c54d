import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_JSON, defaultConfig, validateConfig } from '../src/config/terminal-config.js';
import { QuickPassKernel } from '../kernels/qpboc/index.js';
import { ShanfuError } from '../kernels/util/errors.js';
import { toHex } from '../kernels/util/hex.js';

const base = () => JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON)) as Record<string, any>;

function invalid(json: unknown): string {
  try {
    validateConfig(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ShanfuError);
    expect((e as ShanfuError).code).toBe('config.invalid');
    return (e as Error).message;
  }
  throw new Error('expected validateConfig to throw');
}

describe('validateConfig (src/config/README.md format)', () => {
  it('the default configuration holds the UnionPay AIDs (qpboc-facts §1.1) as an offline-only qPBOC reader', () => {
    const c = defaultConfig();
    expect(c.aids.map((a) => toHex(a.aid))).toEqual(['A000000333010101', 'A000000333010102', 'A000000333010103', 'A000000333010106', 'A000000333010108']);
    expect(toHex(c.ttq)).toBe('28000080');
    expect(c.offlineOnly).toBe(true);
    expect([c.countryCode, c.currencyCode, c.currencyExponent]).toEqual([156, 156, 2]);
    expect(c.aids[0]!.floorLimit).toBe(50000);
    expect(() => new QuickPassKernel(c)).not.toThrow();
  });

  it('names the field path of every error', () => {
    const b1 = base();
    b1.aids[1].floorLimit = -5;
    expect(invalid(b1)).toBe('aids[1].floorLimit: must be a non-negative integer');
    const b2 = base();
    b2.aids[0].aid = 'A0000003';
    expect(invalid(b2)).toMatch(/^aids\[0\]\.aid: must be 5–16 bytes/);
    const b3 = base();
    b3.ttq = '2800';
    expect(invalid(b3)).toMatch(/^ttq: must be 4 bytes/);
    const b4 = base();
    b4.aids[2].zeroAmount = 'maybe';
    expect(invalid(b4)).toMatch(/^aids\[2\]\.zeroAmount:/);
    const b5 = base();
    b5.florLimit = 1;
    expect(invalid(b5)).toMatch(/^florLimit: unknown field/);
    const b6 = base();
    b6.capks = [{ rid: 'A000000333', index: 'F1', modulus: '00', exponent: '03' }];
    expect(invalid(b6)).toMatch(/^capks\[0\]\.modulus:/);
    const b7 = base();
    b7.aids = [];
    expect(invalid(b7)).toBe('aids: must contain at least one entry');
    expect(invalid(null)).toMatch(/^\(root\)/);
    const b8 = base();
    b8.currencyCode = 1560;
    expect(invalid(b8)).toMatch(/^currencyCode:/);
    const b9 = base();
    b9.smCapks = [{ rid: 'A000000333', index: 24, publicKey: '05' + '11'.repeat(64) }];
    expect(invalid(b9)).toMatch(/^smCapks\[0\]\.publicKey: a 65-byte key must start with 04/);
  });

  it('checks TTQ consistency (§1.5): offline-only bit vs offlineOnly, qPBOC bit set', () => {
    const b = base();
    b.offlineOnly = false;
    expect(invalid(b)).toMatch(/^ttq: byte 1 bit 4/);
    const b2 = base();
    b2.ttq = '08000080';
    expect(invalid(b2)).toMatch(/^ttq: byte 1 bit 6/);
  });

  it('accepts CA keys, SM2 keys, a revocation list, limits as null, and a deny list object', () => {
    const b = base();
    b.capks = [{ rid: 'A000000333', index: 'F1', modulus: 'C1'.repeat(248), exponent: '03', expiry: '301231' }];
    b.smCapks = [{ rid: 'A000000333', index: 24, publicKey: '04' + '11'.repeat(64) }];
    b.revocationList = [{ rid: 'A000000333', index: 'F1', serial: '0DEAD1' }];
    b.aids[0].contactlessTransactionLimit = null;
    b.denyList = { isDenied: () => false };
    const c = validateConfig(b);
    expect(c.capks[0]!.index).toBe(0xf1);
    expect(c.capks[0]!.expiry).toBe(301231);
    expect(c.smCapks[0]!.index).toBe(24);
    expect(toHex(c.revocationList[0]!.serial)).toBe('0DEAD1');
    expect(c.aids[0]!.contactlessTransactionLimit).toBeNull();
    expect(typeof c.denyList!.isDenied).toBe('function');
  });

  it('the kernel constructor rejects unvalidated parameters naming the field', () => {
    const c = defaultConfig();
    (c as any).ttq = new Uint8Array(3);
    expect(() => new QuickPassKernel(c)).toThrow(/^ttq: must be 4 bytes/);
    const d = defaultConfig();
    (d.aids[0] as any).aid = 'A000000333010101';
    expect(() => new QuickPassKernel(d)).toThrow(/aids\[0\]\.aid/);
  });
});
