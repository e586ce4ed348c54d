/**
 * Human-readable meanings of values (amounts, dates, bit maps such as TTQ/CTQ/AIP/TVR), for the CLI,
 * trace rendering and reports. Allocates; not for the hot path.
 */
import type { TagContext } from './tags.js';

/** A short description of a value, or undefined when there is nothing more to say than its hex. */
export function describeValue(_tag: number, _value: Uint8Array, _context: TagContext = 'qpboc'): string | undefined {
  return undefined;
}
