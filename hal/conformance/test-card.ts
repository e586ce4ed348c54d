/**
 * The conformance suite's own card: a tiny CardEmulator with exactly the behaviours every
 * adapter must handle (61xx chaining, 6Cxx wrong Le, leaving mid-command). It is a test fixture,
 * not a QuickPass card (that is hal/virtual/card.ts).
 *
 * Commands:
 *   00 A4 04 00 0E '2PAY.SYS.DDF01' 00   SELECT PPSE → FCI_PPSE ‖ 9000
 *   80 EE 00 00 Lc data [Le]            ECHO → data ‖ 9000
 *   80 CA 00 FE 00                      GET DATA (long) → 61 00, then GET RESPONSE serves LONG_DATA (300 bytes)
 *   00 B2 01 0C Le                      READ RECORD 1 → 6C 'len' unless Le = len, then RECORD_1 ‖ 9000
 *   00 C0 00 00 Le                      GET RESPONSE (after 61xx)
 *   anything else                       6D00
 */
import type { CardEmulator } from '../virtual/emulator.js';

/** ISO 14443-4 type A, no historical bytes, as a PC/SC reader synthesises it (TCK = 01). */
export const TEST_CARD_ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

export const SELECT_PPSE = hex('00A404000E325041592E5359532E444446303100');
/** BER-TLV with a one-byte length (enough for this fixture). */
const tlv = (tag: string, value: string) => tag + (value.length / 2).toString(16).padStart(2, '0') + value;

/** FCI of the PPSE listing the UnionPay debit AID A000000333010101. */
export const FCI_PPSE = hex(
  tlv('6F', tlv('84', '325041592E5359532E4444463031') + tlv('A5', tlv('BF0C', tlv('61', tlv('4F', 'A000000333010101') + tlv('50', '4465626974204361726420') + tlv('87', '01'))))),
);
export const RECORD_1 = hex(tlv('70', tlv('5A', '6226000000000010') + tlv('5F24', '291231') + tlv('5F34', '01')));
export const LONG_DATA = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff);

export class ConformanceCard implements CardEmulator {
  readonly atr = TEST_CARD_ATR;
  lastExchangeMicros = 0;
  powered = false;
  /** Commands received (including GET RESPONSE and re-issued ones). */
  commands = 0;
  private leaveArmed = false;
  private chain: Uint8Array | null = null;

  /** The next command is never answered: the card leaves the field during it. */
  leaveOnNextCommand(): void {
    this.leaveArmed = true;
  }

  powerOn(): void {
    this.powered = true;
    this.chain = null;
  }

  powerOff(): void {
    this.powered = false;
    this.chain = null;
  }

  transmit(c: Uint8Array): Uint8Array | null {
    this.commands++;
    if (this.leaveArmed) {
      this.leaveArmed = false;
      return null;
    }
    const ins = c[1];
    if (c.length >= 5 && c[0] === 0x00 && ins === 0xc0) return this.getResponse(c[4]!);
    this.chain = null;
    if (c.length === SELECT_PPSE.length && Buffer.compare(c, SELECT_PPSE) === 0) return withSw(FCI_PPSE, 0x90, 0x00);
    if (c[0] === 0x80 && ins === 0xee && c.length >= 5) {
      const lc = c[4]!;
      return withSw(c.subarray(5, 5 + lc), 0x90, 0x00);
    }
    if (c[0] === 0x80 && ins === 0xca && c[2] === 0x00 && c[3] === 0xfe) {
      // As a T=0 card does for a case-4 command: no data yet, only "61 00" (256 or more waiting).
      this.chain = LONG_DATA;
      return Uint8Array.of(0x61, 0x00);
    }
    if (c[0] === 0x00 && ins === 0xb2 && c[2] === 0x01 && c[3] === 0x0c) {
      const le = c.length === 5 ? c[4]! : -1;
      if (le !== RECORD_1.length) return Uint8Array.of(0x6c, RECORD_1.length);
      return withSw(RECORD_1, 0x90, 0x00);
    }
    return Uint8Array.of(0x6d, 0x00);
  }

  /** Serves the pending chain: Le bytes (00 = 256), then 61xx while more is waiting. */
  private getResponse(le: number): Uint8Array {
    const data = this.chain;
    if (!data) return Uint8Array.of(0x69, 0x85);
    const n = Math.min(data.length, le === 0 ? 256 : le);
    const rest = data.length - n;
    this.chain = rest > 0 ? data.subarray(n) : null;
    return rest > 0 ? withSw(data.subarray(0, n), 0x61, rest > 0xff ? 0 : rest) : withSw(data.subarray(0, n), 0x90, 0x00);
  }
}

function withSw(data: Uint8Array, sw1: number, sw2: number): Uint8Array {
  const r = new Uint8Array(data.length + 2);
  r.set(data);
  r[data.length] = sw1;
  r[data.length + 1] = sw2;
  return r;
}
