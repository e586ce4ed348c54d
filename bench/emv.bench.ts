/**
 * kernels/emv per-APDU steps: storing a GPO response and records in the TagStore, building PDOL
 * data, parsing and walking the AFL, reading BCD amounts and dates. All should allocate 0 bytes/op.
 */
import { TlvCursor } from '../kernels/tlv/cursor.js';
import { TagStore } from '../kernels/emv/tag-store.js';
import { buildDolData } from '../kernels/emv/dol.js';
import { Afl, AflWalker, parseAfl } from '../kernels/emv/afl.js';
import { readAmount, readYymmdd } from '../kernels/emv/bcd.js';
import { fromHex } from '../kernels/util/hex.js';
import { SAMPLE_HEX } from './samples.js';
import type { Suite } from './harness.js';

const cursor = new TlvCursor();
const store = new TagStore(4096, 128);
const tap = ['gpo_tc', 'record_sfi1', 'record_sfi2', 'record_cert_issuer', 'record_cert_icc'].map((k) => fromHex(SAMPLE_HEX[k]!));

const pdol = fromHex('9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001DF6901');
const terminal = new TagStore(256, 32);
for (const [t, h] of [[0x9f66, '28000080'], [0x9f02, '000000000200'], [0x9f03, '000000000000'], [0x9f1a, '0156'], [0x95, '0000000000'], [0x5f2a, '0156'], [0x9a, '250601'], [0x9c, '00'], [0x9f37, '12345678'], [0xdf60, '01']] as const) {
  const v = fromHex(h);
  terminal.set(t, v, 0, v.length);
}
const pdolOut = new Uint8Array(64);
const aflBytes = fromHex('08010100100103011801020018030300');
const afl = new Afl();
const walker = new AflWalker();
const bcd = fromHex('000000001234250601');

export const suites: Suite[] = [
  {
    name: 'emv',
    description: 'per-APDU EMV steps',
    cases: [
      {
        name: 'TagStore: GPO + 4 records (1 op = tap)',
        fn: () => {
          store.clear();
          let r = 0;
          for (let k = 0; k < tap.length; k++) r += store.storeTlv(tap[k]!, 0, tap[k]!.length, cursor);
          return r + store.count;
        },
      },
      { name: 'buildDolData qPBOC PDOL (35 B)', fn: () => buildDolData(pdol, 0, pdol.length, terminal, pdolOut, 0) },
      {
        name: 'parseAfl + walk 7 records',
        fn: () => {
          parseAfl(aflBytes, 0, aflBytes.length, afl);
          walker.reset(afl);
          let n = 0;
          while (walker.next()) n += walker.record;
          return n;
        },
      },
      { name: 'readAmount + readYymmdd', fn: () => readAmount(bcd, 0, 6) + readYymmdd(bcd, 6) },
    ],
  },
];
