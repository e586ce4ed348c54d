/**
 * Malformed-input fuzzing of the TLV cursor and the tree decoder: real-looking responses (bench/samples.ts
 * and, when present, the shared conformance traces read at run time) under seeded random mutations.
 * Properties: `validate` returns a TlvError code and never throws; `decodeTlv` returns or throws
 * TlvParseError with the same code and offset; walks end within a bounded number of steps; the EMV
 * helpers that read card data (TagStore.storeTlv, DOL, AFL) never throw either.
 */
import { describe, expect, it } from 'vitest';
import { TlvCursor, TlvError } from '../kernels/tlv/cursor.js';
import { decodeTlv, TlvParseError } from '../kernels/tlv/tree.js';
import { TagStore, TAG_STORE_FULL } from '../kernels/emv/tag-store.js';
import { buildDolData, dolDataLength } from '../kernels/emv/dol.js';
import { Afl, AflWalker, parseAfl } from '../kernels/emv/afl.js';
import { ownSamples, traceResponses } from '../bench/samples.js';
import { prng } from './prng.js';

const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const CODES = new Set<number>(Object.values(TlvError));


/** Offsets of every length field in a well-formed buffer (for targeted length mutations). */
function lengthOffsets(buf: Uint8Array): number[] {
  const c = new TlvCursor(64);
  c.reset(buf);
  const out: number[] = [];
  for (let steps = 0; steps < 10_000; steps++) {
    if (c.next()) {
      let p = c.tagOffset + 1;
      if ((buf[c.tagOffset]! & 0x1f) === 0x1f) while (buf[p++]! & 0x80);
      out.push(p);
      if (c.constructed && !c.enter()) break;
      continue;
    }
    if (c.error !== TlvError.None || c.depth === 0) break;
    c.leave();
  }
  return out;
}

function splice(buf: Uint8Array, at: number, remove: number, insert: number[]): Uint8Array {
  return Uint8Array.from([...buf.subarray(0, at), ...insert, ...buf.subarray(at + remove)]);
}

const MUTATIONS = ['truncate', 'lengthByte', 'hugeLength', 'indefinite', 'nest', 'randomBytes', 'insert', 'random'] as const;
type Mutation = (typeof MUTATIONS)[number];

function mutate(src: Uint8Array, kind: Mutation, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  const lens = lengthOffsets(src);
  switch (kind) {
    case 'truncate':
      return src.slice(0, int(src.length + 1));
    case 'lengthByte': {
      if (!lens.length) return src.slice();
      const b = src.slice();
      const at = lens[int(lens.length)]!;
      b[at] = rnd() < 0.5 ? b[at]! ^ (1 << int(8)) : int(256);
      return b;
    }
    case 'hugeLength': {
      if (!lens.length) return src.slice();
      const at = lens[int(lens.length)]!;
      const forms = [[0x83, 0xff, 0xff, 0xff], [0x82, 0xff, 0xff], [0x81, 0xff], [0x84, 0xff, 0xff, 0xff, 0xff], [0x83, 0x00, 0x00]];
      const old = src[at]! & 0x80 ? 1 + (src[at]! & 0x7f) : 1;
      return splice(src, at, old, forms[int(forms.length)]!);
    }
    case 'indefinite': {
      if (!lens.length) return src.slice();
      const b = src.slice();
      b[lens[int(lens.length)]!] = 0x80;
      return b;
    }
    case 'nest': {
      // Wrap in 1..400 templates; sometimes lie about the innermost length.
      let b = src;
      const depth = 1 + int(400);
      const bytes: number[] = [];
      for (let i = 0; i < depth; i++) bytes.push(0x70, 0x81, 0);
      const out = Uint8Array.from([...bytes, ...b]);
      let len = b.length;
      for (let i = depth - 1; i >= 0; i--) {
        out[i * 3 + 2] = len > 255 ? 255 : len; // saturate: long chains overrun, by design
        len += 3;
      }
      if (rnd() < 0.3) out[out.length - b.length - 1] = int(256);
      b = out;
      return b;
    }
    case 'randomBytes': {
      const b = src.slice();
      for (let k = 1 + int(4); k > 0 && b.length; k--) b[int(b.length)] = int(256);
      return b;
    }
    case 'insert':
      return splice(src, int(src.length + 1), 0, Array.from({ length: 1 + int(6) }, () => int(256)));
    case 'random':
      return Uint8Array.from({ length: int(300) }, () => int(256));
  }
}

/** Walks with an explicit step counter; returns [error, steps]. */
function boundedWalk(c: TlvCursor, buf: Uint8Array, cap: number): [number, number] {
  c.reset(buf);
  let steps = 0;
  for (; steps < cap; steps++) {
    if (c.next()) {
      if (c.valueOffset + c.length > buf.length) return [-2, steps];
      if (c.constructed && !c.enter()) return [c.error, steps];
      continue;
    }
    if (c.error !== TlvError.None || c.depth === 0) return [c.error, steps];
    c.leave();
  }
  return [-1, steps];
}

const corpus = [...ownSamples(), ...traceResponses(false)].filter((s) => s.bytes.length > 0);

describe('TLV malformed-input fuzz', () => {
  it('has a corpus: own samples (+ conformance traces when present)', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
    const c = new TlvCursor();
    for (const s of ownSamples()) expect(c.validate(s.bytes), s.name).toBe(TlvError.None);
  });

  it(`survives ${ROUNDS} mutations per response (seed ${SEED})`, () => {
    const rnd = prng(SEED);
    const cursor = new TlvCursor();
    const deep = new TlvCursor(255);
    const store = new TagStore(8192, 512);
    const afl = new Afl();
    const walker = new AflWalker();
    const dolOut = new Uint8Array(512);
    const seen = new Map<number, number>();
    let cases = 0;
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok && failures.length < 20) failures.push(what);
    };
    for (const sample of corpus) {
      for (let r = 0; r < ROUNDS; r++) {
        const kind = MUTATIONS[Math.floor(rnd() * MUTATIONS.length)]!;
        const buf = mutate(sample.bytes, kind, rnd);
        const where = `${sample.name} round ${r} ${kind}`;
        cases++;

        // validate: a typed result, no exception.
        const code = cursor.validate(buf);
        check(CODES.has(code), `${where}: validate returned ${code}`);
        seen.set(code, (seen.get(code) ?? 0) + 1);
        const errorOffset = cursor.errorOffset;

        // Bounded: every object takes ≥ 2 bytes, every leave() follows an enter().
        for (const c of [cursor, deep]) {
          const [e] = boundedWalk(c, buf, 2 * buf.length + 600);
          check(e >= 0, `${where}: walk ${e === -1 ? 'did not end within the step bound' : 'saw a value past the buffer'}`);
        }

        // decodeTlv agrees with validate, and throws nothing but TlvParseError.
        try {
          decodeTlv(buf);
          check(code === TlvError.None, `${where}: decodeTlv accepted what validate rejected (${code})`);
        } catch (e) {
          check(e instanceof TlvParseError, `${where}: decodeTlv threw ${String(e)}`);
          check(e instanceof TlvParseError && e.code === code && e.offset === errorOffset, `${where}: decodeTlv error differs from validate`);
        }

        // Card-data readers in kernels/emv: typed results only.
        store.clear();
        const st = store.storeTlv(buf, 0, buf.length, cursor);
        check(CODES.has(st) || st === TAG_STORE_FULL, `${where}: storeTlv returned ${st}`);
        check(dolDataLength(buf, 0, buf.length) >= -1, `${where}: dolDataLength`);
        check(buildDolData(buf, 0, buf.length, store, dolOut, 0) >= -2, `${where}: buildDolData`);
        const ac = parseAfl(buf, 0, buf.length, afl);
        walker.reset(afl);
        let recs = 0;
        while (walker.next()) recs++;
        check(recs === (ac === 0 ? afl.recordCount() : 0), `${where}: AFL walk`);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(corpus.length * ROUNDS);
    // The mutations reach every kind of malformation the cursor reports while walking.
    for (const code of [TlvError.None, TlvError.TruncatedTag, TlvError.TagTooLong, TlvError.TruncatedLength, TlvError.BadLength, TlvError.LengthOverrun, TlvError.TooDeep])
      expect(seen.get(code) ?? 0, `code ${code}`).toBeGreaterThan(0);
  });

  it('rejects pathological inputs quickly: 100k nested templates, 83FFFFFF lengths, 1 MB of padding', () => {
    const c = new TlvCursor();
    const nested = new Uint8Array(200_000);
    for (let i = 0; i < nested.length; i += 2) nested.set([0x70, 0x00], i);
    expect(c.validate(nested)).toBe(TlvError.None); // empty templates side by side
    const chain = new Uint8Array(300_000);
    for (let i = 0; i < 100_000; i++) chain.set([0x70, 0x83, 0xff], i * 3);
    expect(c.validate(chain)).not.toBe(TlvError.None);
    expect(c.validate(Uint8Array.from([0x5a, 0x83, 0xff, 0xff, 0xff, 0x00]))).toBe(TlvError.LengthOverrun);
    expect(c.validate(new Uint8Array(1 << 20))).toBe(TlvError.None);
    expect(() => decodeTlv(chain)).toThrow(TlvParseError);
  });
});
