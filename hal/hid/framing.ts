/**
 * APDU-over-HID framing. There is no standard one, so the adapter speaks the framing documented in
 * FRAMING.md ("shanfu HID framing v1") through the HidFraming interface: a reader vendor's own
 * framing is one more file implementing that interface, nothing else changes.
 *
 * Reports are 64 bytes (report id 0, which the link layer adds on write). A message (one request or
 * one response) is carried by one or more packets; every packet but the last has MORE set.
 */

/** Report payload size, without the report id byte. */
export const REPORT_SIZE = 64;
/** Packet header: command, sequence, flags, packet index, payload length. */
export const HEADER_SIZE = 5;
export const PACKET_PAYLOAD = REPORT_SIZE - HEADER_SIZE;
/** The packet index is one byte, so a message has at most 256 packets. */
export const MAX_MESSAGE = 256 * PACKET_PAYLOAD;

export const FLAG_MORE = 0x01;
/** Set in the command byte of every device → host packet. */
export const RESPONSE_BIT = 0x80;

export type LedColor = 'off' | 'green' | 'red' | 'yellow' | 'blue';
export type BuzzerPattern = 'ok' | 'error' | 'attention';

export type HidRequest =
  | { command: 'field'; on: boolean }
  | { command: 'poll' }
  | { command: 'transceive'; apdu: Uint8Array }
  | { command: 'led'; color: LedColor }
  | { command: 'buzzer'; pattern: BuzzerPattern }
  | { command: 'display'; lines: readonly string[] }
  | { command: 'firmware-info' };

export type HidCommand = HidRequest['command'];

/** Device status of a response; anything but 'ok' is an error code of the firmware. */
export type HidStatus = 'ok' | 'no-card' | 'card-removed' | 'timeout' | 'bad-sequence' | 'bad-length' | 'unknown-command';

export type HidResponse = {
  seq: number;
  command: HidCommand;
  status: HidStatus;
  /** transceive: the R-APDU; firmware-info: UTF-8 text; otherwise empty. */
  data: Uint8Array;
  /** poll with status 'ok': the card in the field. */
  card?: { atr: Uint8Array; uid: Uint8Array };
};

/** A report that cannot be part of a valid message. The link layer turns it into TransportError 'protocol'. */
export class HidFramingError extends Error {
  constructor(
    readonly reason: 'bad-sequence' | 'bad-length' | 'unknown-command',
    message: string,
  ) {
    super(message);
    this.name = 'HidFramingError';
  }
}

/** Reassembles messages from reports; `push` returns a message when its last packet arrived. */
export interface HidDecoder<T> {
  push(report: Uint8Array): T | null;
  reset(): void;
}

/** One framing, both directions (the host side for the adapter, the device side for emulators). */
export interface HidFraming {
  readonly name: string;
  /** Size of one report without the report id. */
  readonly reportSize: number;
  encodeRequest(request: HidRequest, seq: number): Uint8Array[];
  responseDecoder(): HidDecoder<HidResponse>;
  requestDecoder(): HidDecoder<HidRequest & { seq: number }>;
  encodeResponse(response: HidResponse): Uint8Array[];
}

const COMMANDS: readonly HidCommand[] = ['field', 'poll', 'transceive', 'led', 'buzzer', 'display', 'firmware-info'];
const STATUSES: readonly HidStatus[] = ['ok', 'no-card', 'card-removed', 'timeout', 'bad-sequence', 'bad-length', 'unknown-command'];
const COLORS: readonly LedColor[] = ['off', 'green', 'red', 'yellow', 'blue'];
const PATTERNS: readonly BuzzerPattern[] = ['ok', 'error', 'attention'];

/** The command of a wire code (0x01…0x07, response bit ignored), or undefined. */
export function commandName(code: number): HidCommand | undefined {
  return COMMANDS[(code & ~RESPONSE_BIT) - 1];
}

/** Command code on the wire (0x01…0x07). */
export function commandCode(c: HidCommand): number {
  return COMMANDS.indexOf(c) + 1;
}

/** Splits one message into packets (reports without report id). */
export function packetize(code: number, seq: number, payload: Uint8Array): Uint8Array[] {
  if (payload.length > MAX_MESSAGE) throw new RangeError(`payload: ${payload.length} bytes is more than one message carries (${MAX_MESSAGE})`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xff) throw new RangeError(`seq: ${seq} is not a byte`);
  const out: Uint8Array[] = [];
  let at = 0;
  do {
    const n = Math.min(PACKET_PAYLOAD, payload.length - at);
    const p = new Uint8Array(REPORT_SIZE);
    p[0] = code;
    p[1] = seq;
    p[2] = at + n < payload.length ? FLAG_MORE : 0;
    p[3] = out.length;
    p[4] = n;
    p.set(payload.subarray(at, at + n), HEADER_SIZE);
    out.push(p);
    at += n;
  } while (at < payload.length);
  return out;
}

type Raw = { code: number; seq: number; payload: Uint8Array };

/** Stateful reassembly of packets with the given direction bit; validates every header. */
class PacketAssembler {
  private current: { code: number; seq: number; next: number; parts: Uint8Array[] } | null = null;

  constructor(private readonly direction: number) {}

  push(report: Uint8Array): Raw | null {
    if (report.length < HEADER_SIZE) throw new HidFramingError('bad-length', `report of ${report.length} bytes is shorter than the ${HEADER_SIZE}-byte header`);
    const code = report[0]!;
    const seq = report[1]!;
    const flags = report[2]!;
    const index = report[3]!;
    const len = report[4]!;
    const cmd = code & ~RESPONSE_BIT;
    if ((code & RESPONSE_BIT) !== this.direction || cmd < 1 || cmd > COMMANDS.length) {
      this.current = null;
      throw new HidFramingError('unknown-command', `unknown command byte 0x${code.toString(16).padStart(2, '0')}`);
    }
    if ((flags & ~FLAG_MORE) !== 0) {
      this.current = null;
      throw new HidFramingError('unknown-command', `unknown flags 0x${flags.toString(16).padStart(2, '0')}`);
    }
    if (len > PACKET_PAYLOAD || HEADER_SIZE + len > report.length) {
      this.current = null;
      throw new HidFramingError('bad-length', `packet payload length ${len} exceeds the report`);
    }
    const cur = this.current;
    if (index === 0) {
      // A new message; one in progress is abandoned (the peer gave up on it).
      this.current = { code, seq, next: 1, parts: [] };
    } else if (!cur || cur.code !== code || cur.seq !== seq || cur.next !== index) {
      this.current = null;
      throw new HidFramingError('bad-sequence', `packet ${index} of message ${seq} does not continue ${cur ? `packet ${cur.next - 1} of message ${cur.seq}` : 'any message'}`);
    } else {
      cur.next++;
    }
    const m = this.current!;
    m.parts.push(report.slice(HEADER_SIZE, HEADER_SIZE + len));
    if ((flags & FLAG_MORE) !== 0) {
      if (len !== PACKET_PAYLOAD) {
        this.current = null;
        throw new HidFramingError('bad-length', `packet ${index} has MORE set but carries ${len} bytes, not ${PACKET_PAYLOAD}`);
      }
      return null;
    }
    this.current = null;
    return { code: m.code, seq: m.seq, payload: concat(m.parts) };
  }

  reset(): void {
    this.current = null;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function requestPayload(r: HidRequest): Uint8Array {
  switch (r.command) {
    case 'field':
      return Uint8Array.of(r.on ? 1 : 0);
    case 'transceive':
      return r.apdu;
    case 'led':
      return Uint8Array.of(COLORS.indexOf(r.color));
    case 'buzzer':
      return Uint8Array.of(PATTERNS.indexOf(r.pattern));
    case 'display':
      return utf8.encode(r.lines.join('\n'));
    default:
      return new Uint8Array(0);
  }
}

function parseRequest(raw: Raw): HidRequest & { seq: number } {
  const command = commandName(raw.code)!;
  const p = raw.payload;
  const seq = raw.seq;
  const oneOf = <T>(list: readonly T[], what: string): T => {
    const v = p.length === 1 ? list[p[0]!] : undefined;
    if (v === undefined) throw new HidFramingError('bad-length', `${what} request needs one byte below ${list.length}`);
    return v;
  };
  switch (command) {
    case 'field':
      return { seq, command, on: oneOf([false, true], 'field') };
    case 'transceive':
      if (p.length < 4) throw new HidFramingError('bad-length', `transceive request of ${p.length} bytes is no C-APDU`);
      return { seq, command, apdu: p };
    case 'led':
      return { seq, command, color: oneOf(COLORS, 'led') };
    case 'buzzer':
      return { seq, command, pattern: oneOf(PATTERNS, 'buzzer') };
    case 'display':
      return { seq, command, lines: fromUtf8.decode(p).split('\n') };
    default:
      return { seq, command } as HidRequest & { seq: number };
  }
}

function responsePayload(r: HidResponse): Uint8Array {
  const status = STATUSES.indexOf(r.status);
  if (status < 0) throw new RangeError(`status: unknown '${r.status}'`);
  let data = r.data;
  if (r.command === 'poll' && r.status === 'ok') {
    const { atr, uid } = r.card ?? { atr: new Uint8Array(0), uid: new Uint8Array(0) };
    data = new Uint8Array(2 + atr.length + uid.length);
    data[0] = atr.length;
    data.set(atr, 1);
    data[1 + atr.length] = uid.length;
    data.set(uid, 2 + atr.length);
  }
  const out = new Uint8Array(1 + data.length);
  out[0] = status;
  out.set(data, 1);
  return out;
}

function parseResponse(raw: Raw): HidResponse {
  const command = commandName(raw.code)!;
  const p = raw.payload;
  const status = p.length > 0 ? STATUSES[p[0]!] : undefined;
  if (status === undefined) throw new HidFramingError('bad-length', p.length === 0 ? 'response without a status byte' : `unknown status 0x${p[0]!.toString(16)}`);
  const data = p.subarray(1);
  if (command !== 'poll' || status !== 'ok') return { seq: raw.seq, command, status, data };
  const atrLen = data[0] ?? -1;
  const uidLen = data[1 + atrLen] ?? -1;
  if (atrLen < 0 || uidLen < 0 || 2 + atrLen + uidLen !== data.length) throw new HidFramingError('bad-length', `poll answer of ${data.length} bytes does not match its ATR/UID lengths`);
  return { seq: raw.seq, command, status, data: new Uint8Array(0), card: { atr: data.slice(1, 1 + atrLen), uid: data.slice(2 + atrLen) } };
}

/** The framing of FRAMING.md. */
export const shanfuFraming: HidFraming = {
  name: 'shanfu-hid-v1',
  reportSize: REPORT_SIZE,
  encodeRequest: (request, seq) => packetize(commandCode(request.command), seq, requestPayload(request)),
  encodeResponse: (response) => packetize(commandCode(response.command) | RESPONSE_BIT, response.seq, responsePayload(response)),
  responseDecoder: () => decoder(RESPONSE_BIT, parseResponse),
  requestDecoder: () => decoder(0, parseRequest),
};

function decoder<T>(direction: number, parse: (raw: Raw) => T): HidDecoder<T> {
  const a = new PacketAssembler(direction);
  return {
    push: (report) => {
      const raw = a.push(report);
      return raw ? parse(raw) : null;
    },
    reset: () => a.reset(),
  };
}
