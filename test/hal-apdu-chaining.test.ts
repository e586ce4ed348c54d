/** The shared 61xx / 6Cxx helper every adapter uses (hal/apdu-chaining.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_GET_RESPONSE, transceiveChained, withLe, type RawExchange } from '../hal/apdu-chaining.js';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const x = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** A scripted wire: answers in order and records what was sent. */
function script(...answers: string[]): RawExchange & { sent: string[] } {
  const sent: string[] = [];
  const f = (async (c: Uint8Array) => {
    sent.push(x(c));
    const a = answers.shift();
    if (a === undefined) throw new Error('unexpected command ' + x(c));
    return h(a);
  }) as RawExchange & { sent: string[] };
  f.sent = sent;
  return f;
}

describe('transceiveChained', () => {
  const rx = new Uint8Array(600);

  it('passes a plain response through', async () => {
    const w = script('AABB9000');
    expect(await transceiveChained(w, h('00A4040000'), 5, rx)).toBe(4);
    expect(x(rx.subarray(0, 4))).toBe('AABB9000');
  });

  it('concatenates 61xx chains with GET RESPONSE Le = SW2', async () => {
    const w = script('01026104', '030405066102', '07089000');
    const n = await transceiveChained(w, h('80CA00FE00'), 5, rx);
    expect(x(rx.subarray(0, n))).toBe('01020304050607089000');
    expect(w.sent).toEqual(['80CA00FE00', '00C0000004', '00C0000002']);
  });

  it('re-issues once on 6Cxx with the corrected Le, for case 2 and case 4 commands', async () => {
    const w = script('6C03', '0A0B0C9000');
    const n = await transceiveChained(w, h('00B2010C00'), 5, rx);
    expect(x(rx.subarray(0, n))).toBe('0A0B0C9000');
    expect(w.sent).toEqual(['00B2010C00', '00B2010C03']);
    const w4 = script('6C02', '6C05');
    const m = await transceiveChained(w4, h('80A8000002830000'), 8, rx);
    expect(w4.sent).toEqual(['80A8000002830000', '80A8000002830002']);
    expect(x(rx.subarray(0, m))).toBe('6C05'); // a second 6Cxx is the card's answer, not a loop
  });

  it('only sends tx[0, txLen)', async () => {
    const w = script('9000');
    await transceiveChained(w, h('00B2010C00FFFFFF'), 5, rx);
    expect(w.sent).toEqual(['00B2010C00']);
  });

  it("rejects 'protocol' on a short answer and on an endless 61xx chain", async () => {
    await expect(transceiveChained(script('90'), h('00A4040000'), 5, rx)).rejects.toMatchObject({ code: 'protocol' });
    const endless: RawExchange = async () => h('AA6101');
    await expect(transceiveChained(endless, h('00A4040000'), 5, new Uint8Array(4096))).rejects.toMatchObject({ code: 'protocol' });
    let calls = 0;
    const counted: RawExchange = async () => (calls++, h('6101'));
    await transceiveChained(counted, h('00A4040000'), 5, rx).catch(() => undefined);
    expect(calls).toBe(MAX_GET_RESPONSE + 1);
  });

  it("rejects 'response-too-long' when rx cannot hold the whole response", async () => {
    await expect(transceiveChained(script('0102036101', '049000'), h('00A4040000'), 5, new Uint8Array(4))).rejects.toMatchObject({ code: 'response-too-long' });
  });

  it('rejects a txLen that is not a C-APDU length with RangeError', async () => {
    await expect(transceiveChained(script(), h('00A4'), 2, rx)).rejects.toBeInstanceOf(RangeError);
    await expect(transceiveChained(script(), h('00A40400'), 9, rx)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('withLe', () => {
  it('sets Le for each short-APDU case', () => {
    expect(x(withLe(h('00840000'), 8))).toBe('0084000008'); // case 1 → 2
    expect(x(withLe(h('00B2010C00'), 0x14))).toBe('00B2010C14'); // case 2
    expect(x(withLe(h('80A80000028300'), 0x20))).toBe('80A8000002830020'); // case 3 → 4
    expect(x(withLe(h('80A8000002830000'), 0x20))).toBe('80A8000002830020'); // case 4
  });
});

describe('trimAtr (PC/SC status ATRs can come zero-padded)', async () => {
  const { trimAtr } = await import('../hal/pcsc/service.js');
  it('cuts the padding after TCK and keeps exact ATRs', () => {
    const qp = '3B8980015348414E46552D515023';
    expect(x(trimAtr(h(qp + '00'.repeat(19))))).toBe(qp);
    expect(x(trimAtr(h('3B80800101')))).toBe('3B80800101');
    expect(x(trimAtr(h('3B02AABB0000')))).toBe('3B02AABB'); // T=0 only: no TCK
  });
});
