/**
 * RSA ODA benchmarks (standalone until bench/harness.ts exists):
 *
 *   node --expose-gc --import tsx bench/oda.bench.ts
 *
 * - RSA public operation per second for the key sizes of a UnionPay chain (CA 1984, issuer 1408,
 *   ICC 1024, e=3) and ICC 1024 e=65537: BigInt modPow vs the Montgomery engine;
 * - heap bytes allocated per operation (heapUsed delta over a GC-free window; a GC during the window
 *   is reported);
 * - RsaKey.set (n' + R²: the per-tap cost of a fresh ICC key);
 * - SHA-1: own allocation-free class vs noble `sha1()` on a 248-byte certificate;
 * - the full fDDA chain (issuer cert + ICC cert + SDAD) with and without the issuer key cache.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { RsaEngine, RsaKey } from '../kernels/oda/rsa.js';
import { rsaRecoverBigInt } from '../kernels/oda/rsa-bigint.js';
import { Sha1 } from '../kernels/oda/sha1.js';
import { CapkStore } from '../kernels/oda/capk.js';
import { RsaOda } from '../kernels/oda/cert.js';
import { OdaMethod, OdaReason, odaReasonText } from '../kernels/oda/cert-reasons.js';
import { buildIccCertificate, buildIssuerCertificate, buildSdad, dynamicDataWithIdn, rsaPrivateKeyFromJwk, type RsaPrivateKey } from '../kernels/oda/rsa-cert-builder.js';
import { fromHex } from '../kernels/util/hex.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with --expose-gc for allocation figures');

let gcCount = 0;
new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

type Result = { name: string; opsPerSec: number; usPerOp: number; bytesPerOp: number | string };
const results: Result[] = [];

/** Runs `fn` for ~`ms` after warm-up; then measures allocation over `allocOps` calls. */
async function bench(name: string, fn: () => void, ms = 800, allocOps = 200): Promise<Result> {
  for (let i = 0; i < 50; i++) fn(); // warm-up (JIT)
  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < ms) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    t1 = performance.now();
  }
  const usPerOp = ((t1 - t0) * 1000) / n;
  let bytesPerOp: number | string = 'n/a';
  if (gc) {
    // Two windows; the smaller counts (the first can include JIT re-optimisation after the timed loop).
    let best = Infinity;
    let gcDuring = false;
    for (let w = 0; w < 2; w++) {
      gc();
      await new Promise((r) => setTimeout(r, 0)); // let the gc entry reach the observer
      const before = gcCount;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < allocOps; i++) fn();
      const h1 = process.memoryUsage().heapUsed;
      await new Promise((r) => setTimeout(r, 0));
      if (gcCount !== before) gcDuring = true;
      best = Math.min(best, Math.max(0, Math.round((h1 - h0) / allocOps)));
    }
    bytesPerOp = gcDuring ? `≥${best} (GC ran)` : best;
  }
  const r = { name, opsPerSec: Math.round(1e6 / usPerOp), usPerOp: Math.round(usPerOp * 10) / 10, bytesPerOp };
  results.push(r);
  console.log(`${name.padEnd(52)} ${String(r.opsPerSec).padStart(8)} op/s ${String(r.usPerOp).padStart(9)} µs/op  ${String(bytesPerOp).padStart(12)} B/op`);
  return r;
}

function genKey(bits: number, e: number): RsaPrivateKey {
  return rsaPrivateKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }).privateKey.export({ format: 'jwk' }));
}

const CA = genKey(1984, 3);
const ISSUER = genKey(1408, 3);
const ICC3 = genKey(1024, 3);
const ICC65537 = genKey(1024, 65537);

console.log(`node ${process.version} ${process.arch}`);
console.log('— RSA public operation (X = S^e mod n)');
const engine = new RsaEngine(256);
for (const [label, k] of [['CA 1984 e=3', CA], ['issuer 1408 e=3', ISSUER], ['ICC 1024 e=3', ICC3], ['ICC 1024 e=65537', ICC65537]] as const) {
  const key = RsaKey.from(k.modulus, k.exponent);
  const sig = new Uint8Array(randomBytes(k.modulus.length));
  sig[0] = 0x10;
  const out = new Uint8Array(k.modulus.length);
  await bench(`${label}: BigInt modPow`, () => {
    rsaRecoverBigInt(sig, k.modulus, k.exponent);
  });
  await bench(`${label}: Montgomery (22-bit limbs)`, () => {
    engine.recover(sig, 0, sig.length, key, out, 0);
  });
}

console.log('— key preparation (n\', R² mod n)');
{
  const slot = new RsaKey(256);
  for (const [label, k] of [['1024', ICC3], ['1408', ISSUER], ['1984', CA]] as const)
    await bench(`RsaKey.set ${label}-bit`, () => {
      slot.set(k.modulus, 0, k.modulus.length, k.exponent, 0, k.exponent.length);
    });
}

console.log('— SHA-1 of 248 bytes');
{
  const data = new Uint8Array(randomBytes(300));
  const h = new Sha1();
  const out = new Uint8Array(20);
  await bench('Sha1 (own, reset/update(off,len)/digestInto)', () => {
    h.reset().update(data, 26, 248).digestInto(out, 0);
  });
  await bench('noble sha1(data.subarray(26, 274))', () => {
    nobleSha1(data.subarray(26, 274));
  });
}

console.log('— full fDDA 01 chain: issuer cert (1984) + ICC cert (1408) + SDAD (1024)');
{
  const PAN = '6212345678901234', STATIC = '5A0862123456789012345F24032812317C00';
  const UN = '1A2B3C4D', AMOUNT = '000000000150', CUR = '0156', CAD = '01CAFEBABE800000';
  const iss = buildIssuerCertificate({ ca: CA, issuerModulus: ISSUER.modulus, issuerExponent: '03', issuerId: '621234', expiry: '1230', serial: '000001' });
  const icc = buildIccCertificate({ issuer: ISSUER, iccModulus: ICC3.modulus, iccExponent: '03', pan: PAN, expiry: '1229', serial: '000002', staticData: STATIC });
  const sdad = buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0012'), terminalDynamicData: UN + AMOUNT + CUR + CAD });
  const capk = new CapkStore().add({ rid: 'A000000333', index: 0x0b, modulus: CA.modulus, exponent: CA.exponent });
  // One "card response" buffer; the kernel would point the slices into its rx buffers.
  const parts = [PAN, STATIC, UN, AMOUNT, CUR, CAD].map((h) => fromHex(h));
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
  for (const [label, size] of [['no cache', 0], ['issuer key cache', 8]] as const) {
    const oda = new RsaOda({ issuerCacheSize: size });
    load(oda);
    const r = oda.authenticate(OdaMethod.FDDA, capk);
    if (r !== OdaReason.Ok) throw new Error(`fDDA chain failed: ${odaReasonText(r)}`);
    await bench(`fDDA chain, ${label}`, () => {
      load(oda);
      oda.authenticate(OdaMethod.FDDA, capk);
    });
  }
}

if (process.argv.includes('--json')) console.log(JSON.stringify(results));
