/**
 * Decodes TLV into a tree of plain objects, for the CLI, tools and tests (allocates; the kernel
 * uses the cursor directly).
 */
import { TlvCursor, TlvError, tagHex, tlvErrorText } from './cursor.js';
import { toHex } from '../util/hex.js';

export type TlvNode = {
  tag: string;
  /** Offset of the tag in the decoded buffer. */
  offset: number;
  length: number;
  /** Hex of the value, for primitive objects. */
  value?: string;
  /** Children, for constructed objects. */
  children?: TlvNode[];
};

/** A malformed TLV buffer: `offset` is the offending byte, `reason` a TlvError text. */
export class TlvParseError extends Error {
  readonly offset: number;
  readonly code: number;
  constructor(code: number, offset: number) {
    super(`${tlvErrorText(code)} at offset ${offset}`);
    this.name = 'TlvParseError';
    this.code = code;
    this.offset = offset;
  }
}

/** Decodes `buf[start, end)` into a tree; throws TlvParseError for malformed data. */
export function decodeTlv(buf: Uint8Array, start = 0, end = buf.length, maxDepth?: number): TlvNode[] {
  const c = new TlvCursor(maxDepth);
  c.reset(buf, start, end);
  const root: TlvNode[] = [];
  const stack: TlvNode[][] = [root];
  for (;;) {
    if (c.next()) {
      const node: TlvNode = { tag: tagHex(c.tag), offset: c.tagOffset, length: c.length };
      stack[stack.length - 1]!.push(node);
      if (c.constructed) {
        node.children = [];
        if (!c.enter()) throw new TlvParseError(c.error, c.errorOffset);
        stack.push(node.children);
      } else node.value = toHex(buf, c.valueOffset, c.valueEnd);
      continue;
    }
    if (c.error !== TlvError.None) throw new TlvParseError(c.error, c.errorOffset);
    if (c.depth === 0) return root;
    c.leave();
    stack.pop();
  }
}
