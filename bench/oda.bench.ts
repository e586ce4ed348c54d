/**
 * RSA offline data authentication benchmarks (suites for bench/run.ts; `npm run bench -- oda`).
 * Standalone too: `node --expose-gc --import tsx bench/oda.bench.ts [--time=MS]`.
 *
 * - oda-rsa: RSA public operation X = S^e mod n for a UnionPay chain's key sizes (CA 1984,
 *   issuer 1408, ICC 1024, e=3) and ICC 1024 e=65537 — BigInt modPow vs the Montgomery engine;
 * - oda-key: RsaKey.set (n', R², R³: what a freshly recovered key costs before its first use);
 * - oda-sha1: SHA-1 of a 248-byte certificate body — own allocation-free class vs noble;
 * - oda-fdda: a full fDDA 01 chain (issuer cert 1984 + ICC cert 1408 + SDAD 1024) without and
 *   with the issuer key cache.
 * Keys are generated at registration (node:crypto, ~1 s).
 *
 * Standalone (default) measures allocation over a bounded window (≥ 200 calls or ~0.3 s, twice,
 * the lower kept); `--harness` uses harness.ts's runSuite instead.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { RsaEngine, RsaKey } from '../kernels/oda/rsa.js';
import { rsaRecoverBigInt } from '../kernels/oda/rsa-bigint.js';
import { Sha1 } from '../kernels/oda/sha1.js';
import { CapkStore } from '../kernels/oda/capk.js';
import { RsaOda } from '../kernels/oda/cert.js';
import { OdaMethod, OdaReason, odaReasonText } from '../kernels/oda/cert-reasons.js';
import { buildIccCertificate, buildIssuerCertificate, buildSdad, dynamicDataWithIdn, rsaPrivateKeyFromJwk, type RsaPrivateKey } from '../kernels/oda/rsa-cert-builder.js';
import { fromHex } from '../kernels/util/hex.js';
import { formatTable, runSuite, type BenchCase, type CaseResult, type Suite } from './harness.js';

function genKey(bits: number, e: number): RsaPrivateKey {
  return rsaPrivateKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }).privateKey.export({ format: 'jwk' }));
}

export function odaSuites(): Suite[] {
  const CA = genKey(1984, 3);
  const ISSUER = genKey(1408, 3);
  const ICC3 = genKey(1024, 3);
  const ICC65537 = genKey(1024, 65537);

  // ---- RSA public operation
  const engine = new RsaEngine(256);
  const rsaCases: BenchCase[] = [];
  for (const [label, k] of [['CA 1984 e=3', CA], ['issuer 1408 e=3', ISSUER], ['ICC 1024 e=3', ICC3], ['ICC 1024 e=65537', ICC65537]] as const) {
    const key = RsaKey.from(k.modulus, k.exponent);
    const sig = new Uint8Array(randomBytes(k.modulus.length));
    sig[0] = 0x10;
    const out = new Uint8Array(k.modulus.length);
    rsaCases.push({ name: `${label} BigInt`, fn: () => rsaRecoverBigInt(sig, k.modulus, k.exponent)![5]! });
    rsaCases.push({
      name: `${label} Montgomery`,
      fn: () => {
        engine.recover(sig, 0, sig.length, key, out, 0);
        return out[5]!;
      },
    });
  }

  // ---- key preparation
  const slot = new RsaKey(256);
  const keyCases: BenchCase[] = [['1024 e=3', ICC3], ['1024 e=65537', ICC65537], ['1408 e=3', ISSUER], ['1984 e=3', CA]].map(([label, k]) => {
    const kk = k as RsaPrivateKey;
    return { name: `RsaKey.set ${label as string}`, fn: () => (slot.set(kk.modulus, 0, kk.modulus.length, kk.exponent, 0, kk.exponent.length) ? slot.limbs : -1) };
  });

  // ---- SHA-1
  const data = new Uint8Array(randomBytes(300));
  const h = new Sha1();
  const digest = new Uint8Array(20);
  const shaCases: BenchCase[] = [
    {
      name: 'Sha1 (own) 248 B',
      fn: () => {
        h.reset().update(data, 26, 248).digestInto(digest, 0);
        return digest[0]!;
      },
    },
    { name: 'noble sha1 248 B', fn: () => nobleSha1(data.subarray(26, 274))[0]! },
  ];

  // ---- fDDA 01 chain
  const PAN = '6212345678901234', STATIC = '5A0862123456789012345F24032812317C00';
  const UN = '1A2B3C4D', AMOUNT = '000000000150', CUR = '0156', CAD = '01CAFEBABE800000';
  const iss = buildIssuerCertificate({ ca: CA, issuerModulus: ISSUER.modulus, issuerExponent: '03', issuerId: '621234', expiry: '1230', serial: '000001' });
  const icc = buildIccCertificate({ issuer: ISSUER, iccModulus: ICC3.modulus, iccExponent: '03', pan: PAN, expiry: '1229', serial: '000002', staticData: STATIC });
  const sdad = buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0012'), terminalDynamicData: UN + AMOUNT + CUR + CAD });
  const capk = new CapkStore().add({ rid: 'A000000333', index: 0x0b, modulus: CA.modulus, exponent: CA.exponent });
  const parts = [PAN, STATIC, UN, AMOUNT, CUR, CAD].map((x) => fromHex(x));
  const load = (oda: RsaOda) => {
    oda.reset();
    oda.transactionDate = 20261127;
    oda.pan.set(parts[0]!);
    oda.staticData.set(parts[1]!);
    oda.unpredictableNumber.set(parts[2]!);
    oda.amount.set(parts[3]!);
    oda.currency.set(parts[4]!);
    oda.cardAuthData.set(parts[5]!);
    oda.issuerCert.set(iss.cert);
    oda.issuerExponent.set(iss.exponent);
    oda.iccCert.set(icc.cert);
    oda.iccExponent.set(icc.exponent);
    oda.sdad.set(sdad);
  };
  const chainCases: BenchCase[] = (
    [
      ['fDDA chain, no cache', 0],
      ['fDDA chain, issuer key cache', 8],
    ] as const
  ).map(([name, size]) => {
    const oda = new RsaOda({ issuerCacheSize: size });
    load(oda);
    const r = oda.authenticate(OdaMethod.FDDA, capk);
    if (r !== OdaReason.Ok) throw new Error(`fDDA chain failed: ${odaReasonText(r)}`);
    return {
      name,
      fn: () => {
        load(oda);
        return oda.authenticate(OdaMethod.FDDA, capk);
      },
    };
  });

  return [
    { name: 'oda-rsa', description: 'RSA public operation, BigInt vs Montgomery', cases: rsaCases, reference: 'CA 1984 e=3 BigInt' },
    { name: 'oda-key', description: "RsaKey.set: n', R², R³ (per fresh key)", cases: keyCases },
    { name: 'oda-sha1', description: 'SHA-1, own vs noble', cases: shaCases, reference: 'noble sha1 248 B' },
    { name: 'oda-fdda', description: 'fDDA 01 chain 1984/1408/1024, issuer key cache off/on', cases: chainCases, reference: 'fDDA chain, no cache' },
  ];
}

export function register(add: (s: Suite) => void): void {
  for (const s of odaSuites()) add(s);
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Bytes per call over a bounded window (twice, lower kept); null without --expose-gc. */
function boundedBytes(fn: (i: number) => number, usPerOp: number): { bytes: number | null; gcDuring: boolean } {
  if (!gc) return { bytes: null, gcDuring: false };
  const n = Math.max(200, Math.min(20_000, Math.round(300_000 / usPerOp)));
  let best = Infinity;
  let sink = 0;
  for (let w = 0; w < 2; w++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) sink += fn(i);
    const h1 = process.memoryUsage().heapUsed;
    // heapUsed falling means a scavenge ran inside the window: the delta is then a lower bound
    best = Math.min(best, (h1 - h0) / n);
  }
  return { bytes: best < 0 ? null : best + (sink & 0) , gcDuring: best < 0 };
}

function runBounded(s: Suite, timeMs: number): CaseResult[] {
  const rows: CaseResult[] = [];
  for (const c of s.cases) {
    let sink = 0;
    for (let i = 0; i < 30; i++) sink += c.fn(i);
    const batchMeans: number[] = [];
    let total = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < timeMs) {
      const b0 = performance.now();
      for (let i = 0; i < 20; i++) sink += c.fn(total + i);
      total += 20;
      batchMeans.push(((performance.now() - b0) * 1e6) / 20);
    }
    const elapsed = performance.now() - t0;
    batchMeans.sort((a, b) => a - b);
    const nsPerOp = (elapsed * 1e6) / total;
    const { bytes } = boundedBytes(c.fn, nsPerOp / 1000);
    rows.push({ suite: s.name, name: c.name, opsPerSec: (total / elapsed) * 1000, nsPerOp, p50Ns: batchMeans[Math.floor(batchMeans.length / 2)]!, p99Ns: batchMeans[Math.min(batchMeans.length - 1, Math.floor(batchMeans.length * 0.99))]!, bytesPerOp: bytes, rel: null, totalOps: total + (sink & 0) });
  }
  const ref = rows.find((r) => r.name === s.reference);
  return rows.map((r) => ({ ...r, rel: ref ? r.opsPerSec / ref.opsPerSec : null }));
}

// Standalone run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const timeArg = process.argv.find((a) => a.startsWith('--time='));
  const timeMs = Number(timeArg?.slice(7) ?? 1000);
  if (!gc) console.warn('note: run with node --expose-gc to measure bytes/op');
  console.log(`node ${process.version} ${process.arch}`);
  const useHarness = process.argv.includes('--harness');
  for (const s of odaSuites()) console.log(formatTable(useHarness ? runSuite(s, { timeMs }) : runBounded(s, timeMs)) + '\n');
}
