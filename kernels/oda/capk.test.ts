import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { CapkStore, RevocationList, capkChecksum, parseExpiry } from './capk.js';
import { ShanfuError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';

const jwk = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 }).publicKey.export({ format: 'jwk' });
const MOD = toHex(new Uint8Array(Buffer.from(jwk.n!, 'base64url')));
const RID = 'A000000333';

describe('CapkStore', () => {
  it('adds a key with a correct checksum and finds it by RID bytes at an offset + index', () => {
    const store = new CapkStore();
    const checksum = toHex(capkChecksum(fromHex(RID), 0x08, fromHex(MOD), fromHex('03')));
    store.add({ rid: RID, index: '08', modulus: MOD, exponent: '03', checksum, expiry: '20301231' });
    const aid = fromHex('00A000000333010101');
    const e = store.lookup(aid, 1, 0x08)!;
    expect(e).not.toBeNull();
    expect(e.name).toBe('A000000333/08');
    expect(e.key.byteLength).toBe(128);
    expect(e.expiry).toBe(20301231);
    expect(store.lookup(aid, 1, 0x09)).toBeNull();
    expect(store.lookup(fromHex('A000000334'), 0, 0x08)).toBeNull();
  });

  it('rejects a wrong checksum with a ShanfuError naming the key', () => {
    const store = new CapkStore();
    let err: unknown;
    try {
      store.add({ rid: RID, index: 0x0b, modulus: MOD, exponent: '03', checksum: '00'.repeat(20) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShanfuError);
    expect((err as ShanfuError).code).toBe('config.capk-checksum');
    expect((err as Error).message).toContain('A000000333/0B');
    expect(store.size).toBe(0);
  });

  it('rejects malformed entries with TypeError / RangeError naming the field', () => {
    const store = new CapkStore();
    expect(() => store.add({ rid: 'A0000003', index: 1, modulus: MOD, exponent: '03' })).toThrow(/capk.rid/);
    expect(() => store.add({ rid: RID, index: 300, modulus: MOD, exponent: '03' })).toThrow(/capk.index/);
    expect(() => store.add({ rid: RID, index: 1, modulus: MOD, exponent: '05' })).toThrow(/A000000333\/01: unusable key/);
    expect(() => store.add({ rid: RID, index: 1, modulus: 'XYZ', exponent: '03' })).toThrow(TypeError);
    expect(() => store.loadJson('{"rid":1}')).toThrow(/JSON array/);
    expect(() => store.loadJson([{ rid: RID }])).toThrow(/entry 0/);
  });

  it('replaces a key with the same RID and index', () => {
    const store = new CapkStore();
    store.add({ rid: RID, index: 1, modulus: MOD, exponent: '03', expiry: '251231' });
    store.add({ rid: RID, index: 1, modulus: MOD, exponent: '03', expiry: '301231' });
    expect(store.size).toBe(1);
    expect(store.lookup(fromHex(RID), 0, 1)!.expiry).toBe(20301231);
  });

  it('checks expiry against the transaction date (inclusive)', () => {
    const store = new CapkStore();
    const e = store.add({ rid: RID, index: 2, modulus: MOD, exponent: '03', expiry: '241231' });
    expect(CapkStore.isExpired(e, 20241231)).toBe(false);
    expect(CapkStore.isExpired(e, 20250101)).toBe(true);
    const never = store.add({ rid: RID, index: 3, modulus: MOD, exponent: '03' });
    expect(CapkStore.isExpired(never, 20991231)).toBe(false);
  });

  it('parseExpiry accepts YYMMDD and YYYYMMDD and rejects the rest', () => {
    expect(parseExpiry('301231', 'x')).toBe(20301231);
    expect(parseExpiry('991231', 'x')).toBe(19991231);
    expect(parseExpiry(20241231, 'x')).toBe(20241231);
    expect(() => parseExpiry('2024-12-31', 'key X')).toThrow(/key X/);
    expect(() => parseExpiry('301331', 'x')).toThrow(RangeError);
  });
});

describe('RevocationList', () => {
  it('finds RID + index + serial, and nothing that differs in any part', () => {
    const crl = new RevocationList();
    crl.add(RID, '08', '0042B3');
    crl.add('A000000004', 5, fromHex('000001'));
    const rid = fromHex(RID);
    expect(crl.isRevoked(rid, 0, 8, 0x0042b3)).toBe(true);
    expect(crl.isRevoked(rid, 0, 9, 0x0042b3)).toBe(false);
    expect(crl.isRevoked(rid, 0, 8, 0x0042b4)).toBe(false);
    expect(crl.isRevoked(fromHex('A000000004'), 0, 8, 0x0042b3)).toBe(false);
    expect(crl.isRevoked(fromHex('FFA000000004'), 1, 5, 1)).toBe(true);
    expect(() => crl.add(RID, 1, '0001')).toThrow(RangeError);
  });
});

const VECTORS = new URL('../../../shared/conformance/vectors/unionpay_capk_A000000333.json', import.meta.url);
const present = existsSync(VECTORS);
describe.skipIf(!present)(`UnionPay CAPK list from ../shared/conformance${present ? '' : ' (skipped: vectors directory not found)'}`, () => {
  it('loads every key with its DF03 checksum verified; a flipped checksum byte is refused', () => {
    const file = JSON.parse(readFileSync(VECTORS, 'utf8')) as { keys: { rid: string; index: string; modulus_DF02: string; exponent_DF04: string; checksum_DF03?: string; expiry_decoded?: string; expiry_DF05?: string }[] };
    // DF05 is ASCII YYYYMMDD (decoded) or BCD YYYYMMDD (then the hex is the digits)
    const expiryOf = (k: { expiry_decoded?: string; expiry_DF05?: string }) => [k.expiry_decoded, k.expiry_DF05].find((v) => v !== undefined && /^\d{8}$/.test(v));
    const list = file.keys.map((k) => ({ rid: k.rid, index: k.index, modulus: k.modulus_DF02, exponent: k.exponent_DF04, checksum: k.checksum_DF03, expiry: expiryOf(k) }));
    expect(list.length).toBeGreaterThanOrEqual(10);
    const store = new CapkStore();
    expect(store.loadJson(JSON.stringify(list))).toBe(list.length);
    const bad = { ...list[0]!, checksum: list[0]!.checksum!.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    expect(() => new CapkStore().loadJson([bad])).toThrow(ShanfuError);
  });
});
