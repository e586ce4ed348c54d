import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { Sha1, sha1 } from './sha1.js';
import { fromHex, toHex } from '../util/hex.js';

describe('Sha1', () => {
  it('matches the FIPS 180 examples', () => {
    expect(toHex(sha1(new TextEncoder().encode('abc')))).toBe('A9993E364706816ABA3E25717850C26C9CD0D89D');
    expect(toHex(sha1(new Uint8Array(0)))).toBe('DA39A3EE5E6B4B0D3255BFEF95601890AFD80709');
    expect(toHex(sha1(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('84983E441C3BD26EBAAE4AA1F95129E5E54670F1');
  });

  it('matches noble for every length 0..300, fed in uneven slices at an offset, with one reused instance', () => {
    const h = new Sha1();
    const out = new Uint8Array(25);
    for (let len = 0; len <= 300; len++) {
      const data = new Uint8Array(randomBytes(len + 7));
      h.reset();
      let p = 7;
      let step = 1;
      while (p < len + 7) {
        const n = Math.min(step, len + 7 - p);
        h.update(data, p, n);
        p += n;
        step = (step * 3 + 1) % 70;
      }
      h.digestInto(out, 3);
      expect(toHex(out, 3, 23), `length ${len}`).toBe(toHex(nobleSha1(data.subarray(7))));
    }
  });

  it('computes the UnionPay CAPK checksum of index 08 (reference §6)', () => {
    const mod = fromHex('B61645EDFD5498FB246444037A0FA18C0F101EBD8EFA54573CE6E6A7FBF63ED21D66340852B0211CF5EEF6A1CD989F66AF21A8EB19DBD8DBC3706D135363A0D683D046304F5A836BC1BC632821AFE7A2F75DA3C50AC74C545A754562204137169663CFCC0B06E67E2109EBA41BC67FF20CC8AC80D7B6EE1A95465B3B2657533EA56D92D539E5064360EA4850FED2D1BF');
    const data = new Uint8Array([...fromHex('A000000333'), 0x08, ...mod, 0x03]);
    expect(toHex(sha1(data))).toBe('EE23B616C95C02652AD18860E48787C079E8E85A');
  });
});
