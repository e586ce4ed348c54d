import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs } from '../args.js';
import { fromHex } from '../../../kernels/util/hex.js';
import { decodeTlv, TlvParseError, type TlvNode } from '../../../kernels/tlv/tree.js';
import { renderTlvTree } from '../render.js';

const usage = `usage: shanfu tlv decode [--json] [--apdu] HEX

Decodes BER-TLV and prints the tree with tag names and decoded values.
  --json   print {"ok":true,"tlv":[…]} (or {"ok":false,"error","offset"}); exit 1 when malformed
  --apdu   the input ends with a status word (SW1 SW2): strip it first`;

function toJson(nodes: TlvNode[]): unknown[] {
  return nodes.map((n) =>
    n.children ? { tag: n.tag, length: n.length, children: toJson(n.children) } : { tag: n.tag, length: n.length, value: n.value },
  );
}

export const command: Command = {
  summary: 'decode BER-TLV (card responses) with tag names',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'decode') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
    const { options, positionals } = parseArgs(rest, ['json', 'apdu']);
    if (positionals.length === 0) throw new UsageError('missing HEX');
    let bytes = fromHex(positionals.join(''), 'HEX');
    let sw: string | undefined;
    if (options.apdu) {
      if (bytes.length < 2) throw new UsageError('--apdu: input shorter than a status word');
      sw = positionals.join('').replace(/\s/g, '').slice(-4).toUpperCase();
      bytes = bytes.subarray(0, bytes.length - 2);
    }
    try {
      const tree = decodeTlv(bytes);
      if (options.json) console.log(JSON.stringify(sw ? { ok: true, tlv: toJson(tree), sw } : { ok: true, tlv: toJson(tree) }));
      else {
        console.log(renderTlvTree(bytes, tree));
        if (sw) console.log(`SW ${sw}`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof TlvParseError)) throw e;
      if (options.json) console.log(JSON.stringify({ ok: false, error: e.message, offset: e.offset }));
      else console.error(`malformed TLV: ${e.message}`);
      return 1;
    }
  },
};
