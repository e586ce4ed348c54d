import { describe, expect, it } from 'vitest';
import { TagStore, TAG_STORE_FULL } from './tag-store.js';
import { TlvCursor, TlvError } from '../tlv/cursor.js';
import { fromHex, toHex } from '../util/hex.js';

const value = (s: TagStore, tag: number) => (s.offset(tag) < 0 ? undefined : toHex(s.buf, s.offset(tag), s.offset(tag) + s.length(tag)));

describe('TagStore', () => {
  it('sets and gets values by numeric tag', () => {
    const s = new TagStore(256, 16);
    expect(s.set(0x9f02, fromHex('FF000000001234'), 1, 6)).toBe(true);
    expect(s.setByte(0x9c, 0)).toBe(true);
    expect(s.setUint(0x9f36, 0x1234, 2)).toBe(true);
    expect(s.setUint(0x9f37, 0xdeadbeef, 4)).toBe(true);
    expect(value(s, 0x9f02)).toBe('000000001234');
    expect(value(s, 0x9c)).toBe('00');
    expect(value(s, 0x9f36)).toBe('1234');
    expect(value(s, 0x9f37)).toBe('DEADBEEF');
    expect(s.has(0x9f02)).toBe(true);
    expect(s.has(0x9f03)).toBe(false);
    expect(s.offset(0x9f03)).toBe(-1);
    expect(s.length(0x9f03)).toBe(-1);
    expect(s.byte(0x9f36, 1)).toBe(0x34);
    expect(s.byte(0x9f36, 2)).toBe(-1);
    expect(s.count).toBe(4);
    const out = new Uint8Array(4);
    expect(s.copyTo(0x9f37, out, 0)).toBe(4);
    expect(toHex(out)).toBe('DEADBEEF');
    expect(s.copyTo(0x5a, out, 0)).toBe(-1);
  });
  it('replaces values: shorter in place, longer appended', () => {
    const s = new TagStore(64, 8);
    s.set(0x5a, fromHex('11223344'), 0, 4);
    const off = s.offset(0x5a);
    s.set(0x5a, fromHex('AABB'), 0, 2);
    expect(s.offset(0x5a)).toBe(off);
    expect(value(s, 0x5a)).toBe('AABB');
    s.set(0x5a, fromHex('0102030405'), 0, 5);
    expect(value(s, 0x5a)).toBe('0102030405');
    expect(s.count).toBe(1);
  });
  it('reports full (bytes and tags) instead of growing', () => {
    const s = new TagStore(8, 2);
    expect(s.set(0x5a, new Uint8Array(6), 0, 6)).toBe(true);
    expect(s.set(0x57, new Uint8Array(3), 0, 3)).toBe(false); // 9 > 8 bytes
    expect(s.setByte(0x9c, 1)).toBe(true);
    expect(s.setByte(0x9f39, 7)).toBe(false); // a third tag
    expect(s.has(0x9f39)).toBe(false);
  });
  it('clear() forgets everything', () => {
    const s = new TagStore(64, 8);
    s.setByte(0x9c, 1);
    s.clear();
    expect(s.has(0x9c)).toBe(false);
    expect([s.count, s.used]).toEqual([0, 0]);
  });
  it('keeps many colliding-looking tags apart (open addressing)', () => {
    const s = new TagStore(4096, 600);
    for (let i = 0; i < 600; i++) s.setUint(0x9f00 + i, i, 2);
    for (let i = 0; i < 600; i++) expect((s.byte(0x9f00 + i, 0) << 8) | s.byte(0x9f00 + i, 1)).toBe(i);
    expect(s.has(0x9f00 + 600)).toBe(false);
  });
  it('storeTlv stores every primitive of a nested response', () => {
    const s = new TagStore();
    const c = new TlvCursor();
    const fci = fromHex('6F1D8408A000000333010101A5115003414243BF0C099F4D020B0ADF610102');
    expect(s.storeTlv(fci, 0, fci.length, c)).toBe(TlvError.None);
    expect(value(s, 0x84)).toBe('A000000333010101');
    expect(value(s, 0x50)).toBe('414243');
    expect(value(s, 0x9f4d)).toBe('0B0A');
    expect(value(s, 0xdf61)).toBe('02');
    expect(s.has(0x6f) || s.has(0xa5) || s.has(0xbf0c)).toBe(false);
    expect(s.duplicate).toBe(false);
  });
  it('storeTlv reports a duplicate tag and keeps the first value (EMV Book 3 §10.2)', () => {
    const s = new TagStore();
    const c = new TlvCursor();
    const rec = fromHex('700C5F24032512315F2403261231');
    expect(s.storeTlv(rec, 0, rec.length, c)).toBe(TlvError.None);
    expect(s.duplicate).toBe(true);
    expect(s.duplicateTag).toBe(0x5f24);
    expect(value(s, 0x5f24)).toBe('251231');
    const rec2 = fromHex('70035A0112');
    expect(s.storeTlv(rec2, 0, rec2.length, c)).toBe(TlvError.None);
    expect(s.duplicate).toBe(false);
  });
  it('storeTlv returns the TLV error for malformed data, and TAG_STORE_FULL', () => {
    const c = new TlvCursor();
    const bad = fromHex('70055A0512');
    expect(new TagStore().storeTlv(bad, 0, bad.length, c)).toBe(TlvError.LengthOverrun);
    const big = fromHex('70095A0312345657021234');
    expect(new TagStore(4, 8).storeTlv(big, 0, big.length, c)).toBe(TAG_STORE_FULL);
  });
  it('validates constructor arguments', () => {
    expect(() => new TagStore(0)).toThrow(RangeError);
    expect(() => new TagStore(16, 0)).toThrow(RangeError);
  });
});
