/**
 * Loads the TEST key pairs of test-vectors/pki/ (written by scripts/gen-pki.ts) by name.
 * The card needs private keys: the CA and issuer keys to build its certificates at load time,
 * its ICC key to sign fDDA/DDA data.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';
import type { RsaPrivateKey } from './card-crypto.js';
import { testVectorsDir } from './vector-paths.js';

const keys = new Map<string, RsaPrivateKey>();

export function loadRsaKey(name: string): RsaPrivateKey {
  const hit = keys.get(name);
  if (hit) return hit;
  const file = join(testVectorsDir(), 'pki', `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file))
    throw new ShanfuError('config.invalid', `test key ${JSON.stringify(name)} not found (${file}); run: node --import tsx scripts/gen-pki.ts`);
  const j = JSON.parse(readFileSync(file, 'utf8')) as { n: string; e: string; d: string; algorithm: string };
  if (j.algorithm !== 'RSA') throw new ShanfuError('config.invalid', `${file}: not an RSA key`);
  const key: RsaPrivateKey = { n: BigInt('0x' + j.n), e: BigInt('0x' + j.e), d: BigInt('0x' + j.d), bytes: j.n.length / 2 };
  keys.set(name, key);
  return key;
}

export type CapkEntry = { rid: string; index: string; modulus: string; exponent: string; expiry: string; checksum: string; keyFile: string };

/** The CAPK list (test-vectors/pki/capk-test.json). */
export function loadTestCapks(): CapkEntry[] {
  return JSON.parse(readFileSync(join(testVectorsDir(), 'pki', 'capk-test.json'), 'utf8')) as CapkEntry[];
}

/** The CA index of a CA key name, from the CAPK list. */
export function capkIndexOf(caKeyName: string): number {
  const e = loadTestCapks().find((c) => c.keyFile === `${caKeyName}.json`);
  if (!e) throw new ShanfuError('config.invalid', `CA key ${caKeyName} is not in test-vectors/pki/capk-test.json`);
  return parseInt(e.index, 16);
}

export type Sm2TestKey = { privateKey: Uint8Array; publicKey: Uint8Array };

const smKeys = new Map<string, Sm2TestKey>();

/** An SM2 test key pair (d, x ‖ y) by name. */
export function loadSm2Key(name: string): Sm2TestKey {
  const hit = smKeys.get(name);
  if (hit) return hit;
  const file = join(testVectorsDir(), 'pki', `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file))
    throw new ShanfuError('config.invalid', `test key ${JSON.stringify(name)} not found (${file}); run: node --import tsx scripts/gen-pki.ts`);
  const j = JSON.parse(readFileSync(file, 'utf8')) as { d: string; publicKey: string; algorithm: string };
  if (j.algorithm !== 'SM2') throw new ShanfuError('config.invalid', `${file}: not an SM2 key`);
  const key = { privateKey: Buffer.from(j.d, 'hex'), publicKey: Buffer.from(j.publicKey, 'hex') };
  const k: Sm2TestKey = { privateKey: new Uint8Array(key.privateKey), publicKey: new Uint8Array(key.publicKey) };
  smKeys.set(name, k);
  return k;
}

export type SmCapkEntry = { rid: string; index: string; publicKey: string; expiry: string; keyFile: string };

/** The SM2 CA key list (test-vectors/pki/capk-sm-test.json), separate from the RSA CAPKs. */
export function loadTestSmCapks(): SmCapkEntry[] {
  return JSON.parse(readFileSync(join(testVectorsDir(), 'pki', 'capk-sm-test.json'), 'utf8')) as SmCapkEntry[];
}

/** The CA index of an SM2 CA key name. */
export function smCapkIndexOf(caKeyName: string): number {
  const e = loadTestSmCapks().find((c) => c.keyFile === `${caKeyName}.json`);
  if (!e) throw new ShanfuError('config.invalid', `SM2 CA key ${caKeyName} is not in test-vectors/pki/capk-sm-test.json`);
  return parseInt(e.index, 16);
}
