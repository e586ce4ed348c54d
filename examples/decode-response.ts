/**
 * Walk a card response without allocating: the TLV cursor gives (tag, offset, length) views.
 * Run: node --import tsx examples/decode-response.ts
 */
import { TlvCursor, fromHex, tagName, tagHex } from '../kernels/index.js';

// A GPO response (format 2, template 77) as a qPBOC card sends it for an offline approval.
const rsp = fromHex('771282023800 9F360200019F5D06000000049800');
const c = new TlvCursor();
c.reset(rsp);
while (c.next()) {
  console.log(`${tagHex(c.tag)} ${tagName(c.tag)} len ${c.length}`);
  if (c.constructed) c.enter();
}
if (c.error) console.log(`malformed at offset ${c.errorOffset}`);
