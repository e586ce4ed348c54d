/**
 * SM3 / SM2 / PBOC SM ODA benchmarks (suites for bench/run.ts; `npm run bench -- sm`).
 * Standalone too: `node --expose-gc --import tsx bench/sm.bench.ts [--time=MS]` (also prints MB/s).
 *
 * - sm-sm3: own allocation-free Sm3 vs Node's built-in createHash('sm3') (OpenSSL) at 64 B,
 *   1 KiB and 64 KiB;
 * - sm-sm2: one SM2 verification (GB/T 32918.2) with a plain key (ICC keys: wNAF), with fixed-base
 *   tables for P (W 4, 6 = cached issuer keys, 8 = CA keys), and what a fresh key costs (point
 *   check into a new object or the reusable ICC slot; table builds);
 * - sm-fdda: a full SM2 fDDA chain (issuer cert 12 + ICC cert 14 + SDAD 15), issuer key cache
 *   off and on. Goal: < 2 ms.
 */
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Sm3 } from '../kernels/oda/sm3.js';
import { Sm2PublicKey, sm2Sign, sm2TestKeyPair, sm2Verify } from '../kernels/oda/sm2.js';
import { SmIssuerKeyCache } from '../kernels/oda/sm-cert.js';
import { smChainFixture } from '../kernels/oda/sm-chain-fixture.js';
import { formatTable, runSuite, type BenchCase, type CaseResult, type Suite } from './harness.js';

export const SM3_SIZES = [64, 1024, 65536] as const;

export function smSuites(): Suite[] {
  // ---- SM3
  const h = new Sm3();
  const digest = new Uint8Array(32);
  const sm3Cases: BenchCase[] = [];
  for (const size of SM3_SIZES) {
    const data = new Uint8Array(randomBytes(size));
    sm3Cases.push({ name: `own Sm3 ${size} B`, fn: () => h.update(data, 0, size).digestInto(digest, 0)[0]! });
    sm3Cases.push({ name: `node sm3 ${size} B`, fn: () => createHash('sm3').update(data).digest()[0]! });
  }

  // ---- SM2 verify
  const signer = sm2TestKeyPair('bench signer');
  const msg = new Uint8Array(randomBytes(142));
  const sig = sm2Sign(signer.privateKey, msg);
  const plain = Sm2PublicKey.from(signer.publicKey);
  const w4 = Sm2PublicKey.from(signer.publicKey).precompute(4);
  const w6 = Sm2PublicKey.from(signer.publicKey).precompute(6);
  const w8 = Sm2PublicKey.from(signer.publicKey).precompute(8);
  for (const k of [plain, w4, w6, w8]) if (!sm2Verify(k, msg, sig)) throw new Error('bench setup: signature does not verify');
  const freshKeys = Array.from({ length: 8 }, (_, i) => sm2TestKeyPair('fresh ' + i).publicKey);
  const slot = Sm2PublicKey.reusable();
  const sm2Cases: BenchCase[] = [
    { name: 'verify, plain key (ICC keys)', fn: () => (sm2Verify(plain, msg, sig) ? 1 : 0) },
    { name: 'verify, table W4', fn: () => (sm2Verify(w4, msg, sig) ? 1 : 0) },
    { name: 'verify, table W6 (issuer keys)', fn: () => (sm2Verify(w6, msg, sig) ? 1 : 0) },
    { name: 'verify, table W8 (CA keys)', fn: () => (sm2Verify(w8, msg, sig) ? 1 : 0) },
    { name: 'fresh key: on-curve check, new key', cycle: 8, fn: (i) => Sm2PublicKey.tryFrom(freshKeys[i % 8]!)!.bytes[0]! },
    { name: 'fresh key: on-curve check, ICC slot', cycle: 8, fn: (i) => (slot.load(freshKeys[i % 8]!) ? 1 : 0) },
    { name: 'fresh key: W6 table build', cycle: 8, fn: (i) => Sm2PublicKey.tryFrom(freshKeys[i % 8]!)!.precompute(6).tableBytes },
    { name: 'fresh key: W8 table build', cycle: 8, fn: (i) => Sm2PublicKey.tryFrom(freshKeys[i % 8]!)!.precompute(8).tableBytes },
  ];

  // ---- SM2 fDDA chain
  const f = smChainFixture();
  const newCtx = (cache: SmIssuerKeyCache | null) => {
    const ctx = f.context(cache);
    if (f.run(ctx) !== 0x42) throw new Error('bench setup: SM2 fDDA chain does not verify');
    return ctx;
  };
  const noCache = newCtx(null);
  const cache = new SmIssuerKeyCache();
  const withCache = newCtx(cache);
  cache.buildPendingTables(); // what setImmediate does after the first tap
  const chainCases: BenchCase[] = [
    { name: 'SM2 fDDA chain, no cache', fn: () => f.run(noCache) },
    { name: 'SM2 fDDA chain, issuer key cached', fn: () => f.run(withCache) },
  ];

  return [
    { name: 'sm-sm3', description: 'SM3, own allocation-free class vs node:crypto', cases: sm3Cases, reference: 'node sm3 1024 B' },
    { name: 'sm-sm2', description: 'SM2 verification (sm2p256v1, 142-byte message)', cases: sm2Cases, reference: 'verify, plain key (ICC keys)' },
    { name: 'sm-fdda', description: 'SM2 fDDA 01 chain: issuer cert + ICC cert + SDAD (goal < 2 ms)', cases: chainCases, reference: 'SM2 fDDA chain, no cache' },
  ];
}

export function register(add: (s: Suite) => void): void {
  for (const s of smSuites()) add(s);
}

/** MB/s for the SM3 rows (the table shows ops/s). */
export function sm3Throughput(results: CaseResult[]): string {
  return results
    .map((r) => {
      const m = /(\d+) B$/.exec(r.name);
      return m ? `${r.name.padEnd(22)} ${((r.opsPerSec * Number(m[1])) / 1e6).toFixed(1)} MB/s` : null;
    })
    .filter((x) => x !== null)
    .join('\n');
}

// Standalone run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const timeArg = process.argv.find((a) => a.startsWith('--time='));
  const timeMs = Number(timeArg?.slice(7) ?? 1000);
  if (!(globalThis as { gc?: unknown }).gc) console.warn('note: run with node --expose-gc to measure bytes/op');
  console.log(`node ${process.version} ${process.arch}`);
  for (const s of smSuites()) {
    const r = runSuite(s, { timeMs });
    console.log(formatTable(r) + '\n');
    if (s.name === 'sm-sm3') console.log(sm3Throughput(r) + '\n');
  }
}
