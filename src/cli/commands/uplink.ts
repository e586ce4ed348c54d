import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { intOption, parseArgs, stringOption } from '../args.js';
import { ShanfuError } from '../../../kernels/util/errors.js';

const usage = `usage: shanfu uplink run --journal DIR --url URL [options]
       shanfu uplink status --journal DIR [--params-dir DIR] [--trust-key K] [--json]

run      Drains the journal to the broker: batches of entries as CBOR, QoS 1, one topic per
         terminal ({prefix}/terminals/{id}/journal), each entry acknowledged in the journal only
         after the broker's PUBACK. Reconnects with backoff after broker restarts and network loss.
         With --params-dir and --trust-key it also applies signed parameter sets from the retained
         topics (deny list, fares, CA keys, terminal parameters) and reports them on
         {prefix}/terminals/{id}/status. Runs until SIGINT/SIGTERM, or with --until-drained until
         the journal has no pending entries (exit 0). It runs beside the terminal that writes
         the journal (it takes the journal's shipper role: one uplink per journal).
status   The journal backlog (last seq, acknowledged seq, pending) and the parameter versions in
         --params-dir (verified when --trust-key is given).

connection:
  --url URL              mqtt://host:1883, or mqtts://host:8883 for TLS
  --client-id ID         default shanfu-uplink-<terminal id>
  --username U           password from --password P or the environment variable SHANFU_MQTT_PASSWORD
  --ca F                 TLS: CA certificate(s) to trust (PEM)
  --cert F --tls-key F   TLS client certificate and its key (PEM)
  --insecure             do not verify the broker's certificate (lab brokers only)
  --prefix P             topic prefix (default shanfu)
uploading:
  --batch N              entries per message (default 200)
  --inflight N           messages awaiting PUBACK at once (default 16)
  --until-drained        exit 0 once everything is acknowledged
parameters:
  --params-dir DIR       where the sets in force are kept (denylist.bin, fares/capks/terminal.params)
  --trust-key K[,K…]     back-office public keys: ed25519:HEX (32 bytes) or p256:HEX (33/65 bytes)`;

type Options = Record<string, string | true>;

/** A required string option (shared with `shanfu params`). */
export function required(options: Options, name: string, what: string): string {
  const v = stringOption(options, name);
  if (!v) throw new UsageError(`--${name} is required (${what})`);
  return v;
}

/** Reads a file named on the command line; a failure is ShanfuError `code` naming the file and what it is. */
export function readInput(file: string, what: string, code: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ShanfuError(code, `cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Broker connection options from the command line (shared by `shanfu params publish`). */
export async function connectionOptions(options: Options, clientId?: string) {
  const { UplinkConnection } = await import('../../uplink/connection.js');
  const url = required(options, 'url', 'the broker, e.g. mqtt://127.0.0.1:1883');
  const ca = stringOption(options, 'ca');
  const cert = stringOption(options, 'cert');
  const key = stringOption(options, 'tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --tls-key go together (client certificate and its private key)');
  const o = {
    url,
    clientId: stringOption(options, 'client-id') ?? clientId,
    username: stringOption(options, 'username'),
    password: stringOption(options, 'password') ?? process.env.SHANFU_MQTT_PASSWORD,
    ca: ca ? readInput(ca, 'CA certificate', 'uplink.tls') : undefined,
    cert: cert ? readInput(cert, 'client certificate', 'uplink.tls') : undefined,
    key: key ? readInput(key, 'client key', 'uplink.tls') : undefined,
    rejectUnauthorized: options.insecure !== true,
  };
  new UplinkConnection(o); // validates the URL before anything else happens
  return o;
}

/** `ed25519:HEX,p256:HEX` → trusted keys. */
export async function trustedKeysOption(options: Options) {
  const v = stringOption(options, 'trust-key');
  if (!v) return [];
  const { parseTrustedKey } = await import('../../uplink/envelope.js');
  return v.split(',').map((s) => parseTrustedKey(s, '--trust-key'));
}

/** The terminal's parameter sinks, kept in `dir` (deny list file + signed envelopes). */
async function parameterSinks(dir: string, trusted: Awaited<ReturnType<typeof trustedKeysOption>>) {
  const { DenyListSink, FileParameterSink, PARAMETER_PARSERS } = await import('../../uplink/sinks.js');
  const { DenyListStore } = await import('../../denylist/store.js');
  const denyFile = join(dir, 'denylist.bin');
  const deny = new DenyListSink(existsSync(denyFile) ? DenyListStore.fromFile(denyFile) : DenyListStore.empty(), denyFile);
  const files = [
    new FileParameterSink({ dir, kind: 'fares', parse: PARAMETER_PARSERS.fares, trusted }),
    new FileParameterSink({ dir, kind: 'capks', parse: PARAMETER_PARSERS.capks, trusted }),
    new FileParameterSink({ dir, kind: 'terminal', parse: PARAMETER_PARSERS.terminal, trusted }),
  ];
  return { deny, files };
}

async function run(options: Options): Promise<number> {
  const dir = required(options, 'journal', 'the journal directory');
  const { Journal } = await import('../../journal/journal.js');
  const { UplinkConnection } = await import('../../uplink/connection.js');
  const { JournalUploader } = await import('../../uplink/uploader.js');
  const trusted = await trustedKeysOption(options);
  const paramsDir = stringOption(options, 'params-dir');
  if (paramsDir && !trusted.length) throw new UsageError('--params-dir needs --trust-key (the back office key that signs parameter sets)');
  const batchRecords = intOption(options, 'batch', 1);
  const inflightBatches = intOption(options, 'inflight', 1);
  const prefix = stringOption(options, 'prefix');
  const conn = await connectionOptions(options);
  const journal = await Journal.openExisting(dir);
  const terminalId = journal.terminalId;
  const connection = new UplinkConnection({ ...conn, clientId: conn.clientId ?? `shanfu-uplink-${terminalId}` });
  const uploader = new JournalUploader({ journal, terminalId, connection, batchRecords, inflightBatches, topicPrefix: prefix });
  uploader.on('warning', (w) => console.error(`uplink: ${w}`));
  let downloader: import('../../uplink/downloader.js').ParameterDownloader | undefined;
  if (paramsDir) {
    const { ParameterDownloader } = await import('../../uplink/downloader.js');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(paramsDir, { recursive: true });
    const { deny, files } = await parameterSinks(paramsDir, trusted);
    for (const f of files) if (f.loadProblem) console.error(`uplink: ${f.kind}: stored set not loaded (${f.loadProblem}); waiting for the back office`);
    // No `journal` here: this process is the journal's shipper, which never appends (src/journal
    // README "Two roles"); the status topic reports the applied sets instead.
    downloader = new ParameterDownloader({ terminalId, trustedKeys: trusted, sinks: [deny, ...files], connection, topicPrefix: prefix });
    downloader.on('applied', (r) => console.log(`uplink: applied ${r.kind} v${r.version}`));
    downloader.on('rejected', (r) => console.error(`uplink: rejected ${r.kind ?? '?'} v${r.version ?? '?'} (${r.reason}): ${r.message}`));
    downloader.on('warning', (w) => console.error(`uplink: ${w}`));
    downloader.start();
  }
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await uploader.stop();
      await downloader?.stop();
      await connection.stop();
      await journal.close();
    })());
  const line = () => {
    const s = uploader.status();
    return `uplink ${terminalId}: acknowledged ${s.journalAckedSeq}/${s.journalLastSeq}, pending ${s.pending}, ${s.connected ? 'connected' : `disconnected (${connection.status().lastError ?? 'connecting'})`}`;
  };
  uploader.start();
  console.log(`uplink ${terminalId}: ${journal.stats().pending} pending entries → ${conn.url}`);
  const ticker = setInterval(() => console.log(line()), 5000);
  // SIGINT / SIGTERM: stop gracefully (PUBACKs in flight are waited for, the cursor is saved).
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    if (options['until-drained'] === true) {
      const drained = uploader.waitDrained();
      drained.catch(() => {}); // rejects once stopped after a signal
      await Promise.race([drained, signalled]);
    } else await signalled;
  } finally {
    clearInterval(ticker);
    await stop();
  }
  console.log(line());
  return 0;
}

async function status(options: Options): Promise<number> {
  const dir = required(options, 'journal', 'the journal directory');
  const { Journal } = await import('../../journal/journal.js');
  const journal = await Journal.openExisting(dir, { readOnly: true });
  const s = journal.stats();
  await journal.close();
  const out: Record<string, unknown> = { terminalId: journal.terminalId, lastSeq: s.lastSeq, ackedSeq: s.ackedSeq, pending: s.pending, segments: s.segments, bytes: s.bytes };
  const paramsDir = stringOption(options, 'params-dir');
  if (paramsDir) {
    const trusted = await trustedKeysOption(options);
    const params: Record<string, unknown>[] = [];
    if (trusted.length) {
      const { deny, files } = await parameterSinks(paramsDir, trusted);
      params.push({ kind: 'denylist', version: deny.version, verified: true });
      for (const f of files) params.push({ kind: f.kind, version: f.version, sha256: f.sha256, verified: true, ...(f.loadProblem ? { problem: f.loadProblem } : {}) });
    } else {
      // Without the back-office key the versions are what the files claim.
      const { peekParameters } = await import('../../uplink/envelope.js');
      const { inspectDenyListFile } = await import('../../denylist/inspect.js');
      const names = existsSync(paramsDir) ? readdirSync(paramsDir) : [];
      if (names.includes('denylist.bin')) params.push({ kind: 'denylist', version: inspectDenyListFile(readFileSync(join(paramsDir, 'denylist.bin'))).version, verified: false });
      for (const n of names.filter((n) => n.endsWith('.params')).sort()) params.push({ ...peekParameters(readFileSync(join(paramsDir, n))), verified: false });
    }
    out.params = params;
  }
  if (options.json === true) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`terminal ${out.terminalId}: last seq ${s.lastSeq}, acknowledged ${s.ackedSeq}, pending ${s.pending} (${s.segments} segments, ${s.bytes} bytes)`);
    for (const p of (out.params as Record<string, unknown>[] | undefined) ?? [])
      console.log(`  ${String(p.kind).padEnd(9)} v${p.version}${p.verified ? '' : ' (unverified: no --trust-key)'}${p.problem ? `  ${p.problem}` : ''}`);
  }
  return 0;
}

export const command: Command = {
  summary: 'drain the journal to the back office (MQTT) and apply signed parameter sets',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['until-drained', 'insecure', 'json']);
    const sub = positionals[0];
    if (sub === 'run') return run(options);
    if (sub === 'status') return status(options);
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: run or status');
  },
};
