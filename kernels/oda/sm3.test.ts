import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sm3, sm3 } from './sm3.js';
import { fromHex, toHex } from '../util/hex.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const nodeSm3 = (b: Uint8Array) => createHash('sm3').update(b).digest('hex').toUpperCase();

// Deterministic PRNG (xorshift32) so a failure is reproducible.
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

describe('SM3 (GB/T 32905)', () => {
  it('hashes "abc" to the standard example 1 digest', () => {
    expect(toHex(sm3(ascii('abc')))).toBe('66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0');
  });

  it('hashes "abcd" x16 (one full block plus a padding block) to example 2', () => {
    expect(toHex(sm3(ascii('abcd'.repeat(16))))).toBe('DEBE9FF92275B8A138604889C18E5A4D6FDB70E5387E5765293DCBA39C0C5732');
  });

  it('hashes 1,000,000 x "a"', () => {
    expect(toHex(sm3(new Uint8Array(1_000_000).fill(0x61)))).toBe('C8AAF89429554029E231941A2ACC0AD61FF2A5ACD8FADD25847A3A732B3B02C3');
  });

  it('hashes the empty message', () => {
    expect(toHex(sm3(new Uint8Array(0)))).toBe('1AB21D8355CFA17F8E61194831E81A8F22BEC8C728FEFB747ED035EB5082AA2B');
  });

  it('agrees with Node crypto sm3 on random inputs of random lengths, one-shot and in random chunks', () => {
    const rnd = prng(0x5eed);
    const h = new Sm3();
    const out = new Uint8Array(40);
    for (let n = 0; n < 400; n++) {
      const len = n < 200 ? n : rnd() % 5000; // every length around the 55/56/64-byte padding edges
      const msg = new Uint8Array(len);
      for (let i = 0; i < len; i++) msg[i] = rnd() & 0xff;
      const want = nodeSm3(msg);
      expect(toHex(sm3(msg))).toBe(want);
      // streamed in random pieces, digest written at an offset
      let pos = 0;
      while (pos < len) {
        const step = Math.min(len - pos, rnd() % 130);
        h.update(msg, pos, step);
        pos += step;
      }
      h.digestInto(out, 5);
      expect(toHex(out, 5, 37)).toBe(want);
    }
  });

  it('resets after digestInto, so one object hashes many messages', () => {
    const h = new Sm3();
    const out = new Uint8Array(32);
    h.update(ascii('garbage'));
    h.digestInto(out);
    h.update(ascii('abc'));
    expect(toHex(h.digestInto(out))).toBe('66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0');
  });

  it('rejects ranges outside the buffer', () => {
    const h = new Sm3();
    expect(() => h.update(new Uint8Array(4), 2, 3)).toThrow(RangeError);
    expect(() => h.digestInto(new Uint8Array(31))).toThrow(RangeError);
  });
});

const vectorsDir = process.env.SHANFU_CONFORMANCE_VECTORS ?? join(__dirname, '../../../shared/conformance/vectors');
const vectorsFile = join(vectorsDir, 'sm2_sm3_vectors.json');
describe.skipIf(!existsSync(vectorsFile))(`SM3 shared vectors (skipped when ${vectorsFile} is absent)`, () => {
  it('matches every SM3 vector with an explicit input', () => {
    const v = JSON.parse(readFileSync(vectorsFile, 'utf8'));
    let n = 0;
    for (const c of v.sm3) {
      if (c.input_hex === undefined) continue;
      expect(toHex(sm3(fromHex(c.input_hex))), c.description).toBe(c.expected_digest.toUpperCase());
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });
});
