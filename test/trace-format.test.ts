/** The trace format (hal/trace/format.ts) and masking (hal/trace/mask.ts) on hand-made data. */
import { describe, expect, it } from 'vitest';
import { maskResponse, parseTrace, serializeTrace, TraceFormatError, type Trace } from '../hal/trace/index.js';
import { decodeTlv } from '../kernels/tlv/index.js';

const base = (): Trace => ({
  format: 'shanfu-trace',
  version: 1,
  reader: 'r',
  atr: '3B8001',
  startedAt: '2026-11-27T02:00:00.000Z',
  inputs: { amount: 100, date: '20261127', time: '100000', unpredictableNumber: '01020304' },
  masked: true,
  exchanges: [
    { c: '00A404000E325041592E5359532E444446303100', r: '9000', t: 0, us: 12.5 },
    { c: '80A8000002830000', r: null, error: 'card-removed', t: 20, us: 3 },
  ],
});

const field = (o: unknown) => {
  try {
    parseTrace(o);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceFormatError);
    return (e as TraceFormatError).field;
  }
  return null;
};

describe('trace format', () => {
  it('round-trips through serializeTrace / parseTrace, upper-casing hex', () => {
    const t = base();
    expect(parseTrace(serializeTrace(t))).toEqual(t);
    const lower = { ...base(), atr: '3b8001' };
    expect(parseTrace(JSON.stringify(lower)).atr).toBe('3B8001');
    const { inputs: _, ...noInputs } = base();
    expect(parseTrace(noInputs).inputs).toEqual({});
  });

  it('rejects bad traces naming the field', () => {
    expect(field('{')).toBe('(root)');
    expect(field({ ...base(), format: 'x' })).toBe('format');
    expect(field({ ...base(), version: 2 })).toBe('version');
    expect(field({ ...base(), reader: 1 })).toBe('reader');
    expect(field({ ...base(), atr: 'ABC' })).toBe('atr');
    expect(field({ ...base(), startedAt: 'yesterday' })).toBe('startedAt');
    expect(field({ ...base(), masked: 'yes' })).toBe('masked');
    expect(field({ ...base(), inputs: { amount: 1.5 } })).toBe('inputs.amount');
    expect(field({ ...base(), inputs: { date: '2026-11-27' } })).toBe('inputs.date');
    expect(field({ ...base(), inputs: { time: '1000' } })).toBe('inputs.time');
    expect(field({ ...base(), inputs: { unpredictableNumber: 'XYZ' } })).toBe('inputs.unpredictableNumber');
    expect(field({ ...base(), exchanges: {} })).toBe('exchanges');
    const ex = (e: object) => ({ ...base(), exchanges: [{ c: '00', r: '9000', t: 0, us: 0, ...e }] });
    expect(field(ex({ c: '' }))).toBe('exchanges[0].c');
    expect(field(ex({ r: '90' }))).toBe('exchanges[0].r');
    expect(field(ex({ r: null }))).toBe('exchanges[0].r');
    expect(field(ex({ error: 'gone' }))).toBe('exchanges[0].error');
    expect(field(ex({ t: -1 }))).toBe('exchanges[0].t');
    expect(field(ex({ us: 'fast' }))).toBe('exchanges[0].us');
    expect(() => parseTrace({ ...base(), version: 2 })).toThrow(/version/);
  });
});

const h = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const x = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('maskResponse', () => {
  it('masks PAN, track 2, name, track 1 and discretionary data in nested templates, keeping the structure', () => {
    const tlv = (tag: string, value: string) => {
      const n = value.length / 2;
      return tag + (n > 127 ? `81${n.toString(16).padStart(2, '0')}` : n.toString(16).padStart(2, '0')) + value;
    };
    const ascii = (t: string) => Buffer.from(t).toString('hex');
    const inner =
      tlv('5A', '6228481234567890018F') +
      tlv('57', '6228481234567890018D29122011234567890F') +
      tlv('5F20', ascii('ZHANG/SAN')) +
      tlv('9F1F', ascii('123')) +
      tlv('9F20', '1234') +
      tlv('56', ascii('B6228481234567890018^ZHANG/SAN^2912201123456'));
    const r = h(tlv('77', tlv('70', inner)) + '9000');
    const m = maskResponse(r);
    expect(m.length).toBe(r.length);
    const [tpl] = decodeTlv(m.subarray(0, -2))[0]!.children!;
    const v = Object.fromEntries(tpl!.children!.map((c) => [c.tag, c.value]));
    expect(v['5A']).toBe('6228489999999990018F');
    expect(v['57']).toBe('6228489999999990018D29122019999999999F');
    expect(Buffer.from(v['5F20']!, 'hex').toString()).toBe('XXXXXXXXX');
    expect(Buffer.from(v['9F1F']!, 'hex').toString()).toBe('XXX');
    expect(v['9F20']).toBe('9999');
    expect(Buffer.from(v['56']!, 'hex').toString()).toBe('B6228489999999990018^XXXXXXXXX^2912201XXXXXX');
    expect(x(m.subarray(-2))).toBe('9000');
    expect(x(r)).toContain('6228481234567890018'); // the input is not modified
  });

  it('passes non-TLV responses and status words unchanged', () => {
    for (const s of ['9000', '6A82', '0102035A9000', '5A0A62284812345678900018']) expect(x(maskResponse(h(s)))).toBe(s);
  });
});

describe('ReplayReader edges', () => {
  it("opens a fresh session per waitForCard; aborted signal, closed reader, disconnected session and small rx are rejected", async () => {
    const { ReplayReader } = await import('../hal/trace/index.js');
    const r = new ReplayReader(serializeTrace(base()));
    expect(r.name).toBe('replay: r');
    const ac = new AbortController();
    ac.abort();
    await expect(r.waitForCard(ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    const tx = h('00A404000E325041592E5359532E444446303100');
    for (let n = 0; n < 2; n++) {
      const s = await r.waitForCard();
      expect(x(s.atr)).toBe('3B8001');
      await expect(s.transceive(tx, tx.length, new Uint8Array(1))).rejects.toMatchObject({ code: 'response-too-long' });
    }
    const s = await r.waitForCard();
    const rx = new Uint8Array(16);
    expect(await s.transceive(tx, tx.length, rx)).toBe(2);
    await expect(s.transceive(h('80A8000002830000'), 8, rx)).rejects.toMatchObject({ code: 'card-removed', message: expect.stringContaining('exchange 1') });
    await expect(s.transceive(tx, tx.length, rx)).rejects.toMatchObject({ code: 'card-removed', message: expect.stringContaining('trace ends') });
    await s.disconnect();
    await s.disconnect();
    await expect(s.transceive(tx, tx.length, rx)).rejects.toMatchObject({ code: 'closed' });
    await r.close();
    await expect(r.waitForCard()).rejects.toMatchObject({ code: 'closed' });
  });
});
