import { readFileSync } from 'node:fs';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs } from '../args.js';
import { OdaInputError, type OdaCaseInput, type OdaCaseOutput, type OdaMethod as OdaMethodName } from './oda-types.js';
import { fromHex, toHex } from '../../../kernels/util/hex.js';
import { CapkStore } from '../../../kernels/oda/capk.js';
import { RsaOda, SdadKind, type Slice } from '../../../kernels/oda/cert.js';
import { OdaReason, OdaStage, odaReasonText, odaStageText } from '../../../kernels/oda/cert-reasons.js';
import { RsaKey } from '../../../kernels/oda/rsa.js';

const usage = `usage: shanfu oda verify [--json] CASE.json

Runs RSA (or PBOC SM2) offline data authentication on one case:
  {"capk":{"rid","index","modulus","exponent"}, "issuerPublicKey"?, "iccPublicKey"?,
   "method":"SDA"|"DDA"|"fDDA"|"CDA"|"CHAIN", "transactionDate":"YYMMDD",
   "tags":{"5A","90","92","9F32","9F46","9F47","9F48","93","9F4B","9F37",…},
   "staticData":"hex", "ddolData":"hex", "cdaTransactionData":"hex"}
A given issuerPublicKey skips the issuer certificate; a given iccPublicKey skips both.
CHAIN checks only the certificates present. CASE.json may be - for stdin.
  --json   print one JSON object {"ok","method","failure","issuer","icc","ssad","sdad"}
Exit 0 verified, 1 failed (failure = "<stage>:<reason>"), 2 unusable input.`;

const METHODS: readonly OdaMethodName[] = ['SDA', 'DDA', 'fDDA', 'CDA', 'CHAIN'];

function hexField(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string') throw new OdaInputError(`${what}: expected a hex string`);
  try {
    return fromHex(v, what);
  } catch (e) {
    throw new OdaInputError((e as Error).message);
  }
}

/** Validates the shape of a case (throws OdaInputError saying what is wrong). */
export function parseOdaCase(json: unknown): OdaCaseInput {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new OdaInputError('case: expected a JSON object');
  const c = json as OdaCaseInput;
  if (!METHODS.includes(c.method)) throw new OdaInputError(`method: expected one of ${METHODS.join(', ')}, got ${JSON.stringify(c.method)}`);
  if (typeof c.transactionDate !== 'string' || !/^\d{6}$/.test(c.transactionDate)) throw new OdaInputError(`transactionDate: expected YYMMDD, got ${JSON.stringify(c.transactionDate)}`);
  if (!c.capk || typeof c.capk !== 'object') throw new OdaInputError('capk: missing (needs rid, index, modulus, exponent)');
  if (!c.tags || typeof c.tags !== 'object') throw new OdaInputError('tags: missing (an object of tag → hex value)');
  return c;
}

function isSmCase(input: OdaCaseInput): boolean {
  if (input.capk?.algorithm === 'SM2') return true;
  const cert = input.tags?.['90'];
  return typeof cert === 'string' && /^1[24]/i.test(cert.trim());
}

/** yyyymmdd from YYMMDD (EMV window: 00–49 → 20YY). */
function dateNumber(yymmdd: string): number {
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new OdaInputError(`transactionDate: not a valid date: ${yymmdd}`);
  return (yy < 50 ? 2000 + yy : 1900 + yy) * 10000 + mm * 100 + dd;
}

function keyOf(k: { modulus?: string; exponent?: string }, what: string): RsaKey {
  const m = hexField(k.modulus, `${what}.modulus`);
  const e = hexField(k.exponent, `${what}.exponent`);
  const key = new RsaKey(Math.max(256, m.length));
  if (!key.set(m, 0, m.length, e, 0, e.length)) throw new OdaInputError(`${what}: unusable RSA key (odd modulus up to 2048 bits, exponent 03 or 010001)`);
  return key;
}

/** Runs one RSA case (the CLI contract in oda-types.ts). */
export function runRsaCase(input: OdaCaseInput): OdaCaseOutput {
  const tags: Record<string, Uint8Array> = {};
  for (const [tag, v] of Object.entries(input.tags)) tags[tag.toUpperCase()] = hexField(v, `tags.${tag}`);
  const oda = new RsaOda({ issuerCacheSize: 0 });
  oda.transactionDate = dateNumber(input.transactionDate);
  const set = (slice: Slice, v: Uint8Array | undefined) => (v ? slice.set(v) : slice.clear());
  set(oda.pan, tags['5A']);
  set(oda.issuerCert, tags['90']);
  set(oda.issuerRemainder, tags['92']);
  set(oda.issuerExponent, tags['9F32']);
  set(oda.iccCert, tags['9F46']);
  set(oda.iccRemainder, tags['9F48']);
  set(oda.iccExponent, tags['9F47']);
  set(oda.ssad, tags['93']);
  set(oda.sdad, tags['9F4B']);
  set(oda.unpredictableNumber, tags['9F37']);
  set(oda.amount, tags['9F02']);
  set(oda.currency, tags['5F2A']);
  set(oda.cardAuthData, tags['9F69']);
  set(oda.cid, tags['9F27']);
  set(oda.staticData, input.staticData !== undefined ? hexField(input.staticData, 'staticData') : undefined);
  set(oda.terminalDynamicData, input.ddolData !== undefined ? hexField(input.ddolData, 'ddolData') : tags['9F37']);
  set(oda.cdaTransactionData, input.cdaTransactionData !== undefined ? hexField(input.cdaTransactionData, 'cdaTransactionData') : undefined);

  const method = input.method;
  const out: OdaCaseOutput = { ok: false, method, failure: null };
  const fail = (code: number): OdaCaseOutput => {
    out.failure = `${odaStageText(oda.stage)}:${odaReasonText(code)}`;
    return out;
  };

  // Issuer public key: given, or recovered from 90 with the CA key.
  const needIcc = method === 'DDA' || method === 'fDDA' || method === 'CDA' || (method === 'CHAIN' && tags['9F46'] !== undefined);
  if (input.iccPublicKey) {
    oda.useIccKey(keyOf(input.iccPublicKey, 'iccPublicKey'));
  } else {
    if (input.issuerPublicKey) {
      oda.useIssuerKey(keyOf(input.issuerPublicKey, 'issuerPublicKey'));
    } else if (method !== 'CHAIN' || tags['90'] !== undefined) {
      const store = new CapkStore();
      const capk = store.add({ rid: hexField(input.capk.rid, 'capk.rid'), index: input.capk.index, modulus: hexField(input.capk.modulus, 'capk.modulus'), exponent: hexField(input.capk.exponent, 'capk.exponent') });
      const r = oda.recoverIssuerKey(capk);
      if (oda.stage === OdaStage.Issuer) out.issuer = issuerReport(oda, r);
      if (r !== OdaReason.Ok) return fail(r);
    }
    if (needIcc) {
      const r = oda.recoverIccKey();
      out.icc = iccReport(oda, r);
      if (r !== OdaReason.Ok) return fail(r);
    }
  }
  if (method === 'SDA') {
    const r = oda.verifySsad();
    out.ssad = r === OdaReason.Ok ? { ok: true, dac: toHex(oda.dac) } : { ok: false };
    if (r !== OdaReason.Ok) return fail(r);
  } else if (method !== 'CHAIN') {
    const r = oda.verifySdad(method === 'CDA' ? SdadKind.CDA : method === 'fDDA' ? SdadKind.FDDA : SdadKind.DDA);
    out.sdad = { ok: r === OdaReason.Ok };
    if (oda.idnLength > 0) out.sdad.iccDynamicNumber = toHex(oda.idn, 0, oda.idnLength);
    if (method === 'CDA' && (r === OdaReason.Ok || r === OdaReason.TransactionDataHashMismatch)) {
      out.sdad.cid = toHex(new Uint8Array([oda.cdaCid]));
      out.sdad.ac = toHex(oda.ac);
      out.sdad.transactionDataHash = toHex(oda.transactionDataHash);
    }
    if (r !== OdaReason.Ok) return fail(r);
  }
  out.ok = true;
  return out;
}

/** Reasons after which the certificate's fields were recovered (and are worth showing). */
const FIELDS_KNOWN: readonly number[] = [OdaReason.Ok, OdaReason.IssuerIdMismatch, OdaReason.CertificateExpired, OdaReason.InvalidExpiryDate, OdaReason.CertificateRevoked, OdaReason.PanMismatch];

function issuerReport(oda: RsaOda, r: number): NonNullable<OdaCaseOutput['issuer']> {
  const rep: NonNullable<OdaCaseOutput['issuer']> = { ok: r === OdaReason.Ok };
  if (FIELDS_KNOWN.includes(r)) {
    rep.issuerId = toHex(oda.issuerId);
    rep.expiry = toHex(oda.issuerExpiry);
    rep.serial = toHex(oda.issuerSerial);
  }
  if (r === OdaReason.Ok) {
    rep.modulus = toHex(oda.issuerKey.modulus, 0, oda.issuerKey.byteLength);
    rep.exponent = toHex(oda.issuerKey.exponentBytes, 0, oda.issuerKey.exponentLength);
  }
  return rep;
}

function iccReport(oda: RsaOda, r: number): NonNullable<OdaCaseOutput['icc']> {
  const rep: NonNullable<OdaCaseOutput['icc']> = { ok: r === OdaReason.Ok };
  if (FIELDS_KNOWN.includes(r)) {
    rep.pan = toHex(oda.iccPan).replace(/F+$/, '');
    rep.expiry = toHex(oda.iccExpiry);
    rep.serial = toHex(oda.iccSerial);
  }
  if (r === OdaReason.Ok) {
    rep.modulus = toHex(oda.iccKey.modulus, 0, oda.iccKey.byteLength);
    rep.exponent = toHex(oda.iccKey.exponentBytes, 0, oda.iccKey.exponentLength);
  }
  return rep;
}

/** SM2 cases go to oda-sm.ts (another module; loaded only when needed). */
async function runSm(input: OdaCaseInput): Promise<OdaCaseOutput> {
  let mod: { runSmCase: (i: OdaCaseInput) => OdaCaseOutput };
  try {
    // A literal specifier, so tsup bundles it into the CLI as a lazily loaded chunk.
    mod = await import('./oda-sm.js');
  } catch (e) {
    throw new OdaInputError(`SM2 case: the SM2 verifier (oda-sm) is not available: ${(e as Error).message}`);
  }
  return mod.runSmCase(input);
}

function bits(hex: string | undefined): string {
  return hex ? `${hex.length * 4}-bit` : '';
}

function summary(o: OdaCaseOutput): string {
  const lines = [`ODA ${o.method}: ${o.ok ? 'verified' : `FAILED at ${o.failure}`}`];
  if (o.issuer)
    lines.push(`  issuer  ${o.issuer.ok ? 'ok    ' : 'FAILED'}${o.issuer.issuerId ? ` id ${o.issuer.issuerId.replace(/F+$/, '')}` : ''}${o.issuer.expiry ? ` expires ${o.issuer.expiry.slice(0, 2)}/${o.issuer.expiry.slice(2)}` : ''}${o.issuer.serial ? ` serial ${o.issuer.serial}` : ''}${o.issuer.modulus ? ` key ${bits(o.issuer.modulus)} e=${o.issuer.exponent}` : ''}`);
  if (o.icc)
    lines.push(`  icc     ${o.icc.ok ? 'ok    ' : 'FAILED'}${o.icc.pan ? ` pan ${o.icc.pan}` : ''}${o.icc.expiry ? ` expires ${o.icc.expiry.slice(0, 2)}/${o.icc.expiry.slice(2)}` : ''}${o.icc.serial ? ` serial ${o.icc.serial}` : ''}${o.icc.modulus ? ` key ${bits(o.icc.modulus)} e=${o.icc.exponent}` : ''}`);
  if (o.ssad) lines.push(`  ssad    ${o.ssad.ok ? 'ok    ' : 'FAILED'}${o.ssad.dac ? ` DAC ${o.ssad.dac}` : ''}`);
  if (o.sdad)
    lines.push(`  sdad    ${o.sdad.ok ? 'ok    ' : 'FAILED'}${o.sdad.iccDynamicNumber ? ` IDN ${o.sdad.iccDynamicNumber}` : ''}${o.sdad.cid ? ` CID ${o.sdad.cid} AC ${o.sdad.ac}` : ''}`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'offline data authentication: verify SDA/DDA/fDDA/CDA certificate chains',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'verify') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand (verify)');
    const { options, positionals } = parseArgs(rest, ['json']);
    if (positionals.length !== 1) throw new UsageError('expected one CASE.json');
    const json = options.json === true;
    let out: OdaCaseOutput;
    try {
      const file = positionals[0]!;
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (e) {
        throw new OdaInputError(`cannot read ${file}: ${(e as Error).message}`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new OdaInputError(`${file}: not JSON: ${(e as Error).message}`);
      }
      const input = parseOdaCase(parsed);
      out = isSmCase(input) ? await runSm(input) : runRsaCase(input);
    } catch (e) {
      if (!(e instanceof OdaInputError || e instanceof TypeError || e instanceof RangeError || (e as Error).name === 'ShanfuError')) throw e;
      const message = (e as Error).message;
      if (json) console.log(JSON.stringify({ ok: false, error: message }));
      console.error(`shanfu oda: ${message}`);
      return 2;
    }
    console.log(json ? JSON.stringify(out) : summary(out));
    return out.ok ? 0 : 1;
  },
};
