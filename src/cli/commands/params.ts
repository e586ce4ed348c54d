import { writeFileSync } from 'node:fs';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { intOption, parseArgs, stringOption } from '../args.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import { fromHex } from '../../../kernels/util/hex.js';
import { connectionOptions, readInput, required } from './uplink.js';

const usage = `usage: shanfu params publish --url URL (--kind K --file F --signing-key KEYFILE [--version N] [--base N] | --envelope F) [options]
       shanfu params seal --kind K --file F --signing-key KEYFILE [--version N] [--base N] --out ENVELOPE
       shanfu params keygen --out KEYFILE [--alg ed25519|p256]

The back office's side of parameter updates (for tests and demos).
publish  Signs F as version N of kind K (denylist, fares, capks, terminal) and publishes it retained,
         QoS 1, on {prefix}/params/K ({prefix}/params/K/delta when --base N > 0; with --terminal ID,
         on {prefix}/terminals/ID/params/K). A deny-list file's version and base default to the
         file's own header. Connection options as for 'shanfu uplink' (--username, --ca, --cert…).
seal     The same envelope written to a file; 'publish --envelope F' publishes such a file.
keygen   A back-office key pair: writes the signing key (JSON, keep it secret) and prints the
         public key as the terminal's --trust-key value.

  --issued-at MS         issue time (epoch ms; default now)
  --prefix P             topic prefix (default shanfu)
  --terminal ID          publish for one terminal only`;

type Options = Record<string, string | true>;

async function loadSigningKey(file: string) {
  let j: { alg?: unknown; secretKey?: unknown };
  try {
    j = JSON.parse(readInput(file, 'signing key', 'params.io').toString('utf8'));
  } catch (e) {
    if (e instanceof ShanfuError) throw e;
    throw new ShanfuError('params.key', `${file} is not a signing key file (JSON from 'shanfu params keygen')`);
  }
  if ((j.alg !== 'ed25519' && j.alg !== 'p256') || typeof j.secretKey !== 'string') throw new ShanfuError('params.key', `${file}: expected { "alg": "ed25519"|"p256", "secretKey": HEX }`);
  return { alg: j.alg, secretKey: fromHex(j.secretKey, `${file} secretKey`) } as const;
}

/** Builds and signs the envelope from --kind/--file/--version/--base/--signing-key. */
async function seal(options: Options): Promise<Uint8Array> {
  const { sealParameters } = await import('../../uplink/envelope.js');
  const kind = required(options, 'kind', 'denylist, fares, capks or terminal');
  const payload = readInput(required(options, 'file', 'the parameter set to sign'), 'parameter file', 'params.io');
  const key = await loadSigningKey(required(options, 'signing-key', "the back-office key from 'shanfu params keygen'"));
  let version = intOption(options, 'version', 1);
  let base = intOption(options, 'base', 0);
  if (kind === 'denylist') {
    const { inspectDenyListFile } = await import('../../denylist/inspect.js');
    const info = inspectDenyListFile(payload);
    version ??= info.version;
    base ??= info.baseVersion;
  }
  if (version === undefined) throw new UsageError('--version N is required (the version of this set; above the one the terminals run)');
  return sealParameters({ kind, version, base: base ?? 0, issuedAt: intOption(options, 'issued-at', 0) ?? Date.now(), payload }, key);
}

export const command: Command = {
  summary: 'sign and publish parameter sets (deny list, fares, CA keys, terminal parameters)',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['insecure']);
    const sub = positionals[0];
    if (sub === 'keygen') {
      const { generateSigningKey } = await import('../../uplink/envelope.js');
      const alg = stringOption(options, 'alg') ?? 'ed25519';
      if (alg !== 'ed25519' && alg !== 'p256') throw new UsageError(`--alg must be ed25519 or p256, got '${alg}'`);
      const out = required(options, 'out', 'where to write the signing key');
      const { signingKey, trustedKey } = generateSigningKey(alg);
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      try {
        writeFileSync(out, JSON.stringify({ alg, secretKey: hex(signingKey.secretKey), publicKey: hex(trustedKey.publicKey) }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        throw new ShanfuError('params.io', `cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (keygen never overwrites a key)`);
      }
      console.log(`${alg}:${hex(trustedKey.publicKey)}`);
      return 0;
    }
    if (sub === 'seal') {
      const envelope = await seal(options);
      writeFileSync(required(options, 'out', 'where to write the envelope'), envelope);
      return 0;
    }
    if (sub === 'publish') {
      const { publishParameters } = await import('../../uplink/publish.js');
      const envFile = stringOption(options, 'envelope');
      const envelope = envFile ? readInput(envFile, 'envelope', 'params.io') : await seal(options);
      const conn = await connectionOptions(options);
      const topic = await publishParameters(envelope, { ...conn, topicPrefix: stringOption(options, 'prefix'), terminalId: stringOption(options, 'terminal') });
      console.log(`published ${envelope.length} bytes retained on ${topic}`);
      return 0;
    }
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: publish, seal or keygen');
  },
};
