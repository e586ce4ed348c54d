import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, readJsonFile, stringOption } from '../args.js';
import { DEFAULT_CONFIG_JSON, validateConfig } from '../../config/terminal-config.js';
import { parseCapkDownload, type CapkJson } from '../../config/capk-download.js';

const usage = `usage: shanfu config show
       shanfu config check FILE
       shanfu config import-capk DOWNLOAD [--into CONFIG.json] [--out FILE]

  show          print the built-in terminal configuration (JSON; src/config/README.md)
  check         validate a terminal configuration file; exit 0 valid, 1 invalid (the field is named)
  import-capk   read CA public keys in the acquirer's CAPK-download TLV format (9F06 9F22 DF05 DF06
                DF07 DF02 DF04 DF03 per key; binary or hex text), verify each DF03 checksum, and print
                the configuration (CONFIG.json, or the built-in one) with the keys in capks[] (a key
                with the same RID and index is replaced). --out writes it to FILE instead.`;

/** Binary TLV, or a text file of hex digits (whitespace ignored). */
function readDownload(path: string): Uint8Array | string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
  const text = Buffer.from(bytes).toString('latin1');
  return /^[\s0-9A-Fa-f]+$/.test(text) ? text : bytes;
}

export const command: Command = {
  summary: 'show, check a terminal configuration; import CA keys from a CAPK download',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args);
    const [sub, file] = positionals;
    if (sub === 'show') {
      console.log(JSON.stringify(DEFAULT_CONFIG_JSON, null, 2));
      return 0;
    }
    if (sub === 'check') {
      if (!file) throw new UsageError('config check: FILE is required');
      const json = readJsonFile(file);
      try {
        const cfg = validateConfig(json);
        console.log(`${file}: valid (${cfg.aids.length} AIDs, ${cfg.capks.length} RSA CA keys, ${cfg.smCapks.length} SM2 CA keys, ${cfg.offlineOnly ? 'offline-only' : 'online-capable'})`);
        return 0;
      } catch (e) {
        console.log(`${file}: invalid: ${(e as Error).message}`);
        return 1;
      }
    }
    if (sub === 'import-capk') {
      if (!file) throw new UsageError('config import-capk: DOWNLOAD file is required');
      const keys = parseCapkDownload(readDownload(file));
      const into = stringOption(options, 'into');
      const base = (into ? readJsonFile(into) : JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON))) as { capks?: CapkJson[] };
      const same = (a: CapkJson, b: CapkJson) => a.rid.toUpperCase() === b.rid.toUpperCase() && parseInt(String(a.index), 16) === parseInt(String(b.index), 16);
      const kept = (base.capks ?? []).filter((old) => !keys.some((k) => same(old, k)));
      const out = { ...base, capks: [...kept, ...keys] };
      validateConfig(out); // the result must load; names the field otherwise
      const text = JSON.stringify(out, null, 2) + '\n';
      const outFile = stringOption(options, 'out');
      if (outFile) {
        writeFileSync(outFile, text);
        console.error(`${keys.length} CA keys imported (${keys.map((k) => `${k.rid}/${k.index}`).join(', ')}) → ${outFile}`);
      } else process.stdout.write(text);
      return 0;
    }
    throw new UsageError(sub ? `config: unknown subcommand ${sub}` : 'config: a subcommand is required');
  },
};
