/**
 * Hex helpers for configuration, CLI and tests. Not for the per-APDU hot path: they allocate.
 */

const HEX = '0123456789ABCDEF';

/** Uppercase hex of `bytes[start, end)`. */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/**
 * Parses hex (either case; spaces, colons and newlines ignored).
 * Throws a TypeError naming `what` for odd length or a non-hex character.
 */
export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0) throw new TypeError(`${what}: odd number of hex digits (${clean.length})`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new TypeError(`${what}: not hex: ${JSON.stringify(clean.slice(0, 40))}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/** True when `a[aOff, aOff+len)` equals `b[bOff, bOff+len)`. Allocation-free. */
export function bytesEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, len: number): boolean {
  if (aOff + len > a.length || bOff + len > b.length) return false;
  for (let i = 0; i < len; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/** Concatenates byte arrays (allocates; for setup and tests). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
