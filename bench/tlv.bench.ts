/**
 * TLV parsing: shanfu's TlvCursor (a walk over every object, descending into templates, no
 * allocation) and decodeTlv (a tree of objects), side by side with the npm parsers `node-tlv` and
 * `ber-tlv` parsing the same responses into their trees. One op = one response.
 * Corpora: bench/samples.ts (FCI, PPSE, GPO, records, GET DATA) and, when present, the shared
 * conformance traces (devnied + UnionPay), read at run time.
 */
import { createRequire } from 'node:module';
import { TlvCursor, TlvError } from '../kernels/tlv/cursor.js';
import { decodeTlv } from '../kernels/tlv/tree.js';
import type { Suite } from './harness.js';
import { ownSamples, traceResponses, type Sample } from './samples.js';

const require = createRequire(import.meta.url);
const NodeTlv = require('node-tlv') as { parseList(data: Buffer): unknown[] };
const BerTlv = require('ber-tlv') as { TlvFactory: { parse(data: Buffer): unknown[] } };

const cursor = new TlvCursor();

/** Walks every object of `buf`, entering templates; returns a checksum of first value bytes. */
export function walk(buf: Uint8Array): number {
  const c = cursor;
  c.reset(buf);
  let acc = 0;
  for (;;) {
    if (c.next()) {
      if (c.constructed) {
        if (!c.enter()) return -1;
      } else if (c.length > 0) acc += buf[c.valueOffset]!;
      continue;
    }
    if (c.error !== TlvError.None || c.depth === 0) return acc;
    c.leave();
  }
}

/** Responses every parser accepts, so all four do the same work. */
function comparable(samples: Sample[]): { bytes: Uint8Array[]; buffers: Buffer[] } {
  const bytes: Uint8Array[] = [];
  const buffers: Buffer[] = [];
  for (const s of samples) {
    if (cursor.validate(s.bytes) !== TlvError.None) continue;
    const b = Buffer.from(s.bytes);
    try {
      NodeTlv.parseList(b);
      BerTlv.TlvFactory.parse(b);
    } catch {
      continue;
    }
    bytes.push(s.bytes);
    buffers.push(b);
  }
  return { bytes, buffers };
}

function tlvSuite(name: string, description: string, samples: Sample[]): Suite {
  const { bytes, buffers } = comparable(samples);
  const n = bytes.length;
  return {
    name,
    description: `${description}: ${n} responses, ${bytes.reduce((a, b) => a + b.length, 0)} bytes`,
    reference: 'shanfu TlvCursor walk',
    cases: [
      { name: 'shanfu TlvCursor walk', fn: (i) => walk(bytes[i % n]!), cycle: n },
      { name: 'shanfu decodeTlv (tree)', fn: (i) => decodeTlv(bytes[i % n]!).length, cycle: n },
      { name: 'npm node-tlv parseList', fn: (i) => NodeTlv.parseList(buffers[i % n]!).length, cycle: n },
      { name: 'npm ber-tlv TlvFactory.parse', fn: (i) => BerTlv.TlvFactory.parse(buffers[i % n]!).length, cycle: n },
    ],
  };
}

export const suites: Suite[] = [tlvSuite('tlv', 'own samples (FCI, PPSE, GPO, records)', ownSamples())];
const traces = traceResponses();
if (traces.length) suites.push(tlvSuite('tlv-traces', 'conformance traces (devnied, UnionPay)', traces));
