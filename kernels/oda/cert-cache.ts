/**
 * Issuer public key cache: a card series shares one issuer certificate, so a repeat card can skip
 * the CA-key recovery of tag 90 (the most expensive RSA operation of the chain, 1984-bit with the
 * UnionPay CA keys) and the R² precomputation of the issuer key.
 *
 * Key = RID + CA index + the exact bytes of 90, 92 and 9F32. The certificate bytes contain the
 * serial number and the hash, so this is "RID + index + serial + hash of the certificate" without
 * computing anything before the lookup; a 32-bit fingerprint of the certificate skips most byte
 * comparisons. Only certificates whose signature and hash verified are stored; the checks that
 * depend on the card or the day (issuer id vs PAN, expiry, revocation) are re-run on every hit.
 * Bounded: `capacity` preallocated slots, least recently used replaced. Allocation-free after
 * construction.
 */
import { RsaKey } from './rsa.js';

export class IssuerCacheSlot {
  used = false;
  stamp = 0;
  fingerprint = 0;
  readonly rid = new Uint8Array(5);
  index = 0;
  readonly cert: Uint8Array;
  certLen = 0;
  readonly remainder: Uint8Array;
  /** −1 when 92 was absent. */
  remainderLen = -1;
  readonly exponent = new Uint8Array(3);
  exponentLen = 0;
  readonly key: RsaKey;
  readonly issuerId = new Uint8Array(4);
  readonly expiry = new Uint8Array(2);
  readonly serial = new Uint8Array(3);
  constructor(maxBytes: number) {
    this.cert = new Uint8Array(maxBytes);
    this.remainder = new Uint8Array(maxBytes);
    this.key = new RsaKey(maxBytes);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, bOff: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[i] !== b[bOff + i]) return false;
  return true;
}

/** Fingerprint of a certificate: bytes 0–3 xor the last 4 (RSA output: uniformly spread). */
export function certFingerprint(buf: Uint8Array, off: number, len: number): number {
  if (len < 8) return len;
  const e = off + len - 4;
  return ((buf[off]! ^ buf[e]!) << 24) | ((buf[off + 1]! ^ buf[e + 1]!) << 16) | ((buf[off + 2]! ^ buf[e + 2]!) << 8) | (buf[off + 3]! ^ buf[e + 3]!);
}

export class IssuerKeyCache {
  readonly slots: IssuerCacheSlot[] = [];
  private clock = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly capacity = 8,
    maxBytes = 256,
  ) {
    for (let i = 0; i < capacity; i++) this.slots.push(new IssuerCacheSlot(maxBytes));
  }

  /** The slot holding this exact certificate, or null. */
  find(
    rid: Uint8Array, ridOff: number, index: number,
    cert: Uint8Array, certOff: number, certLen: number,
    rem: Uint8Array, remOff: number, remLen: number,
    exp: Uint8Array, expOff: number, expLen: number,
  ): IssuerCacheSlot | null {
    const fp = certFingerprint(cert, certOff, certLen);
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (!s.used || s.fingerprint !== fp || s.index !== index || s.certLen !== certLen || s.remainderLen !== remLen || s.exponentLen !== expLen) continue;
      if (!sameBytes(s.rid, rid, ridOff, 5) || !sameBytes(s.cert, cert, certOff, certLen) || !sameBytes(s.exponent, exp, expOff, expLen)) continue;
      if (remLen > 0 && !sameBytes(s.remainder, rem, remOff, remLen)) continue;
      s.stamp = ++this.clock;
      this.hits++;
      return s;
    }
    this.misses++;
    return null;
  }

  /**
   * Claims the least recently used slot for a certificate and records its identity; the caller
   * then sets `slot.key` and the recovered fields. The slot is marked unused until `commit`.
   */
  claim(
    rid: Uint8Array, ridOff: number, index: number,
    cert: Uint8Array, certOff: number, certLen: number,
    rem: Uint8Array, remOff: number, remLen: number,
    exp: Uint8Array, expOff: number, expLen: number,
  ): IssuerCacheSlot | null {
    const slots = this.slots;
    if (slots.length === 0 || expLen > 3 || certLen > slots[0]!.cert.length || remLen > slots[0]!.remainder.length) return null;
    let victim = slots[0]!;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (!s.used) {
        victim = s;
        break;
      }
      if (s.stamp < victim.stamp) victim = s;
    }
    victim.used = false;
    victim.fingerprint = certFingerprint(cert, certOff, certLen);
    for (let i = 0; i < 5; i++) victim.rid[i] = rid[ridOff + i]!;
    victim.index = index;
    for (let i = 0; i < certLen; i++) victim.cert[i] = cert[certOff + i]!;
    victim.certLen = certLen;
    for (let i = 0; i < remLen; i++) victim.remainder[i] = rem[remOff + i]!;
    victim.remainderLen = remLen;
    for (let i = 0; i < expLen; i++) victim.exponent[i] = exp[expOff + i]!;
    victim.exponentLen = expLen;
    return victim;
  }

  commit(slot: IssuerCacheSlot): void {
    slot.used = true;
    slot.stamp = ++this.clock;
  }

  clear(): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i]!.used = false;
    this.hits = 0;
    this.misses = 0;
  }
}
