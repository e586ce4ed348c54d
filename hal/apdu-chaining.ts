/**
 * GET RESPONSE (61xx) and wrong-Le (6Cxx) handling, shared by every adapter (virtual reader,
 * PC/SC, HID), so the kernel always sees one whole response (../shared/DESIGN.md "The HAL").
 *
 * ISO/IEC 7816-4 §5.1.3 / EMV Book 1 §9.3.1.3: on '61xx' the terminal sends GET RESPONSE
 * ('00 C0 00 00 xx') and concatenates the data; on '6Cxx' it re-issues the same command with
 * Le = xx. Both are bounded so a misbehaving card ends in TransportError('protocol'), not a loop.
 */
import { TransportError } from './transport.js';

/** One raw exchange on the wire: C-APDU in, R-APDU (data ‖ SW1 SW2) out; no chaining. */
export type RawExchange = (capdu: Uint8Array) => Promise<Uint8Array>;

/** More GET RESPONSE rounds than this is a card fault (64 × 256 bytes is far above any EMV record). */
export const MAX_GET_RESPONSE = 64;

/**
 * Sends `tx[0, txLen)` through `raw`, follows 61xx/6Cxx, and writes the whole response into
 * `rx`, returning its length. Rejects with TransportError('protocol') for a response shorter than
 * a status word or endless chaining, and 'response-too-long' when `rx` is too small.
 */
export async function transceiveChained(raw: RawExchange, tx: Uint8Array, txLen: number, rx: Uint8Array): Promise<number> {
  if (txLen < 4 || txLen > tx.length) throw new RangeError(`txLen: ${txLen} is not a C-APDU length within tx (${tx.length} bytes)`);
  let capdu = tx.subarray(0, txLen);
  let resp = await raw(capdu);
  let out = 0;
  let reissued = false;
  for (let rounds = 0; ; rounds++) {
    const n = resp.length;
    if (n < 2) throw new TransportError('protocol', `card answered ${n} byte(s), shorter than a status word`);
    const sw1 = resp[n - 2]!;
    const sw2 = resp[n - 1]!;
    if (sw1 === 0x6c && !reissued) {
      // Wrong Le: re-issue once with Le = SW2 (data from a 6Cxx answer is discarded).
      reissued = true;
      capdu = withLe(capdu, sw2);
      resp = await raw(capdu);
      continue;
    }
    if (sw1 === 0x61) {
      if (rounds >= MAX_GET_RESPONSE) throw new TransportError('protocol', `card kept answering 61xx after ${MAX_GET_RESPONSE} GET RESPONSE commands`);
      out = append(rx, out, resp, n - 2);
      resp = await raw(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, sw2));
      continue;
    }
    return append(rx, out, resp, n);
  }
}

function append(rx: Uint8Array, at: number, src: Uint8Array, len: number): number {
  if (at + len > rx.length) throw new TransportError('response-too-long', `response of at least ${at + len} bytes does not fit rx (${rx.length} bytes); pass a larger rx buffer`);
  rx.set(len === src.length ? src : src.subarray(0, len), at);
  return at + len;
}

/**
 * The same short C-APDU with Le set to `le` (ISO 7816-4 cases: 1 → 2, 2 → 2, 3 → 4, 4 → 4).
 * Extended-length APDUs are returned unchanged (a 6Cxx answer to one is a card fault we pass on).
 */
export function withLe(capdu: Uint8Array, le: number): Uint8Array {
  const n = capdu.length;
  if (n === 4) return Uint8Array.of(capdu[0]!, capdu[1]!, capdu[2]!, capdu[3]!, le);
  if (n === 5) {
    const c = capdu.slice();
    c[4] = le;
    return c;
  }
  const lc = capdu[4]!;
  if (lc === 0) return capdu; // extended length
  if (n === 5 + lc) {
    const c = new Uint8Array(n + 1);
    c.set(capdu);
    c[n] = le;
    return c;
  }
  if (n === 6 + lc) {
    const c = capdu.slice();
    c[n - 1] = le;
    return c;
  }
  return capdu;
}
