/**
 * Signed parameter envelopes (src/uplink/README.md "Parameter updates"): the back office signs every
 * deny-list file, fare table, CA key set and terminal parameter set it sends, and the terminal
 * applies nothing it cannot verify.
 *
 * Wire form: a CBOR map `{ f: 'shanfu-params/1', kind, version, base, issuedAt, alg, payload, sig }`.
 * The signature covers the *signed bytes*: the deterministic CBOR (RFC 8949 §4.2.1: definite
 * lengths, shortest heads) of the array
 *   [ 'shanfu-params/1', kind, version, base, issuedAt, alg, SHA-256(payload) ]
 * built here by hand (not by cbor-x, whose map/typed-array encodings are not the deterministic
 * form), so any CBOR library can rebuild them. `sig` is Ed25519 (64 bytes) or ECDSA P-256 over
 * SHA-256 of the signed bytes, compact r‖s (64 bytes). Signing the payload's digest rather than
 * the payload keeps verification cheap for big sets (measured: noble Ed25519 verify over a 64 KiB
 * payload 10.5 ms, over the 80-byte signed bytes + node SHA-256 of 64 KiB ≈ 2 ms; an 8 MB deny
 * list would otherwise take > 1 s).
 */
import { decode, Encoder } from 'cbor-x';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { createHash } from 'node:crypto';
import { ShanfuError } from '../../kernels/util/errors.js';

export const ENVELOPE_FORMAT = 'shanfu-params/1';

/** The parameter kinds a terminal takes from the back office (one retained topic each). */
export const PARAMETER_KINDS = ['denylist', 'fares', 'capks', 'terminal'] as const;
export type ParameterKind = (typeof PARAMETER_KINDS)[number];

export type SignatureAlgorithm = 'ed25519' | 'p256';

/** A back-office key the terminal trusts (from its configuration). */
export interface TrustedKey {
  alg: SignatureAlgorithm;
  /** Ed25519: 32 bytes. P-256: SEC1 compressed (33) or uncompressed (65) point. */
  publicKey: Uint8Array;
  /** Free text for reports ("back office 2026"). */
  name?: string;
}

/**
 * A trusted key from its text form `ed25519:HEX` (32 bytes) or `p256:HEX` (SEC1, 33 or 65 bytes),
 * as a terminal's configuration or `--trust-key` gives it. Throws a TypeError naming `what`.
 */
export function parseTrustedKey(text: string, what = 'trusted key'): TrustedKey {
  const m = /^(ed25519|p256):([0-9a-fA-F]+)$/.exec(typeof text === 'string' ? text.trim() : '');
  if (!m) throw new TypeError(`${what}: expected ed25519:HEX or p256:HEX, got ${JSON.stringify(text)}`);
  const alg = m[1] as SignatureAlgorithm;
  const publicKey = Uint8Array.from(Buffer.from(m[2]!, 'hex'));
  const ok = alg === 'ed25519' ? publicKey.length === 32 && m[2]!.length === 64 : (publicKey.length === 33 || publicKey.length === 65) && m[2]!.length === publicKey.length * 2;
  if (!ok) throw new TypeError(`${what}: a ${alg} public key is ${alg === 'ed25519' ? '32' : '33 or 65'} bytes of hex, got ${m[2]!.length / 2}`);
  try {
    // Reject a point that is not on the curve now, not at the first update.
    if (alg === 'p256') p256.Point.fromBytes(publicKey);
    else ed25519.Point.fromBytes(publicKey);
  } catch {
    throw new TypeError(`${what}: not a valid ${alg} public key`);
  }
  return { alg, publicKey, name: `${alg}:${m[2]!.slice(0, 16).toLowerCase()}` };
}

/** A back-office signing key (tests, demos, `shanfu params publish`). */
export interface SigningKey {
  alg: SignatureAlgorithm;
  secretKey: Uint8Array;
}

/** The fields the back office signs. */
export interface ParameterUpdate {
  /** Parameter kind; the terminal routes it to the sink of that kind (`denylist`, `fares`, …). */
  kind: string;
  /** Version of the set after applying this update: a positive integer, strictly increasing per kind. */
  version: number;
  /** 0 for a full set; for a delta, the version it applies on (the terminal must run exactly that). */
  base: number;
  /** Epoch ms when the back office issued it. */
  issuedAt: number;
  /** The set itself (deny-list file, fare table JSON, …), opaque to the envelope. */
  payload: Uint8Array;
}

/** An update whose signature checked out. */
export interface VerifiedUpdate extends ParameterUpdate {
  alg: SignatureAlgorithm;
  /** SHA-256 of the payload, hex (reported in status so the back office sees exactly what runs). */
  sha256: string;
  /** Name of the trusted key that verified it. */
  keyName: string;
  /** The envelope as received (a sink may store it and verify it again when it loads). */
  envelope: Uint8Array;
}

const KIND_RE = /^[a-z][a-z0-9-]{0,31}$/;

function checkUpdate(u: ParameterUpdate, where: string): void {
  if (typeof u.kind !== 'string' || !KIND_RE.test(u.kind)) throw new TypeError(`${where}.kind must be a lower-case name (a-z, 0-9, -), got ${JSON.stringify(u.kind)}`);
  if (!Number.isSafeInteger(u.version) || u.version < 1) throw new RangeError(`${where}.version must be a positive integer, got ${u.version}`);
  if (!Number.isSafeInteger(u.base) || u.base < 0 || u.base >= u.version) throw new RangeError(`${where}.base must be 0 (full set) or a version below ${u.version}, got ${u.base}`);
  if (!Number.isSafeInteger(u.issuedAt) || u.issuedAt < 0) throw new RangeError(`${where}.issuedAt must be epoch milliseconds, got ${u.issuedAt}`);
  if (!(u.payload instanceof Uint8Array)) throw new TypeError(`${where}.payload must be a Uint8Array`);
}

// --- deterministic CBOR for the signed bytes (RFC 8949 §4.2.1) ---

function head(major: number, n: number, out: number[]): void {
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 0x100000000);
    const lo = n >>> 0;
    out.push(m | 27, hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

/** SHA-256 of a payload (node's OpenSSL: ~8× noble's JS for big sets). */
export function payloadDigest(payload: Uint8Array): Uint8Array {
  return createHash('sha256').update(payload).digest();
}

/** The bytes the back office signs for `u` (see the file comment); `digest` = payloadDigest(u.payload). */
export function signedBytes(u: ParameterUpdate, alg: SignatureAlgorithm, digest = payloadDigest(u.payload)): Uint8Array {
  const out: number[] = [];
  const text = (s: string) => {
    const b = new TextEncoder().encode(s);
    head(3, b.length, out);
    for (const x of b) out.push(x);
  };
  head(4, 7, out);
  text(ENVELOPE_FORMAT);
  text(u.kind);
  head(0, u.version, out);
  head(0, u.base, out);
  head(0, u.issuedAt, out);
  text(alg);
  head(2, digest.length, out);
  for (const x of digest) out.push(x);
  return Uint8Array.from(out);
}

// cbor-x: byte strings as plain CBOR byte strings (major type 2), not tag 64.
const encoder = new Encoder({ tagUint8Array: false, useRecords: false });

function sign(alg: SignatureAlgorithm, msg: Uint8Array, secretKey: Uint8Array): Uint8Array {
  // P-256: ECDSA over SHA-256 (noble prehashes by default), low-S, compact r‖s.
  return alg === 'ed25519' ? ed25519.sign(msg, secretKey) : p256.sign(msg, secretKey);
}

/** Signs an update and returns the envelope bytes to publish (retained) on the kind's topic. */
export function sealParameters(u: ParameterUpdate, key: SigningKey): Uint8Array {
  checkUpdate(u, 'update');
  if (key.alg !== 'ed25519' && key.alg !== 'p256') throw new TypeError(`key.alg must be 'ed25519' or 'p256', got ${JSON.stringify(key.alg)}`);
  const sig = sign(key.alg, signedBytes(u, key.alg), key.secretKey);
  return encoder.encode({ f: ENVELOPE_FORMAT, kind: u.kind, version: u.version, base: u.base, issuedAt: u.issuedAt, alg: key.alg, payload: Buffer.from(u.payload), sig: Buffer.from(sig) });
}

/** A new back-office key pair (tests, demos). */
export function generateSigningKey(alg: SignatureAlgorithm = 'ed25519'): { signingKey: SigningKey; trustedKey: TrustedKey } {
  const curve = alg === 'ed25519' ? ed25519 : p256;
  const secretKey = curve.utils.randomSecretKey();
  return { signingKey: { alg, secretKey }, trustedKey: { alg, publicKey: curve.getPublicKey(secretKey) } };
}

/** The public key of a signing key. */
export function publicKeyOf(key: SigningKey): TrustedKey {
  return { alg: key.alg, publicKey: (key.alg === 'ed25519' ? ed25519 : p256).getPublicKey(key.secretKey) };
}

function reject(reason: string, message: string): never {
  throw new ShanfuError(`params.${reason}`, message);
}

/** A CBOR integer as a number: other encoders write large values as uint64, which cbor-x decodes to bigint. */
function num(v: unknown): unknown {
  return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : v;
}

function decodeEnvelope(bytes: Uint8Array): Record<string, unknown> {
  let e: Record<string, unknown>;
  try {
    e = decode(bytes) as Record<string, unknown>;
  } catch (err) {
    reject('malformed', `parameter envelope is not CBOR (${(err as Error).message})`);
  }
  if (typeof e !== 'object' || e === null || e.f !== ENVELOPE_FORMAT) reject('malformed', `not a ${ENVELOPE_FORMAT} envelope`);
  return e;
}

/**
 * What an envelope *claims* (kind, version, base), without verifying it: for routing it to a topic
 * and for naming a rejected update in reports. Throws ShanfuError `params.malformed`.
 */
export function peekParameters(bytes: Uint8Array): { kind: string | null; version: number | null; base: number } {
  const e = decodeEnvelope(bytes);
  const version = num(e.version);
  const base = num(e.base);
  return {
    kind: typeof e.kind === 'string' ? e.kind : null,
    version: typeof version === 'number' ? version : null,
    base: typeof base === 'number' ? base : 0,
  };
}

/**
 * Decodes and verifies an envelope against the trusted keys. Throws ShanfuError with code
 * `params.malformed` (not an envelope) or `params.bad-signature` (no trusted key verifies it).
 * Version and kind policy (downgrade, wrong kind) is the downloader's job.
 */
export function openParameters(bytes: Uint8Array, trusted: readonly TrustedKey[]): VerifiedUpdate {
  const e = decodeEnvelope(bytes);
  const u = { kind: e.kind, version: num(e.version), base: num(e.base), issuedAt: num(e.issuedAt), payload: e.payload } as ParameterUpdate;
  try {
    checkUpdate(u, 'envelope');
  } catch (err) {
    reject('malformed', (err as Error).message);
  }
  const alg = e.alg;
  if (alg !== 'ed25519' && alg !== 'p256') reject('malformed', `envelope.alg must be 'ed25519' or 'p256', got ${JSON.stringify(alg)}`);
  const sig = e.sig;
  if (!(sig instanceof Uint8Array) || sig.length !== 64) reject('malformed', 'envelope.sig must be 64 bytes');
  const digest = payloadDigest(u.payload);
  const msg = signedBytes(u, alg, digest);
  for (const k of trusted) {
    if (k.alg !== alg) continue;
    let ok = false;
    try {
      // lowS: false accepts high-S P-256 signatures from other signers (OpenSSL, HSMs); both forms are valid ECDSA.
      ok = alg === 'ed25519' ? ed25519.verify(sig, msg, k.publicKey) : p256.verify(sig, msg, k.publicKey, { lowS: false });
    } catch {
      ok = false;
    }
    if (ok) {
      return { ...u, payload: new Uint8Array(u.payload), alg, envelope: new Uint8Array(bytes), sha256: Buffer.from(digest).toString('hex'), keyName: k.name ?? `${alg}:${Buffer.from(k.publicKey).toString('hex').slice(0, 16)}` };
    }
  }
  reject('bad-signature', `${u.kind} v${u.version}: signature does not verify with any trusted ${alg} key (tampered, or signed by a key this terminal does not trust)`);
}
