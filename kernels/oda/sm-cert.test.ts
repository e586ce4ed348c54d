import { describe, it, expect, beforeAll } from 'vitest';
import { sm2TestKeyPair, type Sm2KeyPair } from './sm2.js';
import { SmCapkStore, SmRevocationList, smCapkExpired, type SmCapk } from './sm-capk.js';
import {
  SmFailure, SmIssuerKeyCache, SmOdaContext, expiryCheck, issuerIdMatchesPan, panEquals,
  verifySmIccCertificate, verifySmIssuerCertificate, verifySmSdad, verifySmSsad,
} from './sm-cert.js';
import {
  buildSmIccCertificate, buildSmIssuerCertificate, buildSmSdad, buildSmSsad,
  type SmIccCertificateSpec, type SmIssuerCertificateSpec,
} from './sm-cert-builder.js';
import { fromHex, toHex } from '../util/hex.js';

const RID = 'A000000333';
const PAN = '6235489730000218123';
const STATIC = fromHex('5F24032512319F0702FF008C039F37047C00');
const UN = fromHex('11223344');

let ca: Sm2KeyPair, issuer: Sm2KeyPair, icc: Sm2KeyPair;
let store: SmCapkStore;
let capk: SmCapk;

beforeAll(() => {
  ca = sm2TestKeyPair('sm-cert test CA');
  issuer = sm2TestKeyPair('sm-cert test issuer');
  icc = sm2TestKeyPair('sm-cert test icc');
  store = new SmCapkStore();
  capk = store.add({ rid: RID, index: 0x18, publicKey: ca.publicKey, expiry: '301231' });
});

const issuerSpec = (o: Partial<SmIssuerCertificateSpec> = {}): SmIssuerCertificateSpec => ({
  caPrivateKey: ca.privateKey, issuerId: '623548', expiry: '1230', serial: '001258', issuerPublicKey: issuer.publicKey, ...o,
});
const iccSpec = (o: Partial<SmIccCertificateSpec> = {}): SmIccCertificateSpec => ({
  issuerPrivateKey: issuer.privateKey, pan: PAN, expiry: '0626', serial: '007EB0', iccPublicKey: icc.publicKey, staticData: STATIC, ...o,
});

function context(date = 250101, pan = PAN): SmOdaContext {
  const ctx = new SmOdaContext();
  ctx.capk = capk;
  ctx.transactionDate = date;
  ctx.setPan(fromHex(pan.length % 2 ? pan + 'F' : pan));
  return ctx;
}
const issuerStep = (ctx: SmOdaContext, cert: Uint8Array) => verifySmIssuerCertificate(ctx, cert, 0, cert.length);
const iccStep = (ctx: SmOdaContext, cert: Uint8Array, sd = STATIC) => verifySmIccCertificate(ctx, cert, 0, cert.length, sd, 0, sd.length);
const flipLast = (b: Uint8Array) => {
  const c = b.slice();
  c[c.length - 1]! ^= 1;
  return c;
};

describe('SM issuer certificate (format 12)', () => {
  it('verifies and exposes the issuer id, expiry, serial and key', () => {
    const ctx = context();
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBeNull();
    expect(toHex(ctx.issuer.issuerId)).toBe('623548FF');
    expect(toHex(ctx.issuer.expiry)).toBe('1230');
    expect(toHex(ctx.issuer.serial)).toBe('001258');
    expect(toHex(ctx.issuer.key!.bytes)).toBe(toHex(issuer.publicKey));
  });

  it.each([
    ['altered signature', () => flipLast(buildSmIssuerCertificate(issuerSpec())), SmFailure.Signature],
    ['signed by another CA', () => buildSmIssuerCertificate(issuerSpec({ caPrivateKey: issuer.privateKey })), SmFailure.Signature],
    ['wrong format byte', () => buildSmIssuerCertificate(issuerSpec({ format: 0x14 })), SmFailure.Format],
    ['unknown hash indicator', () => buildSmIssuerCertificate(issuerSpec({ hashIndicator: 0x80 })), SmFailure.Algorithm],
    ['unknown PK algorithm indicator', () => buildSmIssuerCertificate(issuerSpec({ pkAlgorithmIndicator: 0x01 })), SmFailure.Algorithm],
    ['key length not 0x40', () => buildSmIssuerCertificate(issuerSpec({ keyLength: 0x41 })), SmFailure.KeyLength],
    ['truncated', () => buildSmIssuerCertificate(issuerSpec()).subarray(0, 141), SmFailure.Length],
    ['issuer id not a PAN prefix', () => buildSmIssuerCertificate(issuerSpec({ issuerId: '623549' })), SmFailure.IssuerId],
    ['expired (end of 12/2024)', () => buildSmIssuerCertificate(issuerSpec({ expiry: '1224' })), SmFailure.Expired],
    ['month 13', () => buildSmIssuerCertificate(issuerSpec({ expiry: '1330' })), SmFailure.BadDate],
    ['certified key not on the curve', () => {
      const k = issuer.publicKey.slice();
      k[63]! ^= 1;
      return buildSmIssuerCertificate(issuerSpec({ issuerPublicKey: k }));
    }, SmFailure.BadKey],
  ])('fails: %s', (_name, make, reason) => {
    const ctx = context();
    expect(issuerStep(ctx, make())).toBe(reason);
    expect(ctx.issuer.key).toBeNull();
  });

  it('is valid through the last day of its expiry month', () => {
    const cert = buildSmIssuerCertificate(issuerSpec({ expiry: '0625' }));
    expect(issuerStep(context(250630), cert)).toBeNull();
    expect(issuerStep(context(250701), cert)).toBe(SmFailure.Expired);
  });

  it('fails when RID ‖ index ‖ serial is on the revocation list', () => {
    const crl = new SmRevocationList();
    crl.add(RID, '18', '001259');
    const ctx = context();
    ctx.revocation = crl;
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBeNull();
    crl.add(RID, 0x18, '001258');
    expect(crl.size).toBe(2);
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBe(SmFailure.Revoked);
  });

  it('fails without a CA key', () => {
    const ctx = context();
    ctx.capk = null;
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBe(SmFailure.NoKey);
  });
});

describe('verified issuer key cache', () => {
  it('skips the signature for the same certificate, still checks expiry, and precomputes on the second use', () => {
    const cache = new SmIssuerKeyCache(2);
    const cert = buildSmIssuerCertificate(issuerSpec());
    const ctx = context();
    ctx.issuerCache = cache;
    expect(issuerStep(ctx, cert)).toBeNull();
    expect(ctx.issuer.fromCache).toBe(false);
    expect(cache.size).toBe(1);
    expect(issuerStep(ctx, cert)).toBeNull();
    expect(ctx.issuer.fromCache).toBe(true);
    expect(ctx.issuer.key!.isPrecomputed).toBe(true);
    ctx.transactionDate = 310101;
    expect(issuerStep(ctx, cert)).toBe(SmFailure.Expired);
  });

  it('builds the issuer key table off the tap: after the tap returns to the event loop, or on demand', async () => {
    const cert = buildSmIssuerCertificate(issuerSpec());
    const ctx = context();
    ctx.issuerCache = new SmIssuerKeyCache();
    expect(issuerStep(ctx, cert)).toBeNull();
    const key = ctx.issuer.key!;
    expect(key.isPrecomputed).toBe(false); // not in the tap that verified the certificate
    await new Promise((r) => setImmediate(r));
    expect(key.isPrecomputed).toBe(true);
    expect(key.tableBytes).toBeGreaterThan(0);

    const manual = new SmIssuerKeyCache(4, 99);
    ctx.issuerCache = manual;
    expect(issuerStep(ctx, cert)).toBeNull();
    const key2 = ctx.issuer.key!;
    expect(key2).not.toBe(key);
    expect(manual.buildPendingTables()).toBe(1);
    expect(key2.isPrecomputed).toBe(true);
    expect(manual.buildPendingTables()).toBe(0);

    const never = new SmIssuerKeyCache(4, 99, false);
    ctx.issuerCache = never;
    expect(issuerStep(ctx, cert)).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(ctx.issuer.key!.isPrecomputed).toBe(false);
    expect(never.buildPendingTables()).toBe(0);
  });

  it('does not trust a different certificate with the same serial', () => {
    const cache = new SmIssuerKeyCache();
    const ctx = context();
    ctx.issuerCache = cache;
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBeNull();
    const forged = buildSmIssuerCertificate(issuerSpec({ caPrivateKey: icc.privateKey, issuerPublicKey: icc.publicKey }));
    expect(issuerStep(ctx, forged)).toBe(SmFailure.Signature);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new SmIssuerKeyCache(2);
    const ctx = context();
    ctx.issuerCache = cache;
    const certs = ['000001', '000002', '000003'].map((serial) => buildSmIssuerCertificate(issuerSpec({ serial })));
    expect(issuerStep(ctx, certs[0]!)).toBeNull();
    expect(issuerStep(ctx, certs[1]!)).toBeNull();
    expect(issuerStep(ctx, certs[0]!)).toBeNull(); // 0 is now more recent than 1
    expect(issuerStep(ctx, certs[2]!)).toBeNull(); // evicts 1
    expect(cache.size).toBe(2);
    expect(cache.lookup(capk, certs[0]!, 0)).not.toBeNull();
    expect(cache.lookup(capk, certs[1]!, 0)).toBeNull();
  });
});

describe('SM ICC certificate (format 14)', () => {
  function withIssuer(date = 250101, pan = PAN): SmOdaContext {
    const ctx = context(date, pan);
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBeNull();
    return ctx;
  }

  it('verifies over body ‖ static data and exposes PAN, expiry, serial and key', () => {
    const ctx = withIssuer();
    expect(iccStep(ctx, buildSmIccCertificate(iccSpec()))).toBeNull();
    expect(toHex(ctx.icc.pan)).toBe(PAN + 'F');
    expect(toHex(ctx.icc.expiry)).toBe('0626');
    expect(toHex(ctx.icc.serial)).toBe('007EB0');
    expect(toHex(ctx.icc.key!.bytes)).toBe(toHex(icc.publicKey));
  });

  it.each([
    ['static data altered', () => buildSmIccCertificate(iccSpec()), SmFailure.Signature, fromHex('5F24032512319F0702FF008C039F37047C01')],
    ['altered signature', () => flipLast(buildSmIccCertificate(iccSpec())), SmFailure.Signature, STATIC],
    ['signed by the CA instead of the issuer', () => buildSmIccCertificate(iccSpec({ issuerPrivateKey: ca.privateKey })), SmFailure.Signature, STATIC],
    ['wrong format byte', () => buildSmIccCertificate(iccSpec({ format: 0x12 })), SmFailure.Format, STATIC],
    ['unknown hash indicator', () => buildSmIccCertificate(iccSpec({ hashIndicator: 0x01 })), SmFailure.Algorithm, STATIC],
    ['unknown PK algorithm indicator', () => buildSmIccCertificate(iccSpec({ pkAlgorithmIndicator: 0x80 })), SmFailure.Algorithm, STATIC],
    ['key length not 0x40', () => buildSmIccCertificate(iccSpec({ keyLength: 0x20 })), SmFailure.KeyLength, STATIC],
    ['truncated', () => buildSmIccCertificate(iccSpec()).subarray(0, 147), SmFailure.Length, STATIC],
    ['PAN differs', () => buildSmIccCertificate(iccSpec({ pan: '6235489730000218124' })), SmFailure.Pan, STATIC],
    ['PAN one digit longer', () => buildSmIccCertificate(iccSpec({ pan: PAN + '0' })), SmFailure.Pan, STATIC],
    ['expired', () => buildSmIccCertificate(iccSpec({ expiry: '1224' })), SmFailure.Expired, STATIC],
  ])('fails: %s', (_name, make, reason, sd) => {
    const ctx = withIssuer();
    expect(iccStep(ctx, make(), sd)).toBe(reason);
    expect(ctx.icc.key).toBeNull();
  });

  it('fails without a verified issuer key', () => {
    expect(iccStep(context(), buildSmIccCertificate(iccSpec()))).toBe(SmFailure.NoKey);
  });
});

describe('SM signed static data (format 13) and signed dynamic data (format 15)', () => {
  function chain(): SmOdaContext {
    const ctx = context();
    expect(issuerStep(ctx, buildSmIssuerCertificate(issuerSpec()))).toBeNull();
    expect(iccStep(ctx, buildSmIccCertificate(iccSpec()))).toBeNull();
    return ctx;
  }

  it('SSAD: verifies header ‖ static data, returns the DAC, and fails on any change', () => {
    const ctx = chain();
    const ssad = buildSmSsad({ issuerPrivateKey: issuer.privateKey, dac: 'DAC1', staticData: STATIC });
    expect(verifySmSsad(ctx, ssad, 0, ssad.length, STATIC, 0, STATIC.length)).toBeNull();
    expect(toHex(ctx.dac)).toBe('DAC1');
    expect(verifySmSsad(ctx, ssad, 0, ssad.length, STATIC, 0, STATIC.length - 1)).toBe(SmFailure.Signature);
    expect(verifySmSsad(ctx, flipLast(ssad), 0, ssad.length, STATIC, 0, STATIC.length)).toBe(SmFailure.Signature);
    const wrongFormat = buildSmSsad({ issuerPrivateKey: issuer.privateKey, dac: 'DAC1', staticData: STATIC, format: 0x15 });
    expect(verifySmSsad(ctx, wrongFormat, 0, wrongFormat.length, STATIC, 0, STATIC.length)).toBe(SmFailure.Format);
    expect(verifySmSsad(ctx, ssad, 0, 66, STATIC, 0, STATIC.length)).toBe(SmFailure.Length);
  });

  it('SDAD fDDA 00: signed over bytes[0..2+L_DD) ‖ 9F37; returns the ATC as ICC dynamic number', () => {
    const ctx = chain();
    const sdad = buildSmSdad({ iccPrivateKey: icc.privateKey, iccDynamicNumber: '0042', terminalDynamicData: UN });
    expect(sdad[1]).toBe(3);
    expect(verifySmSdad(ctx, sdad, 0, sdad.length, UN, 0, 4)).toBeNull();
    expect(toHex(ctx.sdad.iccDynamicNumber, 0, ctx.sdad.iccDynamicNumberLength)).toBe('0042');
    expect(verifySmSdad(ctx, sdad, 0, sdad.length, fromHex('11223345'), 0, 4)).toBe(SmFailure.Signature);
  });

  it('SDAD fDDA 01: terminal data 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69', () => {
    const ctx = chain();
    const td = fromHex('11223344' + '000000000100' + '0156' + '01AABBCCDD000000');
    const sdad = buildSmSdad({ iccPrivateKey: icc.privateKey, iccDynamicNumber: '0001', terminalDynamicData: td });
    expect(verifySmSdad(ctx, sdad, 0, sdad.length, td, 0, td.length)).toBeNull();
    expect(verifySmSdad(ctx, sdad, 0, sdad.length, UN, 0, 4)).toBe(SmFailure.Signature);
  });

  it('SDAD structural failures', () => {
    const ctx = chain();
    const sign = (o: object) => buildSmSdad({ iccPrivateKey: icc.privateKey, terminalDynamicData: UN, ...o });
    const check = (b: Uint8Array, len = b.length) => verifySmSdad(ctx, b, 0, len, UN, 0, 4);
    expect(check(sign({ iccDynamicNumber: '0001', format: 0x05 }))).toBe(SmFailure.Format);
    expect(check(sign({ iccDynamicNumber: '0001' }), 68)).toBe(SmFailure.Length);
    expect(check(sign({ iccDynamicData: '05AABB' }))).toBe(SmFailure.DynamicData); // IDN length past L_DD
    expect(check(sign({ iccDynamicData: '01AA' }))).toBe(SmFailure.DynamicData); // IDN shorter than 2
    expect(check(flipLast(sign({ iccDynamicNumber: '0001' })))).toBe(SmFailure.Signature);
    const noKey = context();
    const sdad = sign({ iccDynamicNumber: '0001' });
    expect(verifySmSdad(noKey, sdad, 0, sdad.length, UN, 0, 4)).toBe(SmFailure.NoKey);
  });
});

describe('field checks', () => {
  it('issuer id: 3–8 leading digits, F padding only at the end', () => {
    const pan = fromHex('6235489730000218123F');
    expect(issuerIdMatchesPan(fromHex('62354897'), 0, pan, 10)).toBe(true);
    expect(issuerIdMatchesPan(fromHex('623FFFFF'), 0, pan, 10)).toBe(true);
    expect(issuerIdMatchesPan(fromHex('62FFFFFF'), 0, pan, 10)).toBe(false);
    expect(issuerIdMatchesPan(fromHex('623F5FFF'), 0, pan, 10)).toBe(false);
    expect(issuerIdMatchesPan(fromHex('62354898'), 0, pan, 10)).toBe(false);
  });

  it('PAN equality ignores F padding but not digits', () => {
    expect(panEquals(fromHex('6235489730000218123F'), 0, 10, fromHex('6235489730000218123F'), 0, 10)).toBe(true);
    expect(panEquals(fromHex('623548973000021812FF'), 0, 10, fromHex('623548973000021812'), 0, 9)).toBe(true);
    expect(panEquals(fromHex('623548973000021812FF'), 0, 10, fromHex('6235489730000218'), 0, 8)).toBe(false);
  });

  it('expiry: MMYY end of month, century window', () => {
    expect(expiryCheck(fromHex('1249'), 0, 491231)).toBeNull();
    expect(expiryCheck(fromHex('1249'), 0, 500101)).toBeNull(); // 1950 < 2049
    expect(expiryCheck(fromHex('1299'), 0, 10101)).toBe(SmFailure.Expired); // 1999 < 2001
    expect(expiryCheck(fromHex('0A25'), 0, 250101)).toBe(SmFailure.BadDate);
    expect(expiryCheck(fromHex('0025'), 0, 250101)).toBe(SmFailure.BadDate);
  });
});

describe('SM CA public-key store', () => {
  it('finds keys by RID and index, precomputed, and replaces on re-add', () => {
    const s = new SmCapkStore();
    const k1 = s.add({ rid: RID, index: '18', publicKey: toHex(ca.publicKey) });
    expect(k1.key.isPrecomputed).toBe(true);
    expect(s.get(fromHex('00A000000333'), 1, 0x18)).toBe(k1);
    expect(s.get(fromHex(RID), 0, 0x19)).toBeNull();
    expect(s.get(fromHex('A000000334'), 0, 0x18)).toBeNull();
    const k2 = s.add({ rid: RID, index: 0x18, publicKey: issuer.publicKey });
    expect(s.size).toBe(1);
    expect(s.get(fromHex(RID), 0, 0x18)).toBe(k2);
    expect(s.remove(fromHex(RID), 0, 0x18)).toBe(true);
    expect(s.size).toBe(0);
  });

  it('rejects unusable configuration, naming the field', () => {
    const s = new SmCapkStore();
    expect(() => s.add({ rid: 'A0000003', index: 1, publicKey: ca.publicKey })).toThrow(/rid/);
    expect(() => s.add({ rid: RID, index: 256, publicKey: ca.publicKey })).toThrow(/index/);
    expect(() => s.add({ rid: RID, index: 'G1', publicKey: ca.publicKey })).toThrow(/index/);
    expect(() => s.add({ rid: RID, index: 1, publicKey: new Uint8Array(64) })).toThrow(/publicKey/);
    expect(() => s.add({ rid: RID, index: 1, publicKey: ca.publicKey, expiry: '3012' })).toThrow(/expiry/);
  });

  it('knows when a CA key has expired', () => {
    const s = new SmCapkStore();
    const k = s.add({ rid: RID, index: 1, publicKey: ca.publicKey, expiry: '20301231' });
    expect(smCapkExpired(k, 301231)).toBe(false);
    expect(smCapkExpired(k, 310101)).toBe(true);
    expect(smCapkExpired(s.add({ rid: RID, index: 2, publicKey: ca.publicKey }), 991231)).toBe(false);
  });

});
