import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { openSync, readSync, closeSync } from 'node:fs';
import { fromHex, toHex } from '../../../kernels/util/hex.js';
import { Sm3 } from '../../../kernels/oda/sm3.js';

const usage = `usage: shanfu sm3 HEX
       shanfu sm3 --file FILE

Prints the SM3 digest (GB/T 32905) in uppercase hex. An empty HEX argument ('') hashes the
empty message; --file hashes a file's bytes (streamed).`;

export const command: Command = {
  summary: 'SM3 digest of hex or a file',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args);
    const file = stringOption(options, 'file');
    const h = new Sm3();
    if (file !== undefined) {
      if (positionals.length > 0) throw new UsageError('give HEX or --file, not both');
      const fd = openSync(file, 'r');
      try {
        const chunk = new Uint8Array(1 << 16);
        for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk, 0, n);
      } finally {
        closeSync(fd);
      }
    } else {
      if (positionals.length === 0) throw new UsageError("missing HEX (use '' for the empty message)");
      const bytes = fromHex(positionals.join(''), 'HEX');
      h.update(bytes, 0, bytes.length);
    }
    console.log(toHex(h.digestInto(new Uint8Array(32), 0)));
    return 0;
  },
};
