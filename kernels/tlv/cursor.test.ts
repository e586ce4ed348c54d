import { describe, expect, it } from 'vitest';
import { TlvCursor, TlvError, tagHex, parseTag, tagByteLength, isConstructedTag, tlvErrorText } from './cursor.js';
import { decodeTlv, TlvParseError } from './tree.js';
import { fromHex } from '../util/hex.js';

/** Walks everything and lists "tag@depth:len" for primitives and "tag@depth{" for templates. */
function walk(hex: string, maxDepth?: number): { items: string[]; error: number; errorOffset: number } {
  const c = new TlvCursor(maxDepth);
  const buf = fromHex(hex);
  c.reset(buf);
  const items: string[] = [];
  for (;;) {
    if (c.next()) {
      if (c.constructed) {
        items.push(`${tagHex(c.tag)}@${c.depth}{`);
        if (!c.enter()) break;
      } else items.push(`${tagHex(c.tag)}@${c.depth}:${c.length}`);
      continue;
    }
    if (c.error !== TlvError.None || c.depth === 0) break;
    c.leave();
  }
  return { items, error: c.error, errorOffset: c.errorOffset };
}

describe('TlvCursor: tags (Book 3 Annex B1)', () => {
  it('reads one-, two- and three-byte tags', () => {
    expect(walk('820200009F170103DFDF390107').items).toEqual(['82@0:2', '9F17@0:1', 'DFDF39@0:1']);
  });
  it('treats a subsequent byte without b8 as the last tag byte (9F 7F is two bytes)', () => {
    expect(walk('9F7F0100').items).toEqual(['9F7F@0:1']);
  });
  it('rejects a four-byte tag with TagTooLong at the tag start', () => {
    const r2 = walk('9F81820101AA');
    expect(r2.error).toBe(TlvError.TagTooLong);
    expect(r2.errorOffset).toBe(0);
  });
  it('reports TruncatedTag when the subsequent tag byte is missing', () => {
    const r = walk('9F');
    expect(r.error).toBe(TlvError.TruncatedTag);
    expect(r.errorOffset).toBe(1);
  });
  it('parseTag/tagHex/tagByteLength/isConstructedTag agree', () => {
    expect(parseTag('9f02')).toBe(0x9f02);
    expect(tagHex(0x9f02)).toBe('9F02');
    expect(tagHex(0x5a)).toBe('5A');
    expect(tagHex(0xdfdf39)).toBe('DFDF39');
    expect([tagByteLength(0x5a), tagByteLength(0x9f02), tagByteLength(0xdf8101)]).toEqual([1, 2, 3]);
    expect([isConstructedTag(0x70), isConstructedTag(0xbf0c), isConstructedTag(0x9f02), isConstructedTag(0xff8101)]).toEqual([true, true, false, true]);
    expect(() => parseTag('9F0')).toThrow(TypeError);
    expect(() => parseTag('9F02AABB')).toThrow(TypeError);
  });
});

describe('TlvCursor: lengths (Book 3 Annex B2)', () => {
  it('reads short and long forms 81, 82, 83', () => {
    expect(walk('420103').items).toEqual(['42@0:1']);
    expect(walk('42810107').items).toEqual(['42@0:1']);
    expect(walk('4282000107').items).toEqual(['42@0:1']);
    expect(walk('428300000107').items).toEqual(['42@0:1']);
    const v = 'AB'.repeat(200);
    expect(walk('9081C8' + v).items).toEqual(['90@0:200']);
    expect(walk('908200C8' + v).items).toEqual(['90@0:200']);
    const big = 'CD'.repeat(300);
    expect(walk('9082012C' + big).items).toEqual(['90@0:300']);
  });
  it('rejects indefinite length 80 and 84+ long forms with BadLength', () => {
    expect(walk('708000').error).toBe(TlvError.BadLength);
    expect(walk('5A840000000100').error).toBe(TlvError.BadLength);
  });
  it('reports TruncatedLength for a missing length and for a cut long form', () => {
    expect(walk('5A').error).toBe(TlvError.TruncatedLength);
    expect(walk('5A8200').error).toBe(TlvError.TruncatedLength);
  });
  it('reports LengthOverrun for a value past the end and for a huge 83FFFFFF length', () => {
    const r = walk('5A0512');
    expect(r.error).toBe(TlvError.LengthOverrun);
    expect(r.errorOffset).toBe(0);
    expect(walk('5A83FFFFFF00').error).toBe(TlvError.LengthOverrun);
  });
  it('reports LengthOverrun for a child longer than its template', () => {
    const r = walk('70035A0512');
    expect(r.items).toEqual(['70@0{']);
    expect(r.error).toBe(TlvError.LengthOverrun);
    expect(r.errorOffset).toBe(2);
  });
});

describe('TlvCursor: padding, nesting, errors', () => {
  it('skips 00 and FF padding before, between and after objects', () => {
    expect(walk('00FF5A01120000FF9F360200010000').items).toEqual(['5A@0:1', '9F36@0:2']);
    expect(walk('7006005A01120000').items).toEqual(['70@0{', '5A@1:1']);
    expect(walk('000000').items).toEqual([]);
  });
  it('walks nested templates (FCI 6F > A5 > BF0C > 61)', () => {
    const r = walk('6F1A840E325041592E5359532E4444463031A508BF0C05610387010100');
    expect(r.error).toBe(TlvError.None);
    expect(r.items).toEqual(['6F@0{', '84@1:14', 'A5@1{', 'BF0C@2{', '61@3{', '87@4:1']);
  });
  it('stops at the nesting limit with TooDeep', () => {
    let hex = '5A0112';
    for (let i = 0; i < 5; i++) hex = '70' + (hex.length / 2).toString(16).padStart(2, '0') + hex;
    expect(walk(hex, 5).error).toBe(TlvError.None);
    const r = walk(hex, 4);
    expect(r.error).toBe(TlvError.TooDeep);
    expect(r.errorOffset).toBe(8);
    expect(() => new TlvCursor(0)).toThrow(RangeError);
  });
  it('refuses enter() on a primitive with NotConstructed', () => {
    const c = new TlvCursor();
    c.reset(fromHex('5A0112'));
    expect(c.next()).toBe(true);
    expect(c.enter()).toBe(false);
    expect(c.error).toBe(TlvError.NotConstructed);
  });
  it('has a text for every error code', () => {
    for (const code of Object.values(TlvError)) expect(tlvErrorText(code)).not.toMatch(/^error /);
    expect(tlvErrorText(99)).toBe('error 99');
  });
  it('find() descends into templates and validate() reports the first error', () => {
    const buf = fromHex('6F1A840E325041592E5359532E4444463031A508BF0C05610387010100');
    const c = new TlvCursor();
    c.reset(buf);
    expect(c.find(0x87)).toBe(true);
    expect([c.depth, c.length, buf[c.valueOffset]]).toEqual([4, 1, 1]);
    c.reset(buf);
    expect(c.find(0x9f38)).toBe(false);
    expect(c.validate(buf)).toBe(TlvError.None);
    expect(c.validate(fromHex('70035A0512'))).toBe(TlvError.LengthOverrun);
    expect(c.validate(buf, 0, 10)).toBe(TlvError.LengthOverrun);
  });
  it('walks a sub-range with reset(buf, start, end)', () => {
    const buf = fromHex('FFFF5A0112FFFF');
    const c = new TlvCursor();
    c.reset(buf, 2, 5);
    expect(c.next()).toBe(true);
    expect(c.tag).toBe(0x5a);
    expect(c.next()).toBe(false);
    expect(c.error).toBe(TlvError.None);
  });
});

describe('decodeTlv', () => {
  it('builds a tree with offsets and hex values', () => {
    expect(decodeTlv(fromHex('770982027C009F3602004E'))).toEqual([
      { tag: '77', offset: 0, length: 9, children: [
        { tag: '82', offset: 2, length: 2, value: '7C00' },
        { tag: '9F36', offset: 6, length: 2, value: '004E' },
      ] },
    ]);
  });
  it('throws TlvParseError with the code and offset', () => {
    try {
      decodeTlv(fromHex('70035A0512'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TlvParseError);
      expect((e as TlvParseError).code).toBe(TlvError.LengthOverrun);
      expect((e as TlvParseError).offset).toBe(2);
    }
  });
});
