/**
 * The HID framing codec (hal/hid/FRAMING.md): round trips both ways, chaining edge cases, and
 * rejection of reports that cannot belong to a valid message.
 */
import { describe, expect, it } from 'vitest';
import { HidFramingError, MAX_MESSAGE, PACKET_PAYLOAD, packetize, REPORT_SIZE, shanfuFraming as f, type HidRequest, type HidResponse } from '../hal/hid/framing.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function decodeAll<T>(push: (r: Uint8Array) => T | null, reports: Uint8Array[]): T {
  let out: T | null = null;
  reports.forEach((r, i) => {
    const m = push(r);
    if (i < reports.length - 1) expect(m).toBeNull();
    else out = m;
  });
  expect(out).not.toBeNull();
  return out!;
}

describe('HID framing: requests', () => {
  const cases: HidRequest[] = [
    { command: 'field', on: true },
    { command: 'field', on: false },
    { command: 'poll' },
    { command: 'transceive', apdu: bytes(20) },
    { command: 'led', color: 'blue' },
    { command: 'buzzer', pattern: 'attention' },
    { command: 'display', lines: ['票价 2.00', 'balance 13.50'] },
    { command: 'firmware-info' },
  ];
  for (const req of cases) {
    it(`round-trips ${req.command} ${JSON.stringify(req).slice(0, 40)}`, () => {
      const reports = f.encodeRequest(req, 42);
      for (const r of reports) expect(r.length).toBe(REPORT_SIZE);
      const d = f.requestDecoder();
      expect(decodeAll((r) => d.push(r), reports)).toEqual({ ...req, seq: 42 });
    });
  }

  it('lays out the header as documented: command, seq, flags, index, length', () => {
    const [r] = f.encodeRequest({ command: 'transceive', apdu: Uint8Array.of(0x00, 0xa4, 0x04, 0x00) }, 7);
    expect(Array.from(r!.subarray(0, 9))).toEqual([0x03, 7, 0x00, 0, 4, 0x00, 0xa4, 0x04, 0x00]);
    expect(r!.subarray(9).every((b) => b === 0)).toBe(true);
  });
});

describe('HID framing: responses', () => {
  it('round-trips a poll answer with ATR and UID, and a no-card answer', () => {
    const res: HidResponse = { seq: 3, command: 'poll', status: 'ok', data: new Uint8Array(0), card: { atr: Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01), uid: Uint8Array.of(4, 1, 2, 3) } };
    expect(f.responseDecoder().push(f.encodeResponse(res)[0]!)).toEqual(res);
    const none: HidResponse = { seq: 4, command: 'poll', status: 'no-card', data: new Uint8Array(0) };
    expect(f.responseDecoder().push(f.encodeResponse(none)[0]!)).toEqual(none);
  });

  for (const status of ['card-removed', 'timeout', 'bad-sequence', 'bad-length', 'unknown-command'] as const) {
    it(`round-trips the error status ${status}`, () => {
      const res: HidResponse = { seq: 9, command: 'transceive', status, data: new Uint8Array(0) };
      expect(f.responseDecoder().push(f.encodeResponse(res)[0]!)).toEqual(res);
    });
  }

  // Response payload = status byte + data, so the packet boundary falls at data length PACKET_PAYLOAD - 1.
  for (const n of [0, 1, PACKET_PAYLOAD - 2, PACKET_PAYLOAD - 1, PACKET_PAYLOAD, 2 * PACKET_PAYLOAD - 1, 2 * PACKET_PAYLOAD, 302, MAX_MESSAGE - 1]) {
    it(`chains a transceive answer of ${n} bytes into ${Math.max(1, Math.ceil((n + 1) / PACKET_PAYLOAD))} packet(s)`, () => {
      const res: HidResponse = { seq: 200, command: 'transceive', status: 'ok', data: bytes(n, 5) };
      const reports = f.encodeResponse(res);
      expect(reports.length).toBe(Math.max(1, Math.ceil((n + 1) / PACKET_PAYLOAD)));
      reports.forEach((r, i) => {
        expect(r[3]).toBe(i);
        expect(r[2]).toBe(i < reports.length - 1 ? 1 : 0);
      });
      const d = f.responseDecoder();
      expect(decodeAll((r) => d.push(r), reports)).toEqual(res);
    });
  }

  it('refuses a message longer than 256 packets', () => {
    expect(() => packetize(0x83, 1, new Uint8Array(MAX_MESSAGE + 1))).toThrow(RangeError);
  });
});

describe('HID framing: malformed reports', () => {
  const long = () => f.encodeResponse({ seq: 5, command: 'transceive', status: 'ok', data: bytes(150) });
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(HidFramingError);
      return (e as HidFramingError).reason;
    }
    return 'accepted';
  };

  it('rejects a packet that skips an index, and recovers with the next message', () => {
    const [p0, , p2] = long();
    const d = f.responseDecoder();
    expect(d.push(p0!)).toBeNull();
    expect(reason(() => d.push(p2!))).toBe('bad-sequence');
    expect(decodeAll((r) => d.push(r), long()).data).toEqual(bytes(150));
  });

  it('rejects a continuation of another sequence number or without a first packet', () => {
    const a = long();
    const b = f.encodeResponse({ seq: 6, command: 'transceive', status: 'ok', data: bytes(150) });
    const d = f.responseDecoder();
    d.push(a[0]!);
    expect(reason(() => d.push(b[1]!))).toBe('bad-sequence');
    expect(reason(() => f.responseDecoder().push(a[1]!))).toBe('bad-sequence');
  });

  it('starts over when a new first packet arrives mid-message (the peer abandoned the old one)', () => {
    const d = f.responseDecoder();
    d.push(long()[0]!);
    const res: HidResponse = { seq: 8, command: 'led', status: 'ok', data: new Uint8Array(0) };
    expect(d.push(f.encodeResponse(res)[0]!)).toEqual(res);
  });

  it('rejects unknown command bytes, requests on the response side, unknown flags and bad lengths', () => {
    const ok = f.encodeResponse({ seq: 1, command: 'led', status: 'ok', data: new Uint8Array(0) })[0]!;
    const mutate = (i: number, v: number) => {
      const r = ok.slice();
      r[i] = v;
      return r;
    };
    expect(reason(() => f.responseDecoder().push(mutate(0, 0x7f)))).toBe('unknown-command');
    expect(reason(() => f.responseDecoder().push(mutate(0, 0x04)))).toBe('unknown-command');
    expect(reason(() => f.requestDecoder().push(ok))).toBe('unknown-command');
    expect(reason(() => f.responseDecoder().push(mutate(2, 0x40)))).toBe('unknown-command');
    expect(reason(() => f.responseDecoder().push(mutate(4, PACKET_PAYLOAD + 1)))).toBe('bad-length');
    expect(reason(() => f.responseDecoder().push(mutate(4, 0)))).toBe('bad-length'); // no status byte
    expect(reason(() => f.responseDecoder().push(mutate(5, 0x33)))).toBe('bad-length'); // unknown status
    expect(reason(() => f.responseDecoder().push(ok.subarray(0, 3)))).toBe('bad-length');
    // MORE set on a short packet.
    const more = mutate(2, 1);
    expect(reason(() => f.responseDecoder().push(more))).toBe('bad-length');
  });

  it('rejects a poll answer whose ATR/UID lengths do not add up', () => {
    const [r] = f.encodeResponse({ seq: 2, command: 'poll', status: 'ok', data: new Uint8Array(0), card: { atr: Uint8Array.of(0x3b, 0x80), uid: Uint8Array.of(1) } });
    const bad = r!.slice();
    bad[6] = 9; // ATR length beyond the payload
    expect(reason(() => f.responseDecoder().push(bad))).toBe('bad-length');
  });

  it('rejects request payloads out of range (LED colour, field flag, short APDU)', () => {
    const raw = (code: number, payload: number[]) => packetize(code, 1, Uint8Array.from(payload))[0]!;
    expect(reason(() => f.requestDecoder().push(raw(0x04, [9])))).toBe('bad-length');
    expect(reason(() => f.requestDecoder().push(raw(0x01, [])))).toBe('bad-length');
    expect(reason(() => f.requestDecoder().push(raw(0x03, [0, 0xa4])))).toBe('bad-length');
  });
});
