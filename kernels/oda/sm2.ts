/**
 * SM2 digital signature verification (GB/T 32918.2-2016 §7) on the recommended curve sm2p256v1
 * (GB/T 32918.5-2017).
 *
 * SM2 is not ECDSA: e = SM3(Z ‖ M) with Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ Gx ‖ Gy ‖ xP ‖ yP)
 * (§5.5), and the check is (e + x1) mod n == r with (x1, y1) = s·G + t·P, t = (r + s) mod n.
 *
 * The verification path uses no BigInt and allocates nothing (sm2-ecc.ts: 16-bit limbs in
 * Float64Arrays with the special form of p, Jacobian points, fixed-base tables, wNAF).
 * `Sm2PublicKey` caches Z for the default ID and, once `precompute()` is called (CA keys: W = 8;
 * cached issuer keys: W = 6), a fixed-base table for P so t·P costs additions only; G always has
 * its own W = 8 table. Keys seen once (ICC keys) use wNAF. Figures: bench/sm.bench.ts and
 * kernels/qpboc/README.md "Tests and figures".
 *
 * @noble/curves' generic Weierstrass curve (`Sm2Point`) stays as the BigInt reference: signing
 * (test PKI only), key derivation and the cross-checks in sm2.test.ts / sm2-ecc.test.ts.
 */
import { weierstrass, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { Sm3 } from './sm3.js';
import { baseTable, fe, FixedBaseTable, readPoint, verifyDigest, type Fe } from './sm2-ecc.js';
import { fromHex } from '../util/hex.js';

/** sm2p256v1 (GB/T 32918.5 §3; qpboc-facts §3.3). */
export const SM2_CURVE = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
  h: 1n,
});

/** The curve's point constructor (projective coordinates, bigint field). */
export const Sm2Point = weierstrass<bigint>(SM2_CURVE);
type Point = WeierstrassPoint<bigint>;

const N = SM2_CURVE.n;

/** Default user ID (GB/T 35276 / GM/T 0009; PBOC uses it, ENTL = 0x0080): ASCII "1234567812345678". */
export const SM2_DEFAULT_USER_ID: Uint8Array = new TextEncoder().encode('1234567812345678'); // do not modify

/**
 * Window for CA keys: table 270 KB, built once at configuration. Window for cached issuer keys:
 * 88 KB. Measured verify and build figures: see `precompute`.
 */
export const SM2_CA_WINDOW = 8;
export const SM2_ISSUER_WINDOW = 6;

/** a ‖ b ‖ Gx ‖ Gy, the constant middle of the Z input (§5.5). */
const CURVE_BYTES = new Uint8Array(128);
writeBig(CURVE_BYTES, 0, SM2_CURVE.a);
writeBig(CURVE_BYTES, 32, SM2_CURVE.b);
writeBig(CURVE_BYTES, 64, SM2_CURVE.Gx);
writeBig(CURVE_BYTES, 96, SM2_CURVE.Gy);

// Scratch for the verify path (module-level, reused: the kernel is single-threaded).
const hasher = new Sm3();
const zHasher = new Sm3();
const eBuf = new Uint8Array(32);
const entl = new Uint8Array(2);

/**
 * An SM2 public key checked to be a point on sm2p256v1 (GB/T 32918.1 §6.2.2: coordinates in
 * [0, p), on the curve, not infinity). Caches Z for the default ID and, after `precompute()`,
 * a fixed-base table for the point.
 */
export class Sm2PublicKey {
  /** x ‖ y, 64 bytes. */
  readonly bytes: Uint8Array;
  /** Affine coordinates as field limbs (sm2-ecc.ts). */
  readonly qx: Fe = fe();
  readonly qy: Fe = fe();
  private zDefault = new Uint8Array(32);
  private zValid = false;
  private table: FixedBaseTable | null = null;
  private nobleCache: Point | null = null;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /**
   * Reads x ‖ y (64 bytes) or 04 ‖ x ‖ y (65 bytes) at `buf[off, off+len)`. Returns null when the
   * bytes are not a valid point (card data: an outcome, not an exception).
   */
  static tryFrom(buf: Uint8Array, off = 0, len = buf.length - off): Sm2PublicKey | null {
    const k = new Sm2PublicKey(new Uint8Array(64));
    return k.load(buf, off, len) ? k : null;
  }

  /**
   * A key object to be refilled with `load` (one per context, e.g. the ICC key of each tap):
   * no allocation per card. Holds no valid key until `load` returns true.
   */
  static reusable(): Sm2PublicKey {
    return new Sm2PublicKey(new Uint8Array(64));
  }

  /**
   * Replaces this key with the point at `buf[off, off+len)` (same formats as `tryFrom`) and drops
   * its cached Z and table. Returns false, leaving the key unusable, for an invalid point.
   * Only for keys from `reusable()`: a key held elsewhere (cache, CA store) must not change.
   */
  load(buf: Uint8Array, off = 0, len = buf.length - off): boolean {
    this.zValid = false;
    this.table = null;
    this.nobleCache = null;
    this.bytes.fill(0);
    if (len === 65 && buf[off] === 0x04) {
      off++;
      len--;
    }
    if (len !== 64 || off < 0 || off + 64 > buf.length) return false;
    if (!readPoint(this.qx, this.qy, buf, off)) return false;
    for (let i = 0; i < 64; i++) this.bytes[i] = buf[off + i]!;
    return true;
  }

  /** Like `tryFrom`, but throws a TypeError naming `what` for an invalid key (configuration, CLI). */
  static from(bytes: Uint8Array | string, what = 'publicKey'): Sm2PublicKey {
    const b = typeof bytes === 'string' ? fromHex(bytes, what) : bytes;
    if (b.length !== 64 && !(b.length === 65 && b[0] === 0x04)) {
      throw new TypeError(`${what}: an SM2 public key is 64 bytes x‖y or 65 bytes 04‖x‖y, got ${b.length}`);
    }
    const k = Sm2PublicKey.tryFrom(b, 0, b.length);
    if (!k) throw new TypeError(`${what}: not a point on sm2p256v1`);
    return k;
  }

  /** Affine x as a bigint (allocates; not used on the verification path). */
  get x(): bigint {
    return readBig(this.bytes, 0, 32);
  }

  get y(): bigint {
    return readBig(this.bytes, 32, 32);
  }

  /** The key as a @noble/curves point (reference arithmetic; built on first use). */
  get point(): Point {
    if (this.nobleCache === null) this.nobleCache = Sm2Point.fromAffine({ x: this.x, y: this.y });
    return this.nobleCache;
  }

  /**
   * Builds a fixed-base table so t·P costs ⌈257/W⌉ mixed additions and no doubling. For keys used
   * many times: CA keys (W = 8, the default) and cached issuer keys (W = 6). Also builds G's table
   * (once per process) so the first tap does not pay for it. Table sizes, build times and verify
   * rates: bench/sm.bench.ts (sm-sm2) and kernels/qpboc/README.md.
   */
  precompute(window = SM2_CA_WINDOW): this {
    baseTable();
    if (this.table === null || this.table.window < window) this.table = new FixedBaseTable(window, this.qx, this.qy);
    return this;
  }

  get isPrecomputed(): boolean {
    return this.table !== null;
  }

  /** Bytes held by the precomputed table (0 without one). */
  get tableBytes(): number {
    return this.table === null ? 0 : this.table.byteLength;
  }

  /** @internal the fixed-base table or null (for sm2VerifyView). */
  get fixedBaseTable(): FixedBaseTable | null {
    return this.table;
  }

  /** Z for `userId` (§5.5); cached for the default ID. Returns an internal buffer: do not modify. */
  z(userId?: Uint8Array): Uint8Array {
    if (userId === undefined || isDefaultUserId(userId)) {
      if (!this.zValid) {
        computeZInto(this.zDefault, zHasher, SM2_DEFAULT_USER_ID, this.bytes);
        this.zValid = true;
      }
      return this.zDefault;
    }
    return computeZ(userId, this.bytes);
  }
}

function isDefaultUserId(id: Uint8Array): boolean {
  if (id === SM2_DEFAULT_USER_ID) return true;
  if (id.length !== 16) return false;
  for (let i = 0; i < 16; i++) if (id[i] !== SM2_DEFAULT_USER_ID[i]) return false;
  return true;
}

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ Gx ‖ Gy ‖ xP ‖ yP) (GB/T 32918.2 §5.5). */
export function computeZ(userId: Uint8Array, publicKeyXY: Uint8Array): Uint8Array {
  return computeZInto(new Uint8Array(32), new Sm3(), userId, publicKeyXY);
}

function computeZInto(out: Uint8Array, h: Sm3, userId: Uint8Array, publicKeyXY: Uint8Array): Uint8Array {
  const bits = userId.length * 8;
  if (bits > 0xffff) throw new RangeError(`userId: at most 8191 bytes (ENTL is 16 bits), got ${userId.length}`);
  entl[0] = bits >>> 8;
  entl[1] = bits & 0xff;
  h.reset().update(entl, 0, 2).update(userId, 0, userId.length).update(CURVE_BYTES, 0, 128).update(publicKeyXY, 0, 64);
  return h.digestInto(out, 0);
}

/**
 * The verification core (GB/T 32918.2 §7.1) with M = m1[m1Off, +m1Len) ‖ m2[m2Off, +m2Len) and the
 * signature r ‖ s at sig[sigOff, +64). No copies of the message: certificate ‖ static data is
 * hashed in place. `z` from `key.z(userId)`.
 */
export function sm2VerifyView(
  key: Sm2PublicKey,
  z: Uint8Array,
  m1: Uint8Array, m1Off: number, m1Len: number,
  m2: Uint8Array | null, m2Off: number, m2Len: number,
  sig: Uint8Array, sigOff: number,
): boolean {
  if (sigOff < 0 || sigOff + 64 > sig.length) return false;
  // B3, B4: e = SM3(Z ‖ M)
  hasher.reset().update(z, 0, 32).update(m1, m1Off, m1Len);
  if (m2 !== null && m2Len > 0) hasher.update(m2, m2Off, m2Len);
  hasher.digestInto(eBuf, 0);
  // B1, B2, B5–B7 (sm2-ecc.ts)
  return verifyDigest(key.qx, key.qy, key.fixedBaseTable, eBuf, 0, sig, sigOff);
}

/** An SM2 public key as an object, 64 bytes x‖y or 65 bytes 04‖x‖y. */
export type Sm2PublicKeyInput = Sm2PublicKey | Uint8Array;

function toKey(publicKey: Sm2PublicKeyInput): Sm2PublicKey {
  return publicKey instanceof Sm2PublicKey ? publicKey : Sm2PublicKey.from(publicKey);
}

function toUserId(userId: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof userId === 'string' ? new TextEncoder().encode(userId) : userId;
}

/**
 * Verifies an SM2 signature (64 bytes r ‖ s) over `message` (GB/T 32918.2 §7.1). `userId`
 * defaults to "1234567812345678" (as PBOC uses); a string is taken as UTF-8.
 * Throws TypeError for a malformed key; a bad signature is `false`.
 */
export function sm2Verify(publicKey: Sm2PublicKeyInput, message: Uint8Array, signature: Uint8Array, userId?: Uint8Array | string): boolean {
  const key = toKey(publicKey);
  if (signature.length !== 64) return false;
  return sm2VerifyView(key, key.z(toUserId(userId)), message, 0, message.length, null, 0, 0, signature, 0);
}

/** Verifies over M = part1 ‖ part2 without concatenating (certificate body ‖ static data). */
export function sm2VerifyParts(
  publicKey: Sm2PublicKeyInput, part1: Uint8Array, part2: Uint8Array, signature: Uint8Array, userId?: Uint8Array | string,
): boolean {
  const key = toKey(publicKey);
  if (signature.length !== 64) return false;
  return sm2VerifyView(key, key.z(toUserId(userId)), part1, 0, part1.length, part2, 0, part2.length, signature, 0);
}

// ---------------------------------------------------------------- test PKI only

/** A key pair: private key d (32 bytes) and public key x ‖ y (64 bytes). */
export type Sm2KeyPair = { privateKey: Uint8Array; publicKey: Uint8Array };

/** Derives the public key P = d·G (GB/T 32918.1 §6.1). d must be in [1, n−2]. */
export function sm2KeyFromPrivate(privateKey: Uint8Array | bigint): Sm2KeyPair {
  const d = typeof privateKey === 'bigint' ? privateKey : readBig(privateKey, 0, privateKey.length);
  if (d < 1n || d > N - 2n) throw new RangeError('privateKey: must be in [1, n−2]');
  const p = Sm2Point.BASE.multiply(d).toAffine();
  const out = new Uint8Array(64);
  writeBig(out, 0, p.x);
  writeBig(out, 32, p.y);
  const priv = new Uint8Array(32);
  writeBig(priv, 0, d);
  return { privateKey: priv, publicKey: out };
}

/** Deterministic key pair from a seed string (TEST ONLY: anyone who knows the seed has the key). */
export function sm2TestKeyPair(seed: string): Sm2KeyPair {
  const d = (deriveScalar(new TextEncoder().encode('shanfu test key ' + seed), 0) % (N - 2n)) + 1n;
  return sm2KeyFromPrivate(d);
}

export type Sm2SignOptions = {
  userId?: Uint8Array | string;
  /** Fixed nonce k (GB/T 32918 examples). */
  k?: bigint;
  /** Deterministic nonce derived from SM3(seed ‖ d ‖ e ‖ counter); default seed is empty. */
  seed?: Uint8Array | string;
};

/**
 * SM2 signature generation (GB/T 32918.2 §6.1). **TEST ONLY**: builds the project's test PKI.
 * The nonce is deterministic (from `k` or a seed), the code is not constant-time, and terminals
 * never sign. Returns r ‖ s (64 bytes).
 */
export function sm2Sign(privateKey: Uint8Array | bigint, message: Uint8Array, options: Sm2SignOptions = {}): Uint8Array {
  const pair = sm2KeyFromPrivate(privateKey);
  const d = readBig(pair.privateKey, 0, 32);
  const userId = toUserId(options.userId) ?? SM2_DEFAULT_USER_ID;
  const z = computeZ(userId, pair.publicKey);
  const eBytes = new Sm3().update(z).update(message).digestInto(new Uint8Array(32));
  const e = readBig(eBytes, 0, 32);
  const seed = typeof options.seed === 'string' ? new TextEncoder().encode(options.seed) : (options.seed ?? new Uint8Array(0));
  for (let counter = 0; counter < 1000; counter++) {
    let k: bigint;
    if (options.k !== undefined) {
      if (counter > 0) throw new RangeError('options.k: gives r = 0, r + k = n or s = 0; choose another k');
      k = options.k;
      if (k < 1n || k >= N) throw new RangeError('options.k: must be in [1, n−1]');
    } else {
      const input = new Uint8Array(seed.length + 64);
      input.set(seed, 0);
      input.set(pair.privateKey, seed.length);
      input.set(eBytes, seed.length + 32);
      k = (deriveScalar(input, counter) % (N - 1n)) + 1n;
    }
    const x1 = Sm2Point.BASE.multiply(k).toAffine().x; // A4
    const r = (e + x1) % N; // A5
    if (r === 0n || r + k === N) continue;
    const s = (modInverse(1n + d, N) * ((k - r * d) % N + N)) % N; // A6
    if (s === 0n) continue;
    const out = new Uint8Array(64);
    writeBig(out, 0, r);
    writeBig(out, 32, s);
    return out;
  }
  throw new Error('sm2Sign: no usable nonce');
}

/** 512 bits from SM3(input ‖ counter ‖ 0) ‖ SM3(input ‖ counter ‖ 1), as a bigint (test PKI only). */
function deriveScalar(input: Uint8Array, counter: number): bigint {
  const c = new Uint8Array([counter >>> 24, counter >>> 16, counter >>> 8, counter, 0]);
  const h = new Sm3();
  const hi = h.update(input).update(c).digestInto(new Uint8Array(32));
  c[4] = 1;
  const lo = h.update(input).update(c).digestInto(new Uint8Array(32));
  return (readBig(hi, 0, 32) << 256n) | readBig(lo, 0, 32);
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

// ---------------------------------------------------------------- byte helpers

/** Big-endian unsigned integer from `buf[off, off+len)`, 32 bits at a time. */
export function readBig(buf: Uint8Array, off: number, len: number): bigint {
  let v = 0n;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = off + i;
    v = (v << 32n) | BigInt(((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0);
  }
  for (; i < len; i++) v = (v << 8n) | BigInt(buf[off + i]!);
  return v;
}

/** Writes `v` as 32 big-endian bytes at `out[off]`. */
export function writeBig(out: Uint8Array, off: number, v: bigint): void {
  for (let i = 31; i >= 0; i--) {
    out[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
