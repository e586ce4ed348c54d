import { readFileSync } from 'node:fs';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { fromHex, toHex } from '../../../kernels/util/hex.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import { randomBytes } from 'node:crypto';
import { DenyListStore, SALT_LENGTH, buildDenyListFile, hashDenyCsv, inspectDenyListFile, panTo5A } from '../../denylist/index.js';
import { writeFileAtomic } from '../../util/atomic-write.js';

const usage = `usage: shanfu denylist build --out FILE --version N [--add-file CSV] [--salt HEX]
       shanfu denylist build --out FILE --version N --delta --base M --salt HEX [--add-file CSV] [--remove-file CSV]
       shanfu denylist info [--json] FILE
       shanfu denylist check [--json] --pan PAN [--psn NN] FILE [DELTA…]

The terminal deny list (exception file): hashed PAN + PSN, full lists and deltas (src/denylist/README.md).
  build   writes a list file (atomically). CSV: one card per line "PAN,PSN"; PSN empty or * = any PSN;
          blank lines, # comments and a "PAN,PSN" header are ignored. A full list gets a random salt
          unless --salt is given; a delta must carry its base's salt (see info).
  info    version, kind, base version, salt, entry counts and whether the checksum holds
          (exit 1 when the file is damaged).
  check   loads FILE, applies the DELTA files in order, and looks the card up as the kernel does
          (no --psn: a card without 5F34). Exit 0 not denied, 1 denied.
Exit 2: unusable input (missing file, bad option, a delta that does not apply).`;

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

function intOption(options: Record<string, string | true>, key: string, required: boolean): number | undefined {
  const v = stringOption(options, key);
  if (v === undefined) {
    if (required) throw new UsageError(`--${key} is required`);
    return undefined;
  }
  if (!/^\d+$/.test(v)) throw new UsageError(`--${key}: expected a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

function build(args: string[]): number {
  const { options, positionals } = parseArgs(args, ['delta']);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const out = stringOption(options, 'out');
  if (!out) throw new UsageError('--out FILE is required');
  const delta = options.delta === true;
  const version = intOption(options, 'version', true)!;
  const baseVersion = intOption(options, 'base', delta);
  if (!delta && baseVersion !== undefined) throw new UsageError('--base needs --delta');
  const saltHex = stringOption(options, 'salt');
  if (delta && saltHex === undefined) throw new UsageError('--delta needs --salt HEX: the salt of the base list (shanfu denylist info BASE)');
  const salt = saltHex === undefined ? new Uint8Array(randomBytes(SALT_LENGTH)) : fromHex(saltHex, '--salt');
  if (salt.length !== SALT_LENGTH) throw new UsageError(`--salt: expected ${SALT_LENGTH} bytes (${SALT_LENGTH * 2} hex digits), got ${salt.length}`);
  if (!delta && options['remove-file'] !== undefined) throw new UsageError('--remove-file needs --delta (a full list holds only the entries that stay)');
  // Hashed while parsing: 8 bytes per card, so a list of millions of cards builds in little memory.
  const hashes = (key: string): Uint8Array => {
    const path = stringOption(options, key);
    return path === undefined ? new Uint8Array(0) : hashDenyCsv(readInput(path, `--${key}`), salt, path);
  };
  const add = hashes('add-file');
  const remove = hashes('remove-file');
  const bytes = buildDenyListFile({ version, kind: delta ? 'delta' : 'full', baseVersion, salt, add, remove });
  try {
    writeFileAtomic(out, bytes);
  } catch (e) {
    throw new ShanfuError('denylist.io', `cannot write ${out}: ${(e as Error).message}`, { cause: e });
  }
  const info = inspectDenyListFile(bytes);
  console.log(`wrote ${out}: ${delta ? `delta ${baseVersion} → ${version}, +${info.added} −${info.removed}` : `full list version ${version}, ${info.added} entries`} (${bytes.length} bytes), salt ${info.salt}`);
  return 0;
}

function info(args: string[]): number {
  const { options, positionals } = parseArgs(args, ['json']);
  if (positionals.length !== 1) throw new UsageError('info takes one FILE');
  const path = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ShanfuError('denylist.io', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  let i;
  try {
    i = inspectDenyListFile(bytes);
  } catch (e) {
    // A damaged or foreign file is a negative verdict on the file (exit 1), not a usage error.
    if (!(e instanceof ShanfuError)) throw e;
    if (options.json) console.log(JSON.stringify({ file: path, ok: false, error: e.code, message: e.message }));
    else console.log(`${path}: not a usable deny list: ${e.message} [${e.code}]`);
    return 1;
  }
  if (options.json) console.log(JSON.stringify({ file: path, ok: i.checksumOk, ...i }));
  else {
    console.log(`${path}`);
    console.log(`  format    ${i.formatVersion}`);
    console.log(`  kind      ${i.kind}${i.kind === 'delta' ? ` (applies to version ${i.baseVersion})` : ''}`);
    console.log(`  version   ${i.version}`);
    console.log(i.kind === 'full' ? `  entries   ${i.added}` : `  added     ${i.added}\n  removed   ${i.removed}`);
    console.log(`  salt      ${i.salt}`);
    console.log(`  checksum  ${i.checksum} ${i.checksumOk ? 'ok' : 'MISMATCH (the file is damaged)'}`);
  }
  return i.checksumOk ? 0 : 1;
}

function check(args: string[]): number {
  const { options, positionals } = parseArgs(args, ['json']);
  if (positionals.length < 1) throw new UsageError('check needs a list FILE');
  const panText = stringOption(options, 'pan');
  if (panText === undefined) throw new UsageError('--pan PAN is required');
  const pan = panTo5A(panText);
  const psnText = stringOption(options, 'psn');
  if (psnText !== undefined && !/^\d{2}$/.test(psnText)) throw new UsageError(`--psn: expected two digits (5F34), got ${JSON.stringify(psnText)}`);
  const psn = psnText === undefined ? -1 : parseInt(psnText, 16); // 5F34 is BCD: "10" is the byte 0x10
  const store = DenyListStore.fromFile(positionals[0]!);
  for (const d of positionals.slice(1)) store.applyFile(d);
  const denied = store.isDenied(pan, 0, pan.length, psn);
  if (options.json) console.log(JSON.stringify({ denied, version: store.version, size: store.size, pan: toHex(pan), psn: psnText ?? null }));
  else console.log(`${denied ? 'DENIED' : 'not denied'} (list version ${store.version}, ${store.size} entries)`);
  return denied ? 1 : 0;
}

export const command: Command = {
  summary: 'build, inspect and query deny-list files (hashed PAN + PSN)',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'build') return build(rest);
    if (sub === 'info') return info(rest);
    if (sub === 'check') return check(rest);
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand (build, info or check)');
  },
};
