/**
 * Parses short C-APDUs (ISO 7816-3 §12.1 cases 1–4) and builds R-APDUs. The card side allocates
 * freely: it models a card, it is not the terminal's hot path.
 */
export type Command = {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty for cases 1 and 2). */
  data: Uint8Array;
  /** Expected length: undefined when absent, 256 for Le = 00. */
  le: number | undefined;
};

/** Parses a C-APDU; returns null when its length does not fit any short case (→ 6700). */
export function parseCommand(capdu: Uint8Array): Command | null {
  const n = capdu.length;
  if (n < 4) return null;
  const cmd: Command = { cla: capdu[0]!, ins: capdu[1]!, p1: capdu[2]!, p2: capdu[3]!, data: new Uint8Array(0), le: undefined };
  if (n === 4) return cmd; // case 1
  const b5 = capdu[4]!;
  if (n === 5) {
    cmd.le = b5 === 0 ? 256 : b5; // case 2
    return cmd;
  }
  if (b5 === 0) return null; // extended length is not supported by this card
  if (n === 5 + b5) {
    cmd.data = capdu.slice(5, 5 + b5); // case 3
    return cmd;
  }
  if (n === 6 + b5) {
    cmd.data = capdu.slice(5, 5 + b5); // case 4
    const le = capdu[5 + b5]!;
    cmd.le = le === 0 ? 256 : le;
    return cmd;
  }
  return null;
}

/** R-APDU = data ‖ SW1 SW2. */
export function response(data: Uint8Array | null, sw: number): Uint8Array {
  const len = data ? data.length : 0;
  const out = new Uint8Array(len + 2);
  if (data) out.set(data, 0);
  out[len] = sw >>> 8;
  out[len + 1] = sw & 0xff;
  return out;
}

/** The status word of an R-APDU. */
export function statusWord(rapdu: Uint8Array): number {
  return (rapdu[rapdu.length - 2]! << 8) | rapdu[rapdu.length - 1]!;
}
