import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSmCase } from './oda-sm.js';
import { OdaInputError, type OdaCaseInput } from './oda-types.js';
import { sm2TestKeyPair, type Sm2KeyPair } from '../../../kernels/oda/sm2.js';
import { buildSmIccCertificate, buildSmIssuerCertificate, buildSmSdad, buildSmSsad } from '../../../kernels/oda/sm-cert-builder.js';
import { toHex } from '../../../kernels/util/hex.js';

const PAN = '6235489730000218123';
const STATIC = '5F24032512319F0702FF008C039F37047C00';
let ca: Sm2KeyPair, issuer: Sm2KeyPair, icc: Sm2KeyPair;
let base: OdaCaseInput;

beforeAll(() => {
  ca = sm2TestKeyPair('oda-sm CA');
  issuer = sm2TestKeyPair('oda-sm issuer');
  icc = sm2TestKeyPair('oda-sm icc');
  const cert90 = buildSmIssuerCertificate({ caPrivateKey: ca.privateKey, issuerId: '62354897', expiry: '1230', serial: '000123', issuerPublicKey: issuer.publicKey });
  const cert9F46 = buildSmIccCertificate({ issuerPrivateKey: issuer.privateKey, pan: PAN, expiry: '0626', serial: '000456', iccPublicKey: icc.publicKey, staticData: STATIC });
  base = {
    capk: { rid: 'A000000333', index: '18', algorithm: 'SM2', publicKey: toHex(ca.publicKey) },
    method: 'CHAIN', transactionDate: '250101',
    tags: { '5A': PAN + 'F', '90': toHex(cert90), '9F46': toHex(cert9F46) },
    staticData: STATIC,
  };
});

const fdda = (terminal: string, extraTags: Record<string, string>): OdaCaseInput => ({
  ...base, method: 'fDDA',
  tags: { ...base.tags, ...extraTags, '9F4B': toHex(buildSmSdad({ iccPrivateKey: icc.privateKey, iccDynamicNumber: '0007', terminalDynamicData: terminal })) },
});

describe('runSmCase (shanfu oda verify, SM2)', () => {
  it('CHAIN: issuer and ICC certificates, with fields like the RSA output', () => {
    const o = runSmCase(base);
    expect(o).toMatchObject({ ok: true, method: 'CHAIN', failure: null,
      issuer: { ok: true, issuerId: '62354897', expiry: '1230', serial: '000123', publicKey: toHex(issuer.publicKey) },
      icc: { ok: true, pan: PAN, expiry: '0626', serial: '000456', publicKey: toHex(icc.publicKey) } });
  });

  it('CHAIN: stage and reason of the first failure', () => {
    expect(runSmCase({ ...base, transactionDate: '260630' }).ok).toBe(true);
    expect(runSmCase({ ...base, transactionDate: '260701' }).failure).toBe('icc:expired');
    expect(runSmCase({ ...base, transactionDate: '310101' }).failure).toBe('issuer:expired');
    expect(runSmCase({ ...base, staticData: STATIC.replace(/00$/, '01') }).failure).toBe('icc:signature invalid');
    expect(runSmCase({ ...base, tags: { ...base.tags, '5A': '6235489730000218124F' } }).failure).toBe('icc:PAN does not match certificate');
    expect(runSmCase({ ...base, tags: { ...base.tags, '5A': '6235499730000218123F' } }).failure).toBe('issuer:issuer id does not match PAN');
    expect(runSmCase({ ...base, capk: { ...base.capk, publicKey: toHex(issuer.publicKey) } }).failure).toBe('issuer:signature invalid');
    const { '90': _omit, ...noIssuer } = base.tags;
    expect(runSmCase({ ...base, tags: noIssuer }).failure).toBe('issuer:missing data');
  });

  it('fDDA 00: SDAD over 9F37; reports the ICC dynamic number', () => {
    const c = fdda('11223344', { '9F37': '11223344' });
    expect(runSmCase(c)).toMatchObject({ ok: true, failure: null, sdad: { ok: true, iccDynamicNumber: '0007' } });
    expect(runSmCase({ ...c, tags: { ...c.tags, '9F37': '11223345' } }).failure).toBe('sdad:signature invalid');
  });

  it('fDDA 01: SDAD over 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69 when the card returned 9F69', () => {
    const tags = { '9F37': '11223344', '9F02': '000000000150', '5F2A': '0156', '9F69': '01A1B2C3D4000000' };
    const c = fdda('11223344' + '000000000150' + '0156' + '01A1B2C3D4000000', tags);
    expect(runSmCase(c).ok).toBe(true);
    expect(runSmCase({ ...c, tags: { ...c.tags, '9F02': '000000000151' } }).failure).toBe('sdad:signature invalid');
    expect(runSmCase({ ...c, ddolData: '11223344' }).failure).toBe('sdad:signature invalid');
  });

  it('DDA with a known ICC key skips the certificates', () => {
    const sdad = buildSmSdad({ iccPrivateKey: icc.privateKey, iccDynamicNumber: '01020304', terminalDynamicData: 'CAFEBABE' });
    const c: OdaCaseInput = { capk: base.capk, method: 'DDA', transactionDate: '250101', iccPublicKey: { publicKey: toHex(icc.publicKey) },
      tags: { '9F4B': toHex(sdad) }, ddolData: 'CAFEBABE' };
    expect(runSmCase(c)).toMatchObject({ ok: true, sdad: { iccDynamicNumber: '01020304' } });
    expect(runSmCase({ ...c, iccPublicKey: { publicKey: toHex(issuer.publicKey) } }).failure).toBe('sdad:signature invalid');
  });

  it('SDA: issuer certificate then SSAD (format 13), reporting the DAC', () => {
    const ssad = buildSmSsad({ issuerPrivateKey: issuer.privateKey, dac: '3132', staticData: STATIC });
    const c: OdaCaseInput = { ...base, method: 'SDA', tags: { ...base.tags, '93': toHex(ssad) } };
    expect(runSmCase(c)).toMatchObject({ ok: true, ssad: { ok: true, dac: '3132' } });
    expect(runSmCase({ ...c, staticData: STATIC + '00' }).failure).toBe('ssad:signature invalid');
  });

  it('throws OdaInputError (exit 2) for unusable input', () => {
    expect(() => runSmCase({ ...base, transactionDate: '251301' })).toThrow(OdaInputError);
    expect(() => runSmCase({ ...base, method: 'CDA' })).toThrow(/CDA/);
    expect(() => runSmCase({ ...base, capk: { rid: 'A000000333', index: '18', algorithm: 'SM2' } })).toThrow(/publicKey/);
    expect(() => runSmCase({ ...base, tags: { ...base.tags, '90': 'XYZ' } })).toThrow(OdaInputError);
    expect(() => runSmCase(fdda('11223344', {}))).toThrow(/9F37/);
  });

  it('reports a CA key that is not on the curve as a capk failure', () => {
    const bad = toHex(ca.publicKey).slice(0, -1) + (toHex(ca.publicKey).endsWith('0') ? '1' : '0');
    expect(runSmCase({ ...base, capk: { ...base.capk, publicKey: bad } }).failure).toBe('capk:public key not on curve');
  });
});

const pbocFile = join(process.env.SHANFU_CONFORMANCE_VECTORS ?? join(__dirname, '../../../../shared/conformance/vectors'), 'pboc_sm2_certificates.json');
describe.skipIf(!existsSync(pbocFile))(`runSmCase on the PBOC sample chain (skipped when ${pbocFile} is absent)`, () => {
  it('verifies the CardPlatform chain under UnionPay test CA 18 and fails it when expired', () => {
    const p = JSON.parse(readFileSync(pbocFile, 'utf8'));
    const c: OdaCaseInput = { capk: p.ca, method: 'CHAIN', transactionDate: p.expect.validOnDate,
      tags: { '5A': p.pan, '90': p.issuerCertificate_90, '9F46': p.iccCertificate_9F46 }, staticData: p.staticDataWithAip };
    expect(runSmCase(c)).toMatchObject({ ok: true,
      issuer: { issuerId: p.expect.issuerId, expiry: p.expect.issuerExpiry, serial: p.expect.issuerSerial, publicKey: p.expect.issuerPublicKey },
      icc: { pan: p.pan, expiry: p.expect.iccExpiry, serial: p.expect.iccSerial, publicKey: p.expect.iccPublicKey } });
    expect(runSmCase({ ...c, transactionDate: p.expect.expiredOnDate }).failure).toBe('icc:expired');
  });
});
