import { describe, expect, it } from 'vitest';
import { TlvWriter, lengthFieldSize } from './writer.js';
import { TlvCursor, TlvError } from './cursor.js';
import { decodeTlv } from './tree.js';
import { fromHex, toHex } from '../util/hex.js';

describe('TlvWriter', () => {
  it('writes primitives with 1-3 byte tags', () => {
    const w = new TlvWriter(64);
    w.put(0x5a, fromHex('6212264200008234827F')).putByte(0x9c, 0).putUint(0x9f36, 0x4e, 2).put(0xdfdf39, fromHex('07'));
    expect(toHex(w.toBytes())).toBe('5A0A6212264200008234827F9C01009F3602004EDFDF390107');
  });
  it('uses the long length forms 81 and 82 for primitives', () => {
    expect(lengthFieldSize(0x7f)).toBe(1);
    expect(lengthFieldSize(0x80)).toBe(2);
    expect(lengthFieldSize(0xff)).toBe(2);
    expect(lengthFieldSize(0x100)).toBe(3);
    expect(lengthFieldSize(0x10000)).toBe(4);
    const w = new TlvWriter(400);
    w.put(0x90, new Uint8Array(128).fill(0xab));
    expect(toHex(w.buf, 0, 3)).toBe('908180');
    w.reset().put(0x90, new Uint8Array(300).fill(0xab));
    expect(toHex(w.buf, 0, 4)).toBe('9082012C');
  });
  it('back-patches a short template', () => {
    const w = new TlvWriter(64);
    w.open(0x77).putUint(0x82, 0x7c00, 2).putUint(0x9f36, 0x4e, 2).close();
    expect(toHex(w.toBytes())).toBe('770982027C009F3602004E');
  });
  it('back-patches a template of >127 bytes (81 xx), shifting the value right', () => {
    const w = new TlvWriter(300);
    w.open(0x70).put(0x9f46, new Uint8Array(130).fill(0x11)).putByte(0x9f47, 3).close();
    const out = w.toBytes();
    // value = 9F46 81 82 <130> (134 bytes) + 9F47 01 03 (4 bytes) = 138 = 0x8A
    expect(toHex(out, 0, 6)).toBe('70818A9F4681');
    expect(out.length).toBe(3 + 138);
    expect(toHex(out, out.length - 4)).toBe('9F470103');
  });
  it('back-patches a template of >255 bytes (82 xx xx) and nested templates', () => {
    const w = new TlvWriter(600);
    w.open(0x6f).putByte(0x84, 1).open(0xa5).put(0x9f46, new Uint8Array(300).fill(0x22)).close().close();
    const out = w.toBytes();
    const tree = decodeTlv(out);
    expect(tree[0]!.tag).toBe('6F');
    expect(tree[0]!.children!.map((n) => n.tag)).toEqual(['84', 'A5']);
    expect(tree[0]!.children![1]!.children![0]!.length).toBe(300);
    // 6F value = 84 01 01 (3) + A5 82 01 30 (4) + 9F46 82 01 2C (5) + 300 = 312 = 0x138
    expect(toHex(out, 0, 4)).toBe('6F820138');
    expect(new TlvCursor().validate(out)).toBe(TlvError.None);
  });
  it('round-trips: what the writer builds, the cursor walks back', () => {
    const w = new TlvWriter(8192);
    const values: [number, number][] = [];
    w.open(0x70);
    for (let i = 0; i < 40; i++) {
      const tag = 0x9f00 + i + 1;
      const len = (i * 37) % 200;
      values.push([tag, len]);
      w.put(tag, new Uint8Array(len).fill(i));
    }
    w.close();
    const out = w.toBytes();
    const c = new TlvCursor();
    c.reset(out);
    expect(c.next() && c.enter()).toBe(true);
    const seen: [number, number][] = [];
    while (c.next()) {
      seen.push([c.tag, c.length]);
      if (c.length) expect(out[c.valueOffset]).toBe(seen.length - 1);
    }
    expect(c.error).toBe(TlvError.None);
    expect(seen).toEqual(values);
  });
  it('throws RangeError for programming errors: overflow, close without open, open template', () => {
    expect(() => new TlvWriter(3).put(0x5a, new Uint8Array(4))).toThrow(RangeError);
    expect(() => new TlvWriter(8).close()).toThrow(RangeError);
    expect(() => new TlvWriter(8).open(0x70).toBytes()).toThrow(RangeError);
    expect(() => new TlvWriter(8).len(0x1000000)).toThrow(RangeError);
  });
});
