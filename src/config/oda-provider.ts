/**
 * Turns a validated TerminalConfig into the kernel's ODA engine: the RSA CA key store and
 * revocation list (kernels/oda) behind RsaOdaProvider, with the SM2 engine beside it for cards that
 * return PBOC SM certificates (formats 12–15). Built once at start-up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapkStore, RevocationList } from '../../kernels/oda/index.js';
import { SmCapkStore, SmRevocationList } from '../../kernels/oda/sm-capk.js';
import { RsaOdaProvider, SmOdaProvider, type OdaProvider } from '../../kernels/qpboc/index.js';
import { testVectorsDir } from '../../hal/virtual/vector-paths.js';
import { validateConfig, type TerminalConfig } from './terminal-config.js';

export function createOdaProvider(config: TerminalConfig): OdaProvider {
  const capks = new CapkStore();
  for (const k of config.capks) capks.add({ rid: k.rid, index: k.index, modulus: k.modulus, exponent: k.exponent, ...(k.expiry ? { expiry: String(k.expiry) } : {}) });
  const revocations = new RevocationList();
  const smRevocations = new SmRevocationList();
  for (const r of config.revocationList) {
    revocations.add(r.rid, r.index, r.serial);
    smRevocations.add(r.rid, r.index, r.serial);
  }
  const smCapks = new SmCapkStore();
  for (const k of config.smCapks) smCapks.add({ rid: k.rid, index: k.index, publicKey: k.publicKey, ...(k.expiry ? { expiry: String(k.expiry) } : {}) });
  const sm = config.smSupported ? new SmOdaProvider(smCapks, { revocation: smRevocations }) : null;
  return new RsaOdaProvider(capks, { revocations, sm });
}

/**
 * The configuration with the project's test PKI added (test-vectors/pki: the RSA and SM2 test CA
 * keys and the test revocation list), as the demo and `shanfu pay --card` use it. TEST KEYS ONLY:
 * a field configuration lists its acquirer's CA keys instead.
 */
export function withTestPki(config: TerminalConfig): TerminalConfig {
  const dir = join(testVectorsDir(), 'pki');
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, string>[];
  const strip = ({ rid, index, modulus, exponent, expiry, publicKey, serial }: Record<string, string>) =>
    Object.fromEntries(Object.entries({ rid, index, modulus, exponent, expiry, publicKey, serial }).filter(([, v]) => v !== undefined));
  const extra = validateConfig({
    aids: [{ aid: 'A000000333010101' }],
    capks: read('capk-test.json').map(strip),
    smCapks: read('capk-sm-test.json').map(strip),
    revocationList: read('revoked-test.json').map(strip),
  });
  return { ...config, capks: [...config.capks, ...extra.capks], smCapks: [...config.smCapks, ...extra.smCapks], revocationList: [...config.revocationList, ...extra.revocationList] };
}
