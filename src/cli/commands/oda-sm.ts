/**
 * SM2/SM3 cases of `shanfu oda verify` (loaded by oda.ts when capk.algorithm is "SM2" or the
 * certificate's first byte is 12/14). Runs the kernels/oda/sm-cert steps in order and reports
 * the same shape as the RSA cases, with `publicKey` (x ‖ y hex) instead of modulus/exponent.
 *
 * Methods: CHAIN (issuer certificate, then the ICC certificate when 9F46 is given), SDA (+ 93),
 * DDA / fDDA (+ 9F46 + 9F4B). Terminal dynamic data for the SDAD: `ddolData` when given; for
 * fDDA otherwise 9F37, or 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 when 9F69 (fDDA version 01) is present.
 */
import type { OdaCaseInput, OdaCaseOutput } from './oda-types.js';
import { OdaInputError } from './oda-types.js';
import { fromHex, toHex, concatBytes } from '../../../kernels/util/hex.js';
import { Sm2PublicKey } from '../../../kernels/oda/sm2.js';
import { SmCapkStore } from '../../../kernels/oda/sm-capk.js';
import {
  SmOdaContext, SmFailure, verifySmIccCertificate, verifySmIssuerCertificate, verifySmSdad, verifySmSsad,
} from '../../../kernels/oda/sm-cert.js';

function hexInput(value: string | undefined, what: string): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return fromHex(String(value), what);
  } catch (e) {
    throw new OdaInputError((e as Error).message);
  }
}

function keyInput(hex: string, what: string): Sm2PublicKey | null {
  const b = hexInput(hex, what)!;
  if (b.length !== 64 && !(b.length === 65 && b[0] === 0x04)) throw new OdaInputError(`${what}: an SM2 public key is 64 bytes x‖y, got ${b.length}`);
  return Sm2PublicKey.tryFrom(b);
}

/** cn digits without the F padding. */
function digits(b: Uint8Array): string {
  return toHex(b).replace(/F+$/, '');
}

export function runSmCase(input: OdaCaseInput): OdaCaseOutput {
  const method = input.method;
  if (!['CHAIN', 'SDA', 'DDA', 'fDDA', 'CDA'].includes(method)) throw new OdaInputError(`method: expected CHAIN, SDA, DDA or fDDA, got ${JSON.stringify(method)}`);
  if (method === 'CDA') throw new OdaInputError('method: CDA is not defined for SM2 (use DDA or fDDA)');
  const date = String(input.transactionDate ?? '');
  const month = Number(date.slice(2, 4));
  if (!/^\d{6}$/.test(date) || month < 1 || month > 12) throw new OdaInputError(`transactionDate: expected YYMMDD, got ${JSON.stringify(input.transactionDate)}`);
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.tags ?? {})) tags[k.toUpperCase()] = v;
  const tag = (t: string) => hexInput(tags[t], `tags.${t}`);

  const out: OdaCaseOutput = { ok: false, method, failure: null };
  const fail = (stage: string, reason: string): OdaCaseOutput => {
    out.ok = false;
    out.failure = `${stage}:${reason}`;
    return out;
  };

  const ctx = new SmOdaContext();
  ctx.transactionDate = Number(input.transactionDate);
  const pan = tag('5A');
  if (pan) ctx.setPan(pan);
  const staticData = hexInput(input.staticData, 'staticData') ?? new Uint8Array(0);

  // Issuer key: given directly, or from the issuer certificate under the CA key.
  const givenIssuer = input.issuerPublicKey?.publicKey;
  const givenIcc = input.iccPublicKey?.publicKey;
  if (givenIssuer) {
    const k = keyInput(givenIssuer, 'issuerPublicKey.publicKey');
    if (!k) return fail('issuer', SmFailure.BadKey);
    ctx.issuer.key = k;
    out.issuer = { ok: true, publicKey: toHex(k.bytes) };
  } else if (!givenIcc || method === 'SDA' || method === 'CHAIN') {
    const capkIn = input.capk;
    if (!capkIn || !capkIn.publicKey) throw new OdaInputError('capk.publicKey: the SM2 CA public key x‖y (hex) is required');
    const store = new SmCapkStore();
    try {
      ctx.capk = store.add({ rid: capkIn.rid, index: capkIn.index, publicKey: capkIn.publicKey, precompute: false }) // one use: a table would cost more than it saves;
    } catch (e) {
      if (/not a point/.test((e as Error).message)) return fail('capk', SmFailure.BadKey);
      throw new OdaInputError(`capk: ${(e as Error).message}`);
    }
    ctx.rid.set(ctx.capk.rid);
    const cert = tag('90');
    if (!cert) return fail('issuer', SmFailure.MissingData);
    if (!pan) return fail('issuer', `${SmFailure.MissingData} (5A)`);
    const reason = verifySmIssuerCertificate(ctx, cert, 0, cert.length);
    out.issuer = {
      ok: reason === null,
      ...(cert.length >= 10 ? { issuerId: digits(ctx.issuer.issuerId), expiry: toHex(ctx.issuer.expiry), serial: toHex(ctx.issuer.serial) } : {}),
      ...(ctx.issuer.key ? { publicKey: toHex(ctx.issuer.key.bytes) } : {}),
    };
    if (reason !== null) return fail('issuer', reason);
  }

  if (method === 'SDA') {
    const ssad = tag('93');
    if (!ssad) return fail('ssad', SmFailure.MissingData);
    const reason = verifySmSsad(ctx, ssad, 0, ssad.length, staticData, 0, staticData.length);
    out.ssad = { ok: reason === null, ...(ssad.length >= 3 ? { dac: toHex(ctx.dac) } : {}) };
    if (reason !== null) return fail('ssad', reason);
    out.ok = true;
    return out;
  }

  // ICC key: given directly, or from the ICC certificate under the issuer key.
  const iccCert = tag('9F46');
  if (givenIcc) {
    const k = keyInput(givenIcc, 'iccPublicKey.publicKey');
    if (!k) return fail('icc', SmFailure.BadKey);
    ctx.icc.key = k;
    out.icc = { ok: true, publicKey: toHex(k.bytes) };
  } else if (iccCert || method !== 'CHAIN') {
    if (!iccCert) return fail('icc', SmFailure.MissingData);
    if (!pan) return fail('icc', `${SmFailure.MissingData} (5A)`);
    const reason = verifySmIccCertificate(ctx, iccCert, 0, iccCert.length, staticData, 0, staticData.length);
    out.icc = {
      ok: reason === null,
      ...(iccCert.length >= 16 ? { pan: digits(ctx.icc.pan), expiry: toHex(ctx.icc.expiry), serial: toHex(ctx.icc.serial) } : {}),
      ...(ctx.icc.key ? { publicKey: toHex(ctx.icc.key.bytes) } : {}),
    };
    if (reason !== null) return fail('icc', reason);
  }
  if (method === 'CHAIN') {
    out.ok = true;
    return out;
  }

  const sdad = tag('9F4B');
  if (!sdad) return fail('sdad', SmFailure.MissingData);
  const terminalData = terminalDynamicData(input, tag);
  const reason = verifySmSdad(ctx, sdad, 0, sdad.length, terminalData, 0, terminalData.length);
  out.sdad = { ok: reason === null, ...(reason === null ? { iccDynamicNumber: toHex(ctx.sdad.iccDynamicNumber, 0, ctx.sdad.iccDynamicNumberLength) } : {}) };
  if (reason !== null) return fail('sdad', reason);
  out.ok = true;
  return out;
}

/** Terminal dynamic data signed into the SDAD (qpboc-facts §1.11, §3.1). */
function terminalDynamicData(input: OdaCaseInput, tag: (t: string) => Uint8Array | undefined): Uint8Array {
  const ddol = hexInput(input.ddolData, 'ddolData');
  if (ddol) return ddol;
  const un = tag('9F37');
  if (!un) throw new OdaInputError(`${input.method}: ddolData or tags.9F37 (unpredictable number) is required`);
  if (input.method !== 'fDDA') return un;
  const cardAuth = tag('9F69');
  if (!cardAuth) return un; // fDDA 00
  const amount = tag('9F02');
  const currency = tag('5F2A');
  if (!amount || !currency) throw new OdaInputError('fDDA 01 (9F69 present): tags.9F02 and tags.5F2A are required');
  return concatBytes(un, amount, currency, cardAuth);
}
