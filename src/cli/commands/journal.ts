/**
 * `shanfu journal`: export the store-and-forward backlog, acknowledge it, verify and inspect a
 * journal directory (src/journal/README.md).
 */
import { open } from 'node:fs/promises';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { intOption, parseArgs, stringOption } from '../args.js';
import { encodeCbor } from '../../journal/codec.js';
import { Journal } from '../../journal/journal.js';
import { KEY_ENV, loadJournalKey } from '../../journal/key.js';
import { verifyJournal } from '../../journal/verify.js';

const usage = `usage: shanfu journal <subcommand> --dir D [options]

  export --dir D [--max N] [--json] [--out F] [--unseal [--key-file F]]
      The pending (not yet acknowledged) records, oldest first: a CBOR sequence (RFC 8742, one
      plain CBOR map per record) to --out F or stdout; --json writes one JSON object per line
      instead (byte strings as hex). Sealed card data stays sealed unless --unseal, which needs
      the key and writes the clear PAN / track 2 as "sensitive". A summary goes to stderr.
  ack --dir D --seq N
      Moves the acknowledged cursor to N: records up to N were received by the back office.
  verify --dir D [--key-file F] [--json]
      Checks segment headers, record checksums, sequence continuity and the cursor; with a key,
      also that every sealed blob decrypts. Exit 0 when sound, 1 with the problems listed.
  stats --dir D [--json]
      Last seq, acknowledged seq, pending records, segments, bytes (read-only).

The key: --key-file F (32 raw bytes or 64 hex digits) or the environment variable ${KEY_ENV}
(64 hex digits). export and ack work beside a running terminal; they take the shipper lock, so
not beside an uplink that ships the same journal.`;

const EXPORT_CHUNK = 1000;

function dirOption(options: Record<string, string | true>): string {
  const dir = stringOption(options, 'dir');
  if (!dir) throw new UsageError('--dir D is required (the journal directory)');
  return dir;
}

/** A stored entry as JSON: byte strings as hex. */
function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

/** Writes to stdout, waiting when the pipe is full. */
function writeStdout(chunk: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (e) => (e ? reject(e) : resolve()));
  });
}

async function exportCmd(options: Record<string, string | true>): Promise<number> {
  const dir = dirOption(options);
  const max = intOption(options, 'max', 1) ?? Number.MAX_SAFE_INTEGER;
  const json = options.json === true;
  const out = stringOption(options, 'out');
  // The key only matters for --unseal (without it, sealed data is exported as it is).
  const key = options.unseal === true ? loadJournalKey(stringOption(options, 'key-file')) : undefined;
  if (options.unseal === true && !key) throw new UsageError(`--unseal needs the key: --key-file F or ${KEY_ENV}`);
  if (!json && !out && process.stdout.isTTY) throw new UsageError('refusing to write binary CBOR to a terminal: add --json, --out F, or a pipe');
  const journal = await Journal.openExisting(dir, { key });
  const file = out ? await open(out, 'w') : undefined;
  let count = 0;
  let first = 0;
  let last = 0;
  try {
    // FileHandle.writeFile writes the whole chunk at the current position (write() may write part of it).
    const write = (chunk: Uint8Array | string) => (file ? file.writeFile(chunk) : writeStdout(chunk));
    let from = journal.stats().ackedSeq + 1;
    while (count < max) {
      const batch = await journal.read(from, Math.min(EXPORT_CHUNK, max - count));
      if (!batch.length) break;
      const parts: (Uint8Array | string)[] = [];
      for (const stored of batch) {
        let rec: Record<string, unknown> = stored as unknown as Record<string, unknown>;
        if (options.unseal === true && stored.sealed !== undefined) {
          const { sealed: _sealed, ...rest } = stored;
          rec = { ...rest, sensitive: journal.unseal(stored) };
        }
        parts.push(json ? JSON.stringify(toJson(rec)) + '\n' : encodeCbor(rec));
      }
      await write(json ? parts.join('') : Buffer.concat(parts as Uint8Array[]));
      first ||= batch[0]!.seq;
      last = batch[batch.length - 1]!.seq;
      count += batch.length;
      from = last + 1;
    }
    if (file) await file.sync();
  } finally {
    await file?.close();
    await journal.close();
  }
  const pending = journal.stats().pending;
  process.stderr.write(
    count
      ? `exported ${count} record${count === 1 ? '' : 's'} (seq ${first}..${last}) of ${pending} pending${out ? ` to ${out}` : ''}; once the back office has them: shanfu journal ack --dir ${dir} --seq ${last}\n`
      : 'nothing pending\n',
  );
  return 0;
}

async function ackCmd(options: Record<string, string | true>): Promise<number> {
  const dir = dirOption(options);
  const seq = intOption(options, 'seq', 0);
  if (seq === undefined) throw new UsageError('--seq N is required (the last record the back office received)');
  const journal = await Journal.openExisting(dir);
  try {
    await journal.ack(seq);
  } finally {
    await journal.close();
  }
  const s = journal.stats();
  console.log(`acknowledged up to seq ${s.ackedSeq}; ${s.pending} pending`);
  return 0;
}

async function verifyCmd(options: Record<string, string | true>): Promise<number> {
  const dir = dirOption(options);
  const report = await verifyJournal(dir, loadJournalKey(stringOption(options, 'key-file')));
  if (options.json === true) console.log(JSON.stringify(report, null, 2));
  else {
    const lines = [`${report.ok ? 'ok' : 'PROBLEMS'}: ${report.entries} records in ${report.segments} segment${report.segments === 1 ? '' : 's'}`];
    if (report.unsealed !== undefined) lines.push(`sealed card data decrypted: ${report.unsealed}`);
    if (report.tornTail)
      lines.push(`torn tail: ${report.tornTail.bytes} bytes at ${report.tornTail.file}:${report.tornTail.offset} (${report.tornTail.reason}); an interrupted append, discarded on the next open`);
    for (const p of report.problems) lines.push(`${p.file}:${p.offset}: ${p.problem}`);
    console.log(lines.join('\n'));
  }
  return report.ok ? 0 : 1;
}

async function statsCmd(options: Record<string, string | true>): Promise<number> {
  const journal = await Journal.openExisting(dirOption(options), { readOnly: true });
  const s = journal.stats();
  await journal.close();
  if (options.json === true) console.log(JSON.stringify({ terminalId: journal.terminalId, ...s }));
  else
    console.log(
      [
        `terminal   ${journal.terminalId}`,
        `last seq   ${s.lastSeq}`,
        `acked seq  ${s.ackedSeq}`,
        `pending    ${s.pending}`,
        `segments   ${s.segments}`,
        `bytes      ${s.bytes}`,
      ].join('\n'),
    );
  return 0;
}

const subcommands: Record<string, (options: Record<string, string | true>) => Promise<number>> = {
  export: exportCmd,
  ack: ackCmd,
  verify: verifyCmd,
  stats: statsCmd,
};

export const command: Command = {
  summary: 'export, acknowledge, verify and inspect the transaction journal',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['json', 'unseal']);
    const [sub, ...extra] = positionals;
    const run = sub ? subcommands[sub] : undefined;
    if (!run) throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'a subcommand is required');
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const known = ['dir', ...({ export: ['max', 'json', 'out', 'unseal', 'key-file'], ack: ['seq'], verify: ['key-file', 'json'], stats: ['json'] } as Record<string, string[]>)[sub!]!];
    for (const k of Object.keys(options)) if (!known.includes(k)) throw new UsageError(`shanfu journal ${sub} does not take --${k}`);
    return run(options);
  },
};
