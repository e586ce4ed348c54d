/**
 * RSA offline data authentication (EMV Book 2 §5 SDA, §6 DDA / CDA; qPBOC fDDA per JR/T 0025.12,
 * see reference §1.11): certificate and signed-data recovery with every Book 2 check.
 *
 * `RsaOda` is created once per kernel and reused: it owns the RSA engine, the SHA-1, the recovered
 * data buffer, the issuer and ICC key slots and the issuer key cache. The kernel points its input
 * slices (`pan`, `issuerCert`, …) at (buffer, offset, length) views of the card responses, then
 * calls the steps; each returns an `OdaReason` code (0 = ok) and sets `stage`. Nothing here
 * allocates or throws on card data.
 */
import { CapkStore, type CapkEntry, type RevocationList } from './capk.js';
import { IssuerKeyCache } from './cert-cache.js';
import { OdaMethod, OdaReason, OdaStage } from './cert-reasons.js';
import { RsaEngine, RsaKey } from './rsa.js';
import { Sha1 } from './sha1.js';

const EMPTY = new Uint8Array(0);

/** A (buffer, offset, length) view of one data object's value; `len` −1 = absent. */
export class Slice {
  buf: Uint8Array = EMPTY;
  off = 0;
  len = -1;
  set(buf: Uint8Array, off = 0, len = buf.length - off): void {
    this.buf = buf;
    this.off = off;
    this.len = len;
  }
  clear(): void {
    this.buf = EMPTY;
    this.off = 0;
    this.len = -1;
  }
  get present(): boolean {
    return this.len >= 0;
  }
}

/** Which terminal dynamic data the Signed Dynamic Application Data hash covers. */
export const SdadKind = {
  /** DDA: the DDOL data (`terminalDynamicData`). */
  DDA: 0,
  /** fDDA: 9F37, or 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 when 9F69 (`cardAuthData`) is present (fDDA 01). */
  FDDA: 1,
  /** CDA: 9F37; CID vs 9F27 and the Transaction Data Hash Code are checked too. */
  CDA: 2,
} as const;

const HEADER = 0x6a;
const TRAILER = 0xbc;
const SHA1_INDICATOR = 0x01;
const RSA_INDICATOR = 0x01;
/**
 * Smallest issuer / ICC key accepted (512 bits). Smaller keys could not hold the ICC certificate
 * layout (N_I ≥ 42 + 1) or signed data (N ≥ 26) anyway; refusing them keeps every offset in range.
 */
const MIN_KEY_BYTES = 64;

export type RsaOdaOptions = {
  /** Largest modulus in bytes (default 256 = 2048 bits). */
  maxModulusBytes?: number;
  /** Issuer key cache slots (default 8; 0 disables the cache). */
  issuerCacheSize?: number;
  revocations?: RevocationList | null;
};

export class RsaOda {
  readonly maxBytes: number;
  readonly engine: RsaEngine;
  readonly cache: IssuerKeyCache;
  revocations: RevocationList | null;

  // ---- inputs (set by the kernel; values only, no tag/length) ----
  readonly pan = new Slice(); // 5A
  readonly issuerCert = new Slice(); // 90
  readonly issuerRemainder = new Slice(); // 92
  readonly issuerExponent = new Slice(); // 9F32
  readonly iccCert = new Slice(); // 9F46
  readonly iccRemainder = new Slice(); // 9F48
  readonly iccExponent = new Slice(); // 9F47
  /** Static Data To Be Authenticated (+ AIP when 9F4A lists 82), Book 2 §5.4 / reference §2.6. */
  readonly staticData = new Slice();
  readonly ssad = new Slice(); // 93
  readonly sdad = new Slice(); // 9F4B
  /** DDA: the DDOL-related data sent in INTERNAL AUTHENTICATE. */
  readonly terminalDynamicData = new Slice();
  readonly unpredictableNumber = new Slice(); // 9F37
  readonly amount = new Slice(); // 9F02
  readonly currency = new Slice(); // 5F2A
  readonly cardAuthData = new Slice(); // 9F69
  readonly cid = new Slice(); // 9F27 from the GEN AC response
  /** CDA: PDOL data ‖ CDOL1 data [‖ CDOL2 data] ‖ GEN AC response TLVs except 9F4B (reference §2.5). */
  readonly cdaTransactionData = new Slice();
  /** Transaction date as yyyymmdd (see `bcdDateToNumber`). */
  transactionDate = 0;

  // ---- outputs ----
  /** Stage of the last step run (OdaStage). */
  stage: number = OdaStage.None;
  /** The key the ICC certificate / SSAD is checked with (own slot, cache slot or `useIssuerKey`). */
  issuerKey: RsaKey;
  /** The key the SDAD is checked with (own slot or `useIccKey`). */
  iccKey: RsaKey;
  /** True when the last `recoverIssuerKey` was served from the cache. */
  issuerFromCache = false;
  readonly issuerId = new Uint8Array(4);
  readonly issuerExpiry = new Uint8Array(2);
  readonly issuerSerial = new Uint8Array(3);
  readonly iccPan = new Uint8Array(10);
  readonly iccExpiry = new Uint8Array(2);
  readonly iccSerial = new Uint8Array(3);
  /** SDA: Data Authentication Code (9F45). */
  readonly dac = new Uint8Array(2);
  /** ICC Dynamic Number (9F4C) in `idn[0, idnLength)`. */
  readonly idn = new Uint8Array(8);
  idnLength = 0;
  /** CDA results. */
  cdaCid = 0;
  readonly ac = new Uint8Array(8);
  readonly transactionDataHash = new Uint8Array(20);
  /** The last recovered block, X[0, recoveredLength). */
  readonly recovered: Uint8Array;
  recoveredLength = 0;

  private readonly ownIssuerKey: RsaKey;
  private readonly ownIccKey: RsaKey;
  private readonly sha = new Sha1();
  private readonly digest = new Uint8Array(20);
  private readonly modulusScratch: Uint8Array;
  private readonly fddaScratch = new Uint8Array(64);

  constructor(options: RsaOdaOptions = {}) {
    this.maxBytes = options.maxModulusBytes ?? 256;
    this.engine = new RsaEngine(this.maxBytes);
    this.cache = new IssuerKeyCache(options.issuerCacheSize ?? 8, this.maxBytes);
    this.revocations = options.revocations ?? null;
    this.recovered = new Uint8Array(this.maxBytes);
    this.modulusScratch = new Uint8Array(this.maxBytes);
    this.ownIssuerKey = new RsaKey(this.maxBytes);
    this.ownIccKey = new RsaKey(this.maxBytes);
    this.issuerKey = this.ownIssuerKey;
    this.iccKey = this.ownIccKey;
  }

  /** Clears inputs and keys for the next card (the cache stays). */
  reset(): void {
    this.pan.clear();
    this.issuerCert.clear();
    this.issuerRemainder.clear();
    this.issuerExponent.clear();
    this.iccCert.clear();
    this.iccRemainder.clear();
    this.iccExponent.clear();
    this.staticData.clear();
    this.ssad.clear();
    this.sdad.clear();
    this.terminalDynamicData.clear();
    this.unpredictableNumber.clear();
    this.amount.clear();
    this.currency.clear();
    this.cardAuthData.clear();
    this.cid.clear();
    this.cdaTransactionData.clear();
    this.ownIssuerKey.clear();
    this.ownIccKey.clear();
    this.issuerKey = this.ownIssuerKey;
    this.iccKey = this.ownIccKey;
    this.issuerFromCache = false;
    this.idnLength = 0;
    this.recoveredLength = 0;
    this.stage = OdaStage.None;
  }

  /** Use a known issuer key (skips `recoverIssuerKey`). */
  useIssuerKey(key: RsaKey): void {
    this.issuerKey = key;
  }

  /** Use a known ICC key (skips `recoverIccKey`). */
  useIccKey(key: RsaKey): void {
    this.iccKey = key;
  }

  /**
   * SDA / DDA / fDDA / CDA in one call: issuer key, then SSAD (SDA) or ICC key + SDAD. `stage`
   * names the failing step. fDDA and CDA need the same inputs as `verifySdad`.
   */
  authenticate(method: number, capk: CapkEntry | null): number {
    let r = this.recoverIssuerKey(capk);
    if (r !== OdaReason.Ok) return r;
    if (method === OdaMethod.SDA) return this.verifySsad();
    r = this.recoverIccKey();
    if (r !== OdaReason.Ok) return r;
    return this.verifySdad(method === OdaMethod.CDA ? SdadKind.CDA : method === OdaMethod.FDDA ? SdadKind.FDDA : SdadKind.DDA);
  }

  /**
   * Retrieval of the Issuer Public Key (EMV Book 2 §5.3 / §6.3) from 90, 92, 9F32 with the CA key,
   * served from the issuer key cache when the same certificate was verified before.
   */
  recoverIssuerKey(capk: CapkEntry | null): number {
    this.stage = OdaStage.Capk;
    this.issuerFromCache = false;
    this.issuerKey = this.ownIssuerKey;
    this.ownIssuerKey.clear();
    if (capk === null) return OdaReason.CapkNotFound;
    if (CapkStore.isExpired(capk, this.transactionDate)) return OdaReason.CapkExpired;
    this.stage = OdaStage.Issuer;
    const cert = this.issuerCert, rem = this.issuerRemainder, exp = this.issuerExponent;
    if (!cert.present || !exp.present || !this.pan.present) return OdaReason.DataMissing;

    const hit = this.cache.find(capk.rid, 0, capk.index, cert.buf, cert.off, cert.len, rem.buf, rem.off, rem.len, exp.buf, exp.off, exp.len);
    if (hit !== null) {
      copy(hit.issuerId, 0, this.issuerId, 0, 4);
      copy(hit.expiry, 0, this.issuerExpiry, 0, 2);
      copy(hit.serial, 0, this.issuerSerial, 0, 3);
      this.issuerFromCache = true;
      const r = this.checkIssuerValidity(capk);
      if (r === OdaReason.Ok) this.issuerKey = hit.key;
      return r;
    }

    const caKey = capk.key;
    const n = caKey.byteLength;
    // Step 1: the certificate has the CA modulus length.
    if (cert.len !== n) return OdaReason.LengthMismatch;
    const x = this.recovered;
    if (!this.engine.recover(cert.buf, cert.off, cert.len, caKey, x, 0)) return OdaReason.SignatureOutOfRange;
    this.recoveredLength = n;
    // Steps 2–4: trailer, header, format.
    if (x[n - 1] !== TRAILER) return OdaReason.BadTrailer;
    if (x[0] !== HEADER) return OdaReason.BadHeader;
    if (x[1] !== 0x02) return OdaReason.BadFormat;
    if (x[11] !== SHA1_INDICATOR) return OdaReason.UnsupportedHashAlgorithm;
    // Issuer PK length N_I; the certificate holds min(N_I, N_CA − 36) bytes, 92 the rest.
    const nI = x[13]!;
    const inCert = n - 36;
    if (nI > inCert) {
      if (!rem.present) return OdaReason.RemainderMissing;
      if (rem.len !== nI - inCert) return OdaReason.BadKeyLength;
    }
    // Steps 5–7: SHA-1(X[1 .. N_CA−22] ‖ 92 ‖ 9F32) = X[N_CA−21 .. N_CA−2].
    const sha = this.sha.reset().update(x, 1, n - 22);
    if (rem.present) sha.update(rem.buf, rem.off, rem.len);
    sha.update(exp.buf, exp.off, exp.len).digestInto(this.digest, 0);
    if (!eq(this.digest, 0, x, n - 21, 20)) return OdaReason.HashMismatch;
    // Step 11: the issuer PK algorithm is RSA.
    if (x[12] !== RSA_INDICATOR) return OdaReason.UnsupportedPkAlgorithm;
    copy(x, 2, this.issuerId, 0, 4);
    copy(x, 6, this.issuerExpiry, 0, 2);
    copy(x, 8, this.issuerSerial, 0, 3);
    // Step 12: issuer modulus = leftmost digits ‖ remainder.
    const m = this.modulusScratch;
    const fromCert = nI > inCert ? inCert : nI;
    copy(x, 15, m, 0, fromCert);
    if (nI > inCert) copy(rem.buf, rem.off, m, fromCert, rem.len);
    if (!isSupportedExponent(exp.buf, exp.off, exp.len)) return OdaReason.UnsupportedExponent;
    if (nI < MIN_KEY_BYTES) return OdaReason.BadKeyLength;
    const slot = this.cache.claim(capk.rid, 0, capk.index, cert.buf, cert.off, cert.len, rem.buf, rem.off, rem.len, exp.buf, exp.off, exp.len);
    const key = slot !== null ? slot.key : this.ownIssuerKey;
    if (!key.set(m, 0, nI, exp.buf, exp.off, exp.len)) return OdaReason.BadKeyLength;
    if (slot !== null) {
      copy(this.issuerId, 0, slot.issuerId, 0, 4);
      copy(this.issuerExpiry, 0, slot.expiry, 0, 2);
      copy(this.issuerSerial, 0, slot.serial, 0, 3);
      this.cache.commit(slot);
    }
    const r = this.checkIssuerValidity(capk);
    if (r === OdaReason.Ok) this.issuerKey = key;
    return r;
  }

  /** Book 2 §5.3 steps 8–10 (run on every card, cached or not). */
  private checkIssuerValidity(capk: CapkEntry): number {
    // Step 8: issuer identifier (F-padded) = leftmost PAN digits.
    if (!issuerIdMatchesPan(this.issuerId, this.pan.buf, this.pan.off, this.pan.len)) return OdaReason.IssuerIdMismatch;
    // Step 9: valid through the end of month MMYY.
    const d = checkExpiry(this.issuerExpiry, 0, this.transactionDate);
    if (d !== OdaReason.Ok) return d;
    // Step 10: RID ‖ index ‖ serial not revoked.
    const s = this.issuerSerial;
    if (this.revocations !== null && this.revocations.isRevoked(capk.rid, 0, capk.index, (s[0]! << 16) | (s[1]! << 8) | s[2]!)) return OdaReason.CertificateRevoked;
    return OdaReason.Ok;
  }

  /** Retrieval of the ICC Public Key (EMV Book 2 §6.4) from 9F46, 9F48, 9F47 with the issuer key. */
  recoverIccKey(): number {
    this.stage = OdaStage.Icc;
    this.iccKey = this.ownIccKey;
    this.ownIccKey.clear();
    const ik = this.issuerKey;
    if (ik.byteLength === 0) return OdaReason.KeyNotAvailable;
    const cert = this.iccCert, rem = this.iccRemainder, exp = this.iccExponent, sd = this.staticData;
    if (!cert.present || !exp.present || !this.pan.present || !sd.present) return OdaReason.DataMissing;
    const n = ik.byteLength;
    if (cert.len !== n) return OdaReason.LengthMismatch; // step 1
    const x = this.recovered;
    if (!this.engine.recover(cert.buf, cert.off, cert.len, ik, x, 0)) return OdaReason.SignatureOutOfRange;
    this.recoveredLength = n;
    if (x[n - 1] !== TRAILER) return OdaReason.BadTrailer; // step 2
    if (x[0] !== HEADER) return OdaReason.BadHeader; // step 3
    if (x[1] !== 0x04) return OdaReason.BadFormat; // step 4
    if (x[17] !== SHA1_INDICATOR) return OdaReason.UnsupportedHashAlgorithm;
    const nIC = x[19]!;
    const inCert = n - 42;
    if (nIC > inCert) {
      if (!rem.present) return OdaReason.RemainderMissing;
      if (rem.len !== nIC - inCert) return OdaReason.BadKeyLength;
    }
    // Steps 5–7: SHA-1(X[1 .. N_I−22] ‖ 9F48 ‖ 9F47 ‖ static data) = X[N_I−21 .. N_I−2].
    const sha = this.sha.reset().update(x, 1, n - 22);
    if (rem.present) sha.update(rem.buf, rem.off, rem.len);
    sha.update(exp.buf, exp.off, exp.len).update(sd.buf, sd.off, sd.len).digestInto(this.digest, 0);
    if (!eq(this.digest, 0, x, n - 21, 20)) return OdaReason.HashMismatch;
    copy(x, 2, this.iccPan, 0, 10);
    copy(x, 12, this.iccExpiry, 0, 2);
    copy(x, 14, this.iccSerial, 0, 3);
    // Step 8: recovered PAN = 5A.
    if (!panEquals(this.iccPan, this.pan.buf, this.pan.off, this.pan.len)) return OdaReason.PanMismatch;
    // Step 9: expiry.
    const d = checkExpiry(this.iccExpiry, 0, this.transactionDate);
    if (d !== OdaReason.Ok) return d;
    // Step 10: PK algorithm.
    if (x[18] !== RSA_INDICATOR) return OdaReason.UnsupportedPkAlgorithm;
    // Step 11: ICC modulus = leftmost digits ‖ 9F48.
    const m = this.modulusScratch;
    const fromCert = nIC > inCert ? inCert : nIC;
    copy(x, 21, m, 0, fromCert);
    if (nIC > inCert) copy(rem.buf, rem.off, m, fromCert, rem.len);
    if (!isSupportedExponent(exp.buf, exp.off, exp.len)) return OdaReason.UnsupportedExponent;
    if (nIC < MIN_KEY_BYTES) return OdaReason.BadKeyLength;
    // precompute = false: the ICC key checks one SDAD and is gone with the card, so R² / R³ (the
    // Montgomery set-up, ~25% of an fDDA tap) would never pay off; RsaEngine cubes it plainly
    // (e = 3; e = 65537 still precomputes). Measured: RsaKey.set in rsa.ts.
    if (!this.ownIccKey.set(m, 0, nIC, exp.buf, exp.off, exp.len, false)) return OdaReason.BadKeyLength;
    return OdaReason.Ok;
  }

  /** Verification of the Signed Static Application Data, tag 93 (EMV Book 2 §5.4). */
  verifySsad(): number {
    this.stage = OdaStage.Ssad;
    const ik = this.issuerKey;
    if (ik.byteLength === 0) return OdaReason.KeyNotAvailable;
    const sig = this.ssad, sd = this.staticData;
    if (!sig.present || !sd.present) return OdaReason.DataMissing;
    const n = ik.byteLength;
    if (sig.len !== n) return OdaReason.LengthMismatch; // step 1
    const x = this.recovered;
    if (!this.engine.recover(sig.buf, sig.off, sig.len, ik, x, 0)) return OdaReason.SignatureOutOfRange;
    this.recoveredLength = n;
    if (x[n - 1] !== TRAILER) return OdaReason.BadTrailer; // step 2
    if (x[0] !== HEADER) return OdaReason.BadHeader; // step 3
    if (x[1] !== 0x03) return OdaReason.BadFormat; // step 4
    if (x[2] !== SHA1_INDICATOR) return OdaReason.UnsupportedHashAlgorithm;
    // Steps 5–7: SHA-1(X[1 .. N_I−22] ‖ static data).
    this.sha.reset().update(x, 1, n - 22).update(sd.buf, sd.off, sd.len).digestInto(this.digest, 0);
    if (!eq(this.digest, 0, x, n - 21, 20)) return OdaReason.HashMismatch;
    copy(x, 3, this.dac, 0, 2);
    return OdaReason.Ok;
  }

  /**
   * Verification of the Signed Dynamic Application Data, tag 9F4B: DDA (Book 2 §6.5.2), fDDA
   * (qPBOC, reference §1.11) and CDA (§6.6.2).
   */
  verifySdad(kind: number): number {
    this.stage = OdaStage.Sdad;
    this.idnLength = 0;
    const k = this.iccKey;
    if (k.byteLength === 0) return OdaReason.KeyNotAvailable;
    const sig = this.sdad;
    if (!sig.present) return OdaReason.DataMissing;
    // Terminal dynamic data for the hash.
    let tdd = this.terminalDynamicData;
    let tBuf: Uint8Array, tOff: number, tLen: number;
    if (kind === SdadKind.DDA) {
      if (!tdd.present) return OdaReason.DataMissing;
      tBuf = tdd.buf;
      tOff = tdd.off;
      tLen = tdd.len;
    } else {
      tdd = this.unpredictableNumber;
      if (!tdd.present) return OdaReason.DataMissing;
      tBuf = tdd.buf;
      tOff = tdd.off;
      tLen = tdd.len;
      if (kind === SdadKind.FDDA && this.cardAuthData.present) {
        // fDDA 01: 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69.
        const a = this.amount, c = this.currency, v = this.cardAuthData, f = this.fddaScratch;
        if (!a.present || !c.present) return OdaReason.DataMissing;
        tLen = tdd.len + a.len + c.len + v.len;
        if (tLen > f.length) return OdaReason.BadDynamicDataLength;
        let o = 0;
        copy(tdd.buf, tdd.off, f, o, tdd.len);
        o += tdd.len;
        copy(a.buf, a.off, f, o, a.len);
        o += a.len;
        copy(c.buf, c.off, f, o, c.len);
        o += c.len;
        copy(v.buf, v.off, f, o, v.len);
        tBuf = f;
        tOff = 0;
      }
    }
    if (kind === SdadKind.CDA && (!this.cid.present || this.cid.len !== 1 || !this.cdaTransactionData.present)) return OdaReason.DataMissing;
    const n = k.byteLength;
    if (sig.len !== n) return OdaReason.LengthMismatch; // step 1
    const x = this.recovered;
    if (!this.engine.recover(sig.buf, sig.off, sig.len, k, x, 0)) return OdaReason.SignatureOutOfRange;
    this.recoveredLength = n;
    if (x[n - 1] !== TRAILER) return OdaReason.BadTrailer; // step 2
    if (x[0] !== HEADER) return OdaReason.BadHeader; // step 3
    if (x[1] !== 0x05) return OdaReason.BadFormat; // step 4
    if (x[2] !== SHA1_INDICATOR) return OdaReason.UnsupportedHashAlgorithm;
    // ICC Dynamic Data: L_DD at X[3], then IDN length, IDN, [CID, AC, TDHC for CDA].
    const ldd = x[3]!;
    if (ldd < 1 || ldd > n - 25) return OdaReason.BadDynamicDataLength;
    const idnLen = x[4]!;
    if (idnLen < 1 || idnLen > 8 || 1 + idnLen > ldd) return OdaReason.BadDynamicDataLength;
    if (kind === SdadKind.CDA) {
      if (1 + idnLen + 1 + 8 + 20 > ldd) return OdaReason.BadDynamicDataLength;
      // §6.6.2 step 5: CID in the signed data = 9F27 of the GEN AC response.
      if (x[5 + idnLen] !== this.cid.buf[this.cid.off]) return OdaReason.CidMismatch;
    }
    // Hash = SHA-1(X[1 .. N_IC−22] ‖ terminal dynamic data).
    this.sha.reset().update(x, 1, n - 22).update(tBuf, tOff, tLen).digestInto(this.digest, 0);
    if (!eq(this.digest, 0, x, n - 21, 20)) return OdaReason.HashMismatch;
    copy(x, 5, this.idn, 0, idnLen);
    this.idnLength = idnLen;
    if (kind === SdadKind.CDA) {
      const p = 5 + idnLen;
      this.cdaCid = x[p]!;
      copy(x, p + 1, this.ac, 0, 8);
      copy(x, p + 9, this.transactionDataHash, 0, 20);
      // §6.6.2 steps 9–10: TDHC = SHA-1(transaction data).
      const td = this.cdaTransactionData;
      this.sha.reset().update(td.buf, td.off, td.len).digestInto(this.digest, 0);
      if (!eq(this.digest, 0, x, p + 9, 20)) return OdaReason.TransactionDataHashMismatch;
    }
    return OdaReason.Ok;
  }
}

// ---------------------------------------------------------------- helpers (allocation-free)

function copy(src: Uint8Array, sOff: number, dst: Uint8Array, dOff: number, len: number): void {
  for (let i = 0; i < len; i++) dst[dOff + i] = src[sOff + i]!;
}

function eq(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

function isSupportedExponent(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 1 || len > 3) return false;
  let e = 0;
  for (let i = 0; i < len; i++) e = e * 256 + buf[off + i]!;
  return e === 3 || e === 65537;
}

function nibble(buf: Uint8Array, off: number, i: number): number {
  const b = buf[off + (i >> 1)]!;
  return (i & 1) === 0 ? b >> 4 : b & 0x0f;
}

/** Issuer Identifier (4 bytes, cn, F-padded) = the PAN's leftmost digits (Book 2 §5.3 step 8). */
export function issuerIdMatchesPan(id: Uint8Array, pan: Uint8Array, panOff: number, panLen: number): boolean {
  let digits = 0;
  for (let i = 0; i < 8; i++) {
    const d = nibble(id, 0, i);
    if (d === 0xf) break;
    if (i >= panLen * 2 || nibble(pan, panOff, i) !== d) return false;
    digits++;
  }
  return digits >= 3;
}

/** Recovered PAN (10 bytes, F-padded) = 5A (F-padded when odd), digit for digit (§6.4 step 8). */
export function panEquals(recovered: Uint8Array, pan: Uint8Array, panOff: number, panLen: number): boolean {
  const max = panLen * 2;
  for (let i = 0; i < 20; i++) {
    const r = nibble(recovered, 0, i);
    const p = i < max ? nibble(pan, panOff, i) : 0xf;
    if (r !== p) return false;
    if (r === 0xf) {
      // both ended: the rest of both must be padding
      for (let j = i; j < 20; j++) if (nibble(recovered, 0, j) !== 0xf) return false;
      for (let j = i; j < max; j++) if (nibble(pan, panOff, j) !== 0xf) return false;
      return true;
    }
  }
  return max <= 20 || nibble(pan, panOff, 20) === 0xf;
}

function bcd(b: number): number {
  const hi = b >> 4, lo = b & 0x0f;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

/** YY → yyyy with the EMV window (00–49 → 20YY, 50–99 → 19YY). */
function fullYear(yy: number): number {
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

/**
 * BCD YYMMDD at `buf[off]` → yyyymmdd, or −1 when not a valid date. For the transaction date 9A.
 */
export function bcdDateToNumber(buf: Uint8Array, off: number): number {
  const yy = bcd(buf[off]!), mm = bcd(buf[off + 1]!), dd = bcd(buf[off + 2]!);
  if (yy < 0 || mm < 1 || mm > 12 || dd < 1 || dd > 31) return -1;
  return fullYear(yy) * 10000 + mm * 100 + dd;
}

/** Certificate expiration MMYY at `buf[off]`: valid through the end of that month. */
export function checkExpiry(buf: Uint8Array, off: number, transactionDate: number): number {
  const mm = bcd(buf[off]!), yy = bcd(buf[off + 1]!);
  if (mm < 1 || mm > 12 || yy < 0) return OdaReason.InvalidExpiryDate;
  const certYm = fullYear(yy) * 100 + mm;
  const txnYm = Math.floor(transactionDate / 100);
  return certYm < txnYm ? OdaReason.CertificateExpired : OdaReason.Ok;
}
