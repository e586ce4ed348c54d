/**
 * A complete SM2 fDDA 01 chain for benchmarks and allocation checks (TEST ONLY: test PKI keys from
 * fixed seeds): CA key in an `SmCapkStore` (precomputed at configuration), issuer certificate (12),
 * ICC certificate (14) over static data, SDAD (15) over fDDA 01 terminal data. `run(ctx)` performs
 * the three steps as the kernel's SmOdaProvider does and returns the ICC dynamic number's last byte
 * (0x42) or a negative step number. Used by bench/sm.bench.ts and sm2-alloc-child.ts.
 */
import { SmCapkStore } from './sm-capk.js';
import { SmIssuerKeyCache, SmOdaContext, verifySmIccCertificate, verifySmIssuerCertificate, verifySmSdad } from './sm-cert.js';
import { buildSmIccCertificate, buildSmIssuerCertificate, buildSmSdad } from './sm-cert-builder.js';
import { sm2TestKeyPair } from './sm2.js';
import { fromHex } from '../util/hex.js';

export type SmChainFixture = {
  cert90: Uint8Array;
  cert9F46: Uint8Array;
  sdad: Uint8Array;
  staticData: Uint8Array;
  terminal: Uint8Array;
  store: SmCapkStore;
  /** A context with the PAN and date set and the given issuer key cache (null: none). */
  context(cache: SmIssuerKeyCache | null): SmOdaContext;
  run(ctx: SmOdaContext): number;
};

export function smChainFixture(): SmChainFixture {
  const ca = sm2TestKeyPair('bench CA');
  const issuer = sm2TestKeyPair('bench issuer');
  const icc = sm2TestKeyPair('bench icc');
  const pan = '6235489730000218123';
  const staticData = fromHex('5F24032512319F0702FF008C1B9F02069F03069F1A0295055F2A029A039C019F37049F21039F4E147C00');
  const terminal = fromHex('11223344' + '000000000150' + '0156' + '01A1B2C3D4000000'); // fDDA 01
  const cert90 = buildSmIssuerCertificate({ caPrivateKey: ca.privateKey, issuerId: '623548', expiry: '1230', serial: '000001', issuerPublicKey: issuer.publicKey });
  const cert9F46 = buildSmIccCertificate({ issuerPrivateKey: issuer.privateKey, pan, expiry: '1230', serial: '000002', iccPublicKey: icc.publicKey, staticData });
  const sdad = buildSmSdad({ iccPrivateKey: icc.privateKey, iccDynamicNumber: '0042', terminalDynamicData: terminal });
  const store = new SmCapkStore();
  store.add({ rid: 'A000000333', index: 0x18, publicKey: ca.publicKey }); // precomputed at configuration
  const rid = fromHex('A000000333');
  const panBytes = fromHex(pan + 'F');
  const run = (ctx: SmOdaContext): number => {
    ctx.resetOutputs();
    ctx.capk = store.get(rid, 0, 0x18);
    if (verifySmIssuerCertificate(ctx, cert90, 0, cert90.length) !== null) return -1;
    if (verifySmIccCertificate(ctx, cert9F46, 0, cert9F46.length, staticData, 0, staticData.length) !== null) return -2;
    if (verifySmSdad(ctx, sdad, 0, sdad.length, terminal, 0, terminal.length) !== null) return -3;
    return ctx.sdad.iccDynamicNumber[1]!;
  };
  const context = (cache: SmIssuerKeyCache | null): SmOdaContext => {
    const ctx = new SmOdaContext();
    ctx.transactionDate = 250101;
    ctx.setPan(panBytes);
    ctx.issuerCache = cache;
    return ctx;
  };
  return { cert90, cert9F46, sdad, staticData, terminal, store, context, run };
}
