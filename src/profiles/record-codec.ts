/**
 * The transit record a profile keeps in the card's extended application (qpboc-facts §4.6: no
 * national qPBOC record layout is public, so the layout is a pluggable codec per operator). The
 * default codec writes the documented 64-byte layout of src/profiles/README.md "The default record"
 * (64 bytes = the record length of the Xi'an metro file, facts §4.6, and of test-vectors/cards/metro-transit.json).
 *
 * Codecs run inside the synchronous kernel hook: decode/encode write into caller-owned objects and
 * buffers (the terminal id string is the only allocation, on decode).
 */

/** Record status (byte 3 of the default layout). */
export const RecordStatus = {
  /** Never written (or cleared): no journey. */
  Blank: 0,
  /** Entered (metro gate / toll entry lane); the exit is still to be charged. */
  Open: 1,
  /** Exited: the journey was charged at the exit. */
  Closed: 2,
  /** A single-tap leg (bus boarding), charged at the tap. */
  Leg: 3,
} as const;
export type RecordStatusCode = (typeof RecordStatus)[keyof typeof RecordStatus];

/** Sector of the last tap (byte 4). */
export const Sector = { None: 0, Bus: 1, Metro: 2, Toll: 3 } as const;
export type SectorCode = (typeof Sector)[keyof typeof Sector];

/** How the journey is charged (byte 5): the DF60 the opening tap used (facts §4.2). */
export const ChargeMode = { Normal: 0, Segmented: 1, PreAuth: 2 } as const;

/** One decoded transit record. Times are epoch milliseconds (whole seconds on the card). */
export interface TransitRecord {
  status: number;
  sector: number;
  chargeMode: number;
  operatorId: number;
  /** Route (bus), line (metro) or road (toll). */
  line: number;
  /** Entry station / boarding zone; 0 when unknown. */
  entryStation: number;
  entryTime: number;
  /** Exit station (= entry for a bus leg). */
  lastStation: number;
  lastTime: number;
  /** Terminal of the last tap (up to 8 ASCII characters). */
  terminalId: string;
  /** Amount charged at the last tap (minor units). */
  amount: number;
  /** Amount held by an offline pre-authorisation (DF60 = 02) until the exit completes it. */
  held: number;
  /** Toll vehicle class; 0 elsewhere. */
  vehicleClass: number;
  /** Legs in this journey: 1 for a first leg, +1 per transfer. */
  legs: number;
  /** Sum of the fares of this journey's legs. */
  journeyTotal: number;
}

export function emptyRecord(): TransitRecord {
  return {
    status: RecordStatus.Blank, sector: Sector.None, chargeMode: ChargeMode.Normal, operatorId: 0, line: 0,
    entryStation: 0, entryTime: 0, lastStation: 0, lastTime: 0, terminalId: '', amount: 0, held: 0,
    vehicleClass: 0, legs: 0, journeyTotal: 0,
  };
}

/** Resets `r` to a blank record in place (no allocation). */
export function clearRecord(r: TransitRecord): void {
  Object.assign(r, BLANK);
}

/** What `decode` found: a record, a never-written one, or one that fails its check (CRC, version). */
export type RecordState = 'valid' | 'blank' | 'invalid';

/** An operator's record layout. `encode` writes `recordLength` bytes starting with the 2-byte record ID (facts §4.3). */
export interface TransitRecordCodec {
  readonly name: string;
  readonly recordLength: number;
  decode(src: Uint8Array, off: number, out: TransitRecord): RecordState;
  encode(rec: TransitRecord, recordId: number, out: Uint8Array, off: number): void;
}

// ---- CRC-32 (ISO-HDLC, the zlib/PNG polynomial 0xEDB88320, reflected, init/xorout FFFFFFFF) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32/ISO-HDLC of `buf[off, off+len)` ("123456789" → 0xCBF43926). */
export function crc32(buf: Uint8Array, off: number, len: number): number {
  let c = 0xffffffff;
  for (let i = off; i < off + len; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Format version byte of the default layout. */
export const DEFAULT_FORMAT_VERSION = 0x01;
const LEN = 64;
const CRC_OFF = 60;
const TID_OFF = 22;
const TID_LEN = 8;

/** Epoch ms → whole seconds in a u32 (until 2106); out of range → RangeError naming the field. */
function seconds(ms: number, field: string): number {
  const s = Math.floor(ms / 1000);
  if (!Number.isFinite(s) || s < 0 || s > 0xffffffff) throw new RangeError(`${field} must be an epoch time between 1970 and 2106`);
  return s;
}

function checkU(v: number, max: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`record.${field} must be an integer in 0..${max}`);
  return v;
}

/**
 * The documented default layout (README.md "The default record"): 64 bytes, big-endian integers,
 * times in epoch seconds, CRC-32 over bytes 0–59 in bytes 60–63. A record whose bytes 2–63 are all
 * zero is blank (the card's initial ID ‖ zeros, hal/virtual `cappRecord`).
 */
export const defaultRecordCodec: TransitRecordCodec = {
  name: 'shanfu-default-v1',
  recordLength: LEN,
  decode(src, off, out) {
    let blank = true;
    for (let i = 2; i < LEN; i++) if (src[off + i] !== 0) { blank = false; break; }
    if (blank) {
      clearRecord(out);
      return 'blank';
    }
    if (src[off + 2] !== DEFAULT_FORMAT_VERSION || crc32(src, off, CRC_OFF) !== u32(src, off + CRC_OFF)) return 'invalid';
    out.status = src[off + 3]!;
    out.sector = src[off + 4]!;
    out.chargeMode = src[off + 5]!;
    out.operatorId = u16(src, off + 6);
    out.line = u16(src, off + 8);
    out.entryStation = u16(src, off + 10);
    out.entryTime = u32(src, off + 12) * 1000;
    out.lastStation = u16(src, off + 16);
    out.lastTime = u32(src, off + 18) * 1000;
    let tid = '';
    for (let i = 0; i < TID_LEN; i++) {
      const c = src[off + TID_OFF + i]!;
      if (c === 0x20 || c === 0) break;
      tid += String.fromCharCode(c);
    }
    out.terminalId = tid;
    out.amount = u32(src, off + 30);
    out.held = u32(src, off + 34);
    out.vehicleClass = src[off + 38]!;
    out.legs = src[off + 39]!;
    out.journeyTotal = u32(src, off + 40);
    if (out.status > RecordStatus.Leg) return 'invalid';
    return 'valid';
  },
  encode(rec, recordId, out, off) {
    checkU(recordId, 0xffff, 'recordId');
    out.fill(0, off, off + LEN);
    put16(out, off, recordId);
    out[off + 2] = DEFAULT_FORMAT_VERSION;
    out[off + 3] = checkU(rec.status, 3, 'status');
    out[off + 4] = checkU(rec.sector, 0xff, 'sector');
    out[off + 5] = checkU(rec.chargeMode, 0xff, 'chargeMode');
    put16(out, off + 6, checkU(rec.operatorId, 0xffff, 'operatorId'));
    put16(out, off + 8, checkU(rec.line, 0xffff, 'line'));
    put16(out, off + 10, checkU(rec.entryStation, 0xffff, 'entryStation'));
    put32(out, off + 12, seconds(rec.entryTime, 'record.entryTime'));
    put16(out, off + 16, checkU(rec.lastStation, 0xffff, 'lastStation'));
    put32(out, off + 18, seconds(rec.lastTime, 'record.lastTime'));
    const tid = rec.terminalId;
    for (let i = 0; i < TID_LEN; i++) {
      const c = i < tid.length ? tid.charCodeAt(i) : 0x20;
      out[off + TID_OFF + i] = c > 0x20 && c < 0x7f ? c : 0x20; // printable ASCII; anything else becomes a space
    }
    put32(out, off + 30, checkU(rec.amount, 0xffffffff, 'amount'));
    put32(out, off + 34, checkU(rec.held, 0xffffffff, 'held'));
    out[off + 38] = checkU(rec.vehicleClass, 0xff, 'vehicleClass');
    out[off + 39] = checkU(rec.legs, 0xff, 'legs');
    put32(out, off + 40, checkU(rec.journeyTotal, 0xffffffff, 'journeyTotal'));
    put32(out, off + CRC_OFF, crc32(out, off, CRC_OFF));
  },
};

const BLANK: TransitRecord = Object.freeze(emptyRecord());
