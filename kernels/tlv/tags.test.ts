import { describe, expect, it } from 'vitest';
import { tagInfo, tagName, tagFormat, tagFormatCode, TagFormatCode, knownTags } from './tags.js';
import { isConstructedTag } from './cursor.js';

describe('tag dictionary', () => {
  it('knows ~150 tags with names and formats', () => {
    const tags = knownTags();
    expect(tags.length).toBeGreaterThanOrEqual(150);
    for (const t of tags) {
      const info = tagInfo(t)!;
      expect(info.name.length).toBeGreaterThan(2);
      // Templates are exactly the constructed tags (Book 3 Annex B1, b6 of the first byte).
      expect(info.format === 'template').toBe(isConstructedTag(t));
    }
  });
  it('names EMV, qPBOC/EC and transit tags', () => {
    expect(tagName(0x9f66)).toBe('Terminal Transaction Qualifiers (TTQ)');
    expect(tagName(0x9f6c)).toBe('Card Transaction Qualifiers (CTQ)');
    expect(tagName(0x9f79)).toBe('Electronic Cash Balance');
    expect(tagName(0xdf60)).toBe('CAPP Transaction Indicator');
    expect(tagName(0xbf0c)).toBe('File Control Information (FCI) Issuer Discretionary Data');
    expect(tagName(0x123456)).toBeUndefined();
    for (const t of [0x9f5d, 0x9f77, 0x9f78, 0x9f6d, 0x9f69, 0x9f63, 0x9f51, 0x9f68, 0x9f6b, 0x9f74, 0x9f7a, 0x9f7b, 0xdf69, 0xdf79, 0xdf4d, 0xdf61, 0xdf62, 0xdf63])
      expect(tagName(t), t.toString(16)).toBeDefined();
  });
  it('resolves kernel collisions by context (qpboc-facts §9)', () => {
    expect(tagName(0x9f5d)).toBe('Available Offline Spending Amount');
    expect(tagName(0x9f5d, 'visa')).toBe('Application Capabilities Information');
    expect(tagFormat(0x9f5d)).toBe('n');
    expect(tagFormat(0x9f5d, 'visa')).toBe('b');
    expect(tagName(0x9f51, 'mastercard')).toBe('Data Recovery Data Object List (DRDOL)');
    expect(tagFormat(0x9f51, 'mastercard')).toBe('dol');
    expect(tagName(0x9f79, 'mastercard')).toBe('Unprotected Data Envelope 5');
    expect(tagName(0xdf60, 'visa')).toBe('VISA Log Entry');
    expect(tagName(0x9f69, 'mastercard')).toMatch(/UDOL/);
    // Tags without a collision keep their meaning in every context.
    expect(tagName(0x9f02, 'visa')).toBe(tagName(0x9f02));
  });
  it('gives formats for DOL building; unknown tags are binary', () => {
    expect(tagFormat(0x9f02)).toBe('n');
    expect(tagFormat(0x5a)).toBe('cn');
    expect(tagFormat(0x9f20)).toBe('cn');
    expect(tagFormat(0x50)).toBe('ans');
    expect(tagFormat(0x9f38)).toBe('dol');
    expect(tagFormat(0x9f4a)).toBe('tags');
    expect(tagFormat(0xdf7f7f)).toBe('b');
    expect(tagFormatCode(0x9f02)).toBe(TagFormatCode.n);
    expect(tagFormatCode(0x5a)).toBe(TagFormatCode.cn);
    expect(tagFormatCode(0xdf7f7f)).toBe(TagFormatCode.b);
  });
});
