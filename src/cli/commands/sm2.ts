import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { fromHex } from '../../../kernels/util/hex.js';
import { Sm2PublicKey, sm2Verify } from '../../../kernels/oda/sm2.js';

const usage = `usage: shanfu sm2 verify --public-key XY --message HEX --signature RS [--id ASCII | --id-hex HEX]

Verifies an SM2 signature (GB/T 32918.2) on the curve sm2p256v1 and prints {"ok":true|false}.
  --public-key  x‖y (64 bytes hex) or 04‖x‖y
  --message     the message M (hex; '' for empty)
  --signature   r‖s (64 bytes hex)
  --id          the signer's user ID as ASCII/UTF-8 (default 1234567812345678, as PBOC uses)
  --id-hex      the user ID as hex
Exit 0 valid, 1 invalid, 2 unusable input (including a key that is not a point on the curve).`;

export const command: Command = {
  summary: 'verify an SM2 signature (sm2p256v1, SM3, user ID)',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'verify') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
    const { options, positionals } = parseArgs(rest);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const need = (k: string) => {
      const v = stringOption(options, k);
      if (v === undefined) throw new UsageError(`missing --${k}`);
      return v;
    };
    const key = Sm2PublicKey.from(fromHex(need('public-key'), '--public-key'), '--public-key');
    const message = fromHex(need('message'), '--message');
    const signature = fromHex(need('signature'), '--signature');
    if (signature.length !== 64) throw new TypeError(`--signature: expected 64 bytes r‖s, got ${signature.length}`);
    const idAscii = stringOption(options, 'id');
    const idHex = stringOption(options, 'id-hex');
    if (idAscii !== undefined && idHex !== undefined) throw new UsageError('give --id or --id-hex, not both');
    const userId = idHex !== undefined ? fromHex(idHex, '--id-hex') : idAscii;
    const ok = sm2Verify(key, message, signature, userId);
    console.log(JSON.stringify({ ok }));
    return ok ? 0 : 1;
  },
};
