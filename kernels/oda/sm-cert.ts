/**
 * PBOC SM2/SM3 offline data authentication: issuer certificate (format 12), ICC certificate
 * (format 14), signed static application data (format 13) and signed dynamic application data
 * (format 15) (JR/T 0025.17; layouts in qpboc-facts §3.1, verified against the CardPlatform
 * samples in §3.6).
 *
 * Unlike RSA, SM data objects are not recovered: each is plain data followed by an SM2
 * signature r ‖ s (64 bytes) over "everything before the signature" plus, where the format says
 * so, static or terminal dynamic data. Signatures use the default user ID 1234567812345678.
 *
 * Each step is one function over (buffer, offset, length) views that fills a reusable record in
 * an `SmOdaContext` and returns null (passed) or a stable reason string from `SmFailure`. Card
 * data never throws. SM2 verification allocates nothing (sm2-ecc.ts); the ICC key is loaded into
 * one reusable key object per context; the only allocation is the issuer key object (and its
 * table) on a cache miss.
 */
import { Sm2PublicKey, SM2_ISSUER_WINDOW, sm2VerifyView } from './sm2.js';
import type { SmCapk, SmRevocationList } from './sm-capk.js';
import { bytesEqual } from '../util/hex.js';

/** Format bytes (qpboc-facts §3.1). */
export const SM_FORMAT_ISSUER = 0x12;
export const SM_FORMAT_SSAD = 0x13;
export const SM_FORMAT_ICC = 0x14;
export const SM_FORMAT_SDAD = 0x15;
/** Algorithm indicator (byte 10 / 16) as in the samples and the UnionPay SM CAPK (DF07 = 04). */
export const SM_HASH_INDICATOR = 0x04;
/** Public-key algorithm indicator (byte 12 / 18) = SM2 (CAPK DF38 = 11). */
export const SM_PK_ALGORITHM_INDICATOR = 0x11;
/** The only key length in use: SM2-256 x ‖ y. */
export const SM_KEY_LENGTH = 0x40;
export const SM_SIGNATURE_LENGTH = 64;
/** 12 | id(4) | MMYY | serial(3) | 04 | 00 | 11 | 40 | key(64) | sig(64) */
export const SM_ISSUER_CERT_LENGTH = 14 + 64 + 64;
/** 14 | PAN(10) | MMYY | serial(3) | 04 | 00 | 11 | 40 | key(64) | sig(64) */
export const SM_ICC_CERT_LENGTH = 20 + 64 + 64;
/** 13 | DAC(2) | sig(64) */
export const SM_SSAD_LENGTH = 3 + 64;

/** Reasons (stable strings; `stage:reason` in CLI output). */
export const SmFailure = {
  MissingData: 'missing data',
  Length: 'wrong length',
  Format: 'wrong format',
  Algorithm: 'unknown algorithm indicator',
  KeyLength: 'unsupported public key length',
  Signature: 'signature invalid',
  IssuerId: 'issuer id does not match PAN',
  Pan: 'PAN does not match certificate',
  BadDate: 'invalid expiry date',
  Expired: 'expired',
  Revoked: 'certificate revoked',
  BadKey: 'public key not on curve',
  DynamicData: 'malformed ICC dynamic data',
  NoKey: 'no verified key for this step',
} as const;
export type SmFailureReason = (typeof SmFailure)[keyof typeof SmFailure];

export class SmIssuerCertificate {
  readonly issuerId = new Uint8Array(4);
  /** MMYY, BCD. */
  readonly expiry = new Uint8Array(2);
  readonly serial = new Uint8Array(3);
  key: Sm2PublicKey | null = null;
  /** True when the signature check was skipped because the cache held the same certificate. */
  fromCache = false;
}

export class SmIccCertificate {
  /** Application PAN as in the certificate, F-padded. */
  readonly pan = new Uint8Array(10);
  readonly expiry = new Uint8Array(2);
  readonly serial = new Uint8Array(3);
  /** The ICC key after a successful check: `keySlot`, refilled on every tap (copy `bytes` to keep it). */
  key: Sm2PublicKey | null = null;
  /** One key object per context for the ICC key of each card (no allocation per tap). */
  readonly keySlot = Sm2PublicKey.reusable();
}

export class SmSignedDynamicData {
  /** ICC Dynamic Number (9F4C), first `iccDynamicNumberLength` bytes. */
  readonly iccDynamicNumber = new Uint8Array(8);
  iccDynamicNumberLength = 0;
}

/**
 * Per-terminal working state: set the inputs, then run the steps in order. Allocate once, reuse
 * for every tap.
 */
export class SmOdaContext {
  /** Inputs. */
  rid = new Uint8Array(5);
  capk: SmCapk | null = null;
  /** 5A value (BCD, may be F-padded) in `pan[0, panLength)`. */
  readonly pan = new Uint8Array(10);
  panLength = 0;
  /** YYMMDD as a number (9A), e.g. 250101. */
  transactionDate = 0;
  revocation: SmRevocationList | null = null;
  issuerCache: SmIssuerKeyCache | null = null;
  /** Outputs. */
  readonly issuer = new SmIssuerCertificate();
  readonly icc = new SmIccCertificate();
  /** Data Authentication Code from the SSAD (format 13 bytes 1–2). */
  readonly dac = new Uint8Array(2);
  readonly sdad = new SmSignedDynamicData();

  /** Sets the PAN from a 5A value. */
  setPan(buf: Uint8Array, off = 0, len = buf.length - off): void {
    const n = len > 10 ? 10 : len;
    for (let i = 0; i < n; i++) this.pan[i] = buf[off + i]!;
    this.panLength = n;
  }

  /** Clears the outputs before a new card. */
  resetOutputs(): void {
    this.issuer.key = null;
    this.issuer.fromCache = false;
    this.icc.key = null;
    this.sdad.iccDynamicNumberLength = 0;
  }
}

// ---------------------------------------------------------------- issuer certificate (90)

/**
 * Verifies the SM issuer public-key certificate (format 12) with the CA key
 * (JR/T 0025.17; EMV Book 2 §5.3 checks carried over):
 * length, format, algorithm indicators, key length, SM2 signature over bytes[0..78),
 * issuer id vs PAN, expiry, revocation (RID ‖ index ‖ serial), key on the curve.
 */
export function verifySmIssuerCertificate(ctx: SmOdaContext, cert: Uint8Array, off: number, len: number): SmFailureReason | null {
  const out = ctx.issuer;
  out.key = null;
  out.fromCache = false;
  const capk = ctx.capk;
  if (capk === null) return SmFailure.NoKey;
  if (len !== SM_ISSUER_CERT_LENGTH || off + len > cert.length) return SmFailure.Length;
  if (cert[off] !== SM_FORMAT_ISSUER) return SmFailure.Format;
  if (cert[off + 10] !== SM_HASH_INDICATOR || cert[off + 12] !== SM_PK_ALGORITHM_INDICATOR) return SmFailure.Algorithm;
  if (cert[off + 13] !== SM_KEY_LENGTH) return SmFailure.KeyLength;
  copy(cert, off + 1, out.issuerId, 4);
  copy(cert, off + 5, out.expiry, 2);
  copy(cert, off + 7, out.serial, 3);

  const cache = ctx.issuerCache;
  const cached = cache === null ? null : cache.lookup(capk, cert, off);
  let key: Sm2PublicKey | null;
  if (cached !== null) {
    key = cached;
    out.fromCache = true;
  } else {
    if (!sm2VerifyView(capk.key, capk.key.z(), cert, off, 78, null, 0, 0, cert, off + 78)) return SmFailure.Signature;
    key = null; // parsed after the field checks
  }
  if (!issuerIdMatchesPan(cert, off + 1, ctx.pan, ctx.panLength)) return SmFailure.IssuerId;
  const exp = expiryCheck(cert, off + 5, ctx.transactionDate);
  if (exp !== null) return exp;
  if (ctx.revocation !== null && ctx.revocation.has(capk.rid, 0, capk.index, cert, off + 7)) return SmFailure.Revoked;
  if (key === null) {
    key = Sm2PublicKey.tryFrom(cert, off + 14, 64);
    if (key === null) return SmFailure.BadKey;
    if (cache !== null) cache.store(capk, cert, off, key);
  }
  out.key = key;
  return null;
}

// ---------------------------------------------------------------- ICC certificate (9F46)

/**
 * Verifies the SM ICC public-key certificate (format 14) with the issuer key from
 * `ctx.issuer.key`. Signed message = bytes[0..84) ‖ static data to be authenticated
 * (AFL records ‖ AIP when 9F4A lists 82; qpboc-facts §2.6), hashed without concatenation.
 */
export function verifySmIccCertificate(
  ctx: SmOdaContext, cert: Uint8Array, off: number, len: number,
  staticData: Uint8Array, sdOff: number, sdLen: number,
): SmFailureReason | null {
  const out = ctx.icc;
  out.key = null;
  const issuerKey = ctx.issuer.key;
  if (issuerKey === null) return SmFailure.NoKey;
  if (len !== SM_ICC_CERT_LENGTH || off + len > cert.length) return SmFailure.Length;
  if (cert[off] !== SM_FORMAT_ICC) return SmFailure.Format;
  if (cert[off + 16] !== SM_HASH_INDICATOR || cert[off + 18] !== SM_PK_ALGORITHM_INDICATOR) return SmFailure.Algorithm;
  if (cert[off + 19] !== SM_KEY_LENGTH) return SmFailure.KeyLength;
  copy(cert, off + 1, out.pan, 10);
  copy(cert, off + 11, out.expiry, 2);
  copy(cert, off + 13, out.serial, 3);
  if (!sm2VerifyView(issuerKey, issuerKey.z(), cert, off, 84, staticData, sdOff, sdLen, cert, off + 84)) return SmFailure.Signature;
  if (!panEquals(cert, off + 1, 10, ctx.pan, 0, ctx.panLength)) return SmFailure.Pan;
  const exp = expiryCheck(cert, off + 11, ctx.transactionDate);
  if (exp !== null) return exp;
  if (!out.keySlot.load(cert, off + 20, 64)) return SmFailure.BadKey;
  out.key = out.keySlot;
  return null;
}

// ---------------------------------------------------------------- SSAD (93)

/**
 * Verifies SM signed static application data (format 13, SDA) with the issuer key:
 * `13 | DAC(2) | r ‖ s`, signed message = bytes[0..3) ‖ static data (qpboc-facts §3.1 [S: CP]).
 */
export function verifySmSsad(
  ctx: SmOdaContext, ssad: Uint8Array, off: number, len: number,
  staticData: Uint8Array, sdOff: number, sdLen: number,
): SmFailureReason | null {
  const issuerKey = ctx.issuer.key;
  if (issuerKey === null) return SmFailure.NoKey;
  if (len !== SM_SSAD_LENGTH || off + len > ssad.length) return SmFailure.Length;
  if (ssad[off] !== SM_FORMAT_SSAD) return SmFailure.Format;
  copy(ssad, off + 1, ctx.dac, 2);
  if (!sm2VerifyView(issuerKey, issuerKey.z(), ssad, off, 3, staticData, sdOff, sdLen, ssad, off + 3)) return SmFailure.Signature;
  return null;
}

// ---------------------------------------------------------------- SDAD (9F4B)

/**
 * Verifies SM signed dynamic application data (format 15; DDA / fDDA) with the ICC key:
 * `15 | L_DD | ICC dynamic data (L_DD) | r ‖ s`, signed message = bytes[0..2+L_DD) ‖ terminal
 * dynamic data (fDDA 00: 9F37; fDDA 01: 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69; DDA: the DDOL data).
 * ICC dynamic data starts `len(1) ‖ ICC Dynamic Number` (EMV Book 2 §6.5.2; for qPBOC the ATC).
 */
export function verifySmSdad(
  ctx: SmOdaContext, sdad: Uint8Array, off: number, len: number,
  terminalData: Uint8Array, tdOff: number, tdLen: number,
): SmFailureReason | null {
  const out = ctx.sdad;
  out.iccDynamicNumberLength = 0;
  const iccKey = ctx.icc.key;
  if (iccKey === null) return SmFailure.NoKey;
  if (len < 2 + SM_SIGNATURE_LENGTH || off + len > sdad.length) return SmFailure.Length;
  if (sdad[off] !== SM_FORMAT_SDAD) return SmFailure.Format;
  const ldd = sdad[off + 1]!;
  if (len !== 2 + ldd + SM_SIGNATURE_LENGTH) return SmFailure.Length;
  const idnLen = ldd > 0 ? sdad[off + 2]! : 0;
  if (ldd === 0 || idnLen < 2 || idnLen > 8 || 1 + idnLen > ldd) return SmFailure.DynamicData;
  if (!sm2VerifyView(iccKey, iccKey.z(), sdad, off, 2 + ldd, terminalData, tdOff, tdLen, sdad, off + 2 + ldd)) return SmFailure.Signature;
  copy(sdad, off + 3, out.iccDynamicNumber, idnLen);
  out.iccDynamicNumberLength = idnLen;
  return null;
}

// ---------------------------------------------------------------- verified issuer keys

/**
 * Verified issuer keys keyed by RID ‖ CA index ‖ certificate serial (qpboc-facts §5: "issuer PK
 * cache keyed by RID+index+serial"). A hit also requires the whole certificate to be
 * byte-identical, so a different certificate under a reused serial is verified afresh.
 * Expiry, PAN and revocation are still checked on every tap.
 *
 * Issuer keys get a fixed-base table (W = 6, 88 KB; it makes the ICC-certificate verification
 * ~4× cheaper, figures in kernels/qpboc/README.md). The table is built off the tap: `store`
 * queues the key and schedules `buildPendingTables` with setImmediate, which runs once the tap's
 * synchronous work has returned to the event loop. A host that never yields between taps (a
 * synchronous benchmark loop) still gets the table: a key found in the cache without one is
 * precomputed in the tap at its `precomputeAfter`-th use (the earlier behaviour).
 */
export class SmIssuerKeyCache {
  private readonly capacity: number;
  private readonly certs: Uint8Array[] = [];
  private readonly capks: SmCapk[] = [];
  private readonly keys: Sm2PublicKey[] = [];
  private readonly uses: number[] = [];
  private clock = 0;
  private readonly lastUse: number[] = [];
  private readonly pending: Sm2PublicKey[] = [];
  private scheduled = false;
  /** Use at which a key still without a table gets one in the tap. */
  private readonly precomputeAfter: number;

  /**
   * @param capacity keys kept (least recently used replaced)
   * @param precomputeAfter use at which a key still without a table gets one in the tap
   * @param deferTables build tables off the tap (setImmediate) as soon as a key is stored
   */
  constructor(capacity = 64, precomputeAfter = 2, private readonly deferTables = true) {
    this.precomputeAfter = precomputeAfter;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Builds the tables of stored keys that have none yet; returns how many were built. */
  buildPendingTables(): number {
    let built = 0;
    while (this.pending.length > 0) {
      const key = this.pending.pop()!;
      if (!key.isPrecomputed && this.keys.includes(key)) {
        key.precompute(SM2_ISSUER_WINDOW);
        built++;
      }
    }
    return built;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key certified by `cert[off, +142)` under `capk`, when the same certificate was verified before. */
  lookup(capk: SmCapk, cert: Uint8Array, off: number): Sm2PublicKey | null {
    for (let i = 0; i < this.keys.length; i++) {
      const c = this.certs[i]!;
      // serial first (bytes 7..9), then the rest
      if (this.capks[i] === capk && bytesEqual(c, 7, cert, off + 7, 3) && bytesEqual(c, 0, cert, off, SM_ISSUER_CERT_LENGTH)) {
        this.lastUse[i] = ++this.clock;
        const key = this.keys[i]!;
        if (++this.uses[i]! >= this.precomputeAfter && !key.isPrecomputed) key.precompute(SM2_ISSUER_WINDOW);
        return key;
      }
    }
    return null;
  }

  store(capk: SmCapk, cert: Uint8Array, off: number, key: Sm2PublicKey): void {
    const copyOfCert = cert.slice(off, off + SM_ISSUER_CERT_LENGTH);
    // Same RID ‖ index ‖ serial: replace.
    let slot = -1;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.capks[i] === capk && bytesEqual(this.certs[i]!, 7, cert, off + 7, 3)) slot = i;
    }
    if (slot < 0 && this.keys.length < this.capacity) slot = this.keys.length;
    if (slot < 0) {
      slot = 0; // least recently used
      for (let i = 1; i < this.keys.length; i++) if (this.lastUse[i]! < this.lastUse[slot]!) slot = i;
    }
    this.certs[slot] = copyOfCert;
    this.capks[slot] = capk;
    this.keys[slot] = key;
    this.uses[slot] = 1;
    this.lastUse[slot] = ++this.clock;
    if (this.deferTables && !key.isPrecomputed) {
      this.pending.push(key);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.buildPendingTables();
        }).unref();
      }
    }
  }

  clear(): void {
    this.pending.length = 0;
    this.certs.length = 0;
    this.capks.length = 0;
    this.keys.length = 0;
    this.uses.length = 0;
    this.lastUse.length = 0;
  }
}

// ---------------------------------------------------------------- field checks

function copy(src: Uint8Array, off: number, dst: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] = src[off + i]!;
}

/** Nibble `i` of `buf[off, off+len)`, 0xF beyond the end (F padding). */
function nibble(buf: Uint8Array, off: number, len: number, i: number): number {
  const byte = i >> 1;
  if (byte >= len) return 0xf;
  const b = buf[off + byte]!;
  return (i & 1) === 0 ? b >> 4 : b & 0xf;
}

/**
 * Issuer identifier (4 bytes cn: leftmost 3–8 PAN digits, F-padded) equals the PAN's leading
 * digits (EMV Book 2 §5.3 step 7).
 */
export function issuerIdMatchesPan(id: Uint8Array, idOff: number, pan: Uint8Array, panLen: number): boolean {
  let digits = 0;
  for (let i = 0; i < 8; i++) {
    const d = nibble(id, idOff, 4, i);
    if (d === 0xf) {
      for (let j = i + 1; j < 8; j++) if (nibble(id, idOff, 4, j) !== 0xf) return false;
      break;
    }
    if (d > 9 || d !== nibble(pan, 0, panLen, i)) return false;
    digits++;
  }
  return digits >= 3;
}

/** The certificate PAN (F-padded) and the 5A PAN have the same digits (EMV Book 2 §6.4 step 8). */
export function panEquals(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): boolean {
  const n = 2 * (aLen > bLen ? aLen : bLen);
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const x = nibble(a, aOff, aLen, i);
    const y = nibble(b, bOff, bLen, i);
    if (x !== y) return false;
    if (x === 0xf) {
      // padding must run to the end on both sides
      for (let j = i + 1; j < n; j++) if (nibble(a, aOff, aLen, j) !== 0xf || nibble(b, bOff, bLen, j) !== 0xf) return false;
      break;
    }
    if (x > 9) return false;
    digits++;
  }
  return digits > 0;
}

/**
 * Certificate expiry MMYY (BCD) is valid through the end of that month; the transaction date
 * is YYMMDD. Years use the EMV window YY < 50 → 20YY (EMV Book 2 §5.3 step 8).
 */
export function expiryCheck(buf: Uint8Array, off: number, transactionDate: number): SmFailureReason | null {
  const mm = bcdByte(buf[off]!);
  const yy = bcdByte(buf[off + 1]!);
  if (mm < 1 || mm > 12 || yy < 0) return SmFailure.BadDate;
  const certMonth = (yy < 50 ? 2000 + yy : 1900 + yy) * 100 + mm;
  const tYy = Math.floor(transactionDate / 10000);
  const tMm = Math.floor(transactionDate / 100) % 100;
  const txnMonth = (tYy < 50 ? 2000 + tYy : 1900 + tYy) * 100 + tMm;
  return txnMonth > certMonth ? SmFailure.Expired : null;
}

function bcdByte(b: number): number {
  const hi = b >> 4;
  const lo = b & 0xf;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}
