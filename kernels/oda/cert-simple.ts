/**
 * Plain one-call versions of the RSA ODA steps for the CLI, tools, the virtual card and tests:
 * hex or bytes in, an object out. They allocate (a fresh RsaOda per call); the kernel uses `RsaOda`
 * directly.
 */
import { CapkEntry, CapkStore, type CapkInput, type RevocationList } from './capk.js';
import { RsaOda, SdadKind, type Slice } from './cert.js';
import { OdaReason, odaReasonText, odaStageText } from './cert-reasons.js';
import { RsaKey } from './rsa.js';
import { fromHex, toHex } from '../util/hex.js';

type Bytes = Uint8Array | string;
const b = (v: Bytes, what: string) => (typeof v === 'string' ? fromHex(v, what) : v);
const put = (s: Slice, v: Bytes | undefined, what: string) => (v === undefined ? s.clear() : s.set(b(v, what)));

/** "YYMMDD" or yyyymmdd → yyyymmdd. */
function dateOf(d: string | number): number {
  if (typeof d === 'number') return d;
  if (!/^\d{6}$/.test(d)) throw new RangeError(`transactionDate: expected YYMMDD, got ${JSON.stringify(d)}`);
  const yy = Number(d.slice(0, 2));
  return (yy < 50 ? 20000000 : 19000000) + Number(d);
}

export type OdaStepResult = { ok: boolean; code: number; stage: string; reason: string };
const verdict = (oda: RsaOda, code: number): OdaStepResult => ({ ok: code === OdaReason.Ok, code, stage: odaStageText(oda.stage), reason: odaReasonText(code) });
export type PublicKey = { modulus: Bytes; exponent: Bytes };

const keyOf = (k: PublicKey | RsaKey, what: string): RsaKey => (k instanceof RsaKey ? k : RsaKey.from(b(k.modulus, `${what}.modulus`), b(k.exponent, `${what}.exponent`)));

/** Book 2 §5.3: the issuer public key from 90 / 92 / 9F32 with a CA key. */
export function recoverIssuerPublicKey(o: {
  capk: CapkEntry | CapkInput;
  certificate: Bytes;
  remainder?: Bytes;
  exponent: Bytes;
  pan: Bytes;
  transactionDate: string | number;
  revocations?: RevocationList;
}): OdaStepResult & { issuerId?: string; expiry?: string; serial?: string; modulus?: string; exponent?: string } {
  const oda = new RsaOda({ issuerCacheSize: 0, revocations: o.revocations ?? null });
  const capk = o.capk instanceof CapkEntry ? o.capk : new CapkStore().add(o.capk);
  oda.transactionDate = dateOf(o.transactionDate);
  put(oda.issuerCert, o.certificate, 'certificate');
  put(oda.issuerRemainder, o.remainder, 'remainder');
  put(oda.issuerExponent, o.exponent, 'exponent');
  put(oda.pan, o.pan, 'pan');
  const code = oda.recoverIssuerKey(capk);
  const r = verdict(oda, code);
  if (code !== OdaReason.Ok) return r;
  const k = oda.issuerKey;
  return { ...r, issuerId: toHex(oda.issuerId), expiry: toHex(oda.issuerExpiry), serial: toHex(oda.issuerSerial), modulus: toHex(k.modulus, 0, k.byteLength), exponent: toHex(k.exponentBytes, 0, k.exponentLength) };
}

/** Book 2 §6.4: the ICC public key from 9F46 / 9F48 / 9F47 with the issuer key. */
export function recoverIccPublicKey(o: {
  issuerKey: PublicKey | RsaKey;
  certificate: Bytes;
  remainder?: Bytes;
  exponent: Bytes;
  pan: Bytes;
  staticData: Bytes;
  transactionDate: string | number;
}): OdaStepResult & { pan?: string; expiry?: string; serial?: string; modulus?: string; exponent?: string } {
  const oda = new RsaOda({ issuerCacheSize: 0 });
  oda.transactionDate = dateOf(o.transactionDate);
  oda.useIssuerKey(keyOf(o.issuerKey, 'issuerKey'));
  put(oda.iccCert, o.certificate, 'certificate');
  put(oda.iccRemainder, o.remainder, 'remainder');
  put(oda.iccExponent, o.exponent, 'exponent');
  put(oda.pan, o.pan, 'pan');
  put(oda.staticData, o.staticData, 'staticData');
  const code = oda.recoverIccKey();
  const r = verdict(oda, code);
  if (code !== OdaReason.Ok) return r;
  const k = oda.iccKey;
  return { ...r, pan: toHex(oda.iccPan).replace(/F+$/, ''), expiry: toHex(oda.iccExpiry), serial: toHex(oda.iccSerial), modulus: toHex(k.modulus, 0, k.byteLength), exponent: toHex(k.exponentBytes, 0, k.exponentLength) };
}

/** Book 2 §5.4: Signed Static Application Data (93) → DAC. */
export function verifySignedStaticData(o: { issuerKey: PublicKey | RsaKey; ssad: Bytes; staticData: Bytes }): OdaStepResult & { dac?: string } {
  const oda = new RsaOda({ issuerCacheSize: 0 });
  oda.useIssuerKey(keyOf(o.issuerKey, 'issuerKey'));
  put(oda.ssad, o.ssad, 'ssad');
  put(oda.staticData, o.staticData, 'staticData');
  const code = oda.verifySsad();
  const r = verdict(oda, code);
  return code === OdaReason.Ok ? { ...r, dac: toHex(oda.dac) } : r;
}

/**
 * Book 2 §6.5 / §6.6, qPBOC fDDA: Signed Dynamic Application Data (9F4B).
 * DDA needs `ddolData`; fDDA `unpredictableNumber` (+ amount, currency, cardAuthData for fDDA 01);
 * CDA `unpredictableNumber`, `cid` (9F27) and `cdaTransactionData`.
 */
export function verifySignedDynamicData(o: {
  iccKey: PublicKey | RsaKey;
  sdad: Bytes;
  kind: 'DDA' | 'fDDA' | 'CDA';
  ddolData?: Bytes;
  unpredictableNumber?: Bytes;
  amount?: Bytes;
  currency?: Bytes;
  cardAuthData?: Bytes;
  cid?: Bytes;
  cdaTransactionData?: Bytes;
}): OdaStepResult & { iccDynamicNumber?: string; cid?: string; ac?: string; transactionDataHash?: string } {
  const oda = new RsaOda({ issuerCacheSize: 0 });
  oda.useIccKey(keyOf(o.iccKey, 'iccKey'));
  put(oda.sdad, o.sdad, 'sdad');
  put(oda.terminalDynamicData, o.ddolData, 'ddolData');
  put(oda.unpredictableNumber, o.unpredictableNumber, 'unpredictableNumber');
  put(oda.amount, o.amount, 'amount');
  put(oda.currency, o.currency, 'currency');
  put(oda.cardAuthData, o.cardAuthData, 'cardAuthData');
  put(oda.cid, o.cid, 'cid');
  put(oda.cdaTransactionData, o.cdaTransactionData, 'cdaTransactionData');
  const code = oda.verifySdad(o.kind === 'CDA' ? SdadKind.CDA : o.kind === 'fDDA' ? SdadKind.FDDA : SdadKind.DDA);
  const r = verdict(oda, code);
  if (code !== OdaReason.Ok) return r;
  const idn = toHex(oda.idn, 0, oda.idnLength);
  if (o.kind !== 'CDA') return { ...r, iccDynamicNumber: idn };
  return { ...r, iccDynamicNumber: idn, cid: toHex(new Uint8Array([oda.cdaCid])), ac: toHex(oda.ac), transactionDataHash: toHex(oda.transactionDataHash) };
}
