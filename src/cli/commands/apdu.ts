import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { fromHex, toHex } from '../../../kernels/util/hex.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import { decodeTlv, TlvParseError } from '../../../kernels/tlv/tree.js';
import { renderTlvTree } from '../render.js';

const usage = `usage: shanfu apdu [--reader NAME] [--timeout MS] [--json] HEX [HEX…]

Sends each C-APDU to the card on a PC/SC reader and prints the response (data decoded as TLV when
it is TLV, then the status word). 61xx and 6Cxx are followed by the HAL.
  --reader NAME   a reader whose name contains NAME (default: the first contactless reader)
  --timeout MS    how long to wait for a card (default 5000)
  --json          print {"reader","atr","exchanges":[{"capdu","rapdu","sw"}]}
Exit 0 when every command was answered, 1 on a reader or card fault.`;

export const command: Command = {
  summary: 'send APDUs to a card on a PC/SC reader and print the responses',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['json']);
    if (positionals.length === 0) throw new UsageError('missing HEX (a C-APDU)');
    const apdus = positionals.map((p, i) => {
      const b = fromHex(p, `APDU ${i + 1}`);
      if (b.length < 4) throw new UsageError(`APDU ${i + 1}: shorter than a header (CLA INS P1 P2)`);
      return b;
    });
    const timeout = Number(stringOption(options, 'timeout') ?? 5000);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout: expected milliseconds > 0');
    const name = stringOption(options, 'reader');
    const { openPcsc } = await import('../../../hal/pcsc/index.js');
    const service = await openPcsc(); // a ShanfuError (pcscd or pcsclite missing) is reported by main: exit 2
    const signal = AbortSignal.timeout(timeout);
    const exchanges: { capdu: string; rapdu: string; sw: string }[] = [];
    try {
      const reader = await service.waitForReader(name ?? { kind: 'contactless' }, signal);
      const session = await reader.waitForCard(signal);
      const rx = new Uint8Array(4096);
      if (!options.json) console.log(`reader ${reader.name}\nATR ${toHex(session.atr)}`);
      for (const c of apdus) {
        const n = await session.transceive(c, c.length, rx);
        const r = { capdu: toHex(c), rapdu: toHex(rx, 0, n), sw: toHex(rx, n - 2, n) };
        exchanges.push(r);
        if (!options.json) {
          console.log(`> ${r.capdu}\n< ${r.rapdu}`);
          if (n > 2) {
            try {
              console.log(renderTlvTree(rx, decodeTlv(rx, 0, n - 2)));
            } catch (e) {
              if (!(e instanceof TlvParseError)) throw e;
            }
          }
          console.log(`SW ${r.sw}`);
        }
      }
      await session.disconnect();
      if (options.json) console.log(JSON.stringify({ reader: reader.name, atr: toHex(session.atr), exchanges }));
      return 0;
    } catch (e) {
      if (signal.aborted && !(e instanceof ShanfuError)) {
        console.error(`shanfu apdu: no card${name ? ` on a reader matching '${name}'` : ''} within ${timeout} ms`);
        return 1;
      }
      if (!(e instanceof ShanfuError)) throw e;
      console.error(`shanfu apdu: ${e.code}: ${e.message}`);
      if (options.json) console.log(JSON.stringify({ ok: false, code: e.code, exchanges }));
      return 1;
    } finally {
      await service.close();
    }
  },
};
