/**
 * `shanfu oda verify` with the project's own test PKI (fDDA has no public vector): exit codes,
 * JSON shape, "<stage>:<reason>" failures, unusable input → exit 2 with a message.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command, runRsaCase } from './oda.js';
import { buildIccCertificate, buildIssuerCertificate, buildSdad, dynamicDataWithIdn, rsaPrivateKeyFromJwk } from '../../../kernels/oda/rsa-cert-builder.js';
import { toHex } from '../../../kernels/util/hex.js';
import type { OdaCaseInput } from './oda-types.js';

const gen = (bits: number) => rsaPrivateKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 3 }).privateKey.export({ format: 'jwk' }));
const CA = gen(1024), ISSUER = gen(1024), ICC = gen(768);
const PAN = '6212345678901234', STATIC = '5F24032812317C00', UN = '1A2B3C4D', AMT = '000000000150', CUR = '0156', CAD = '01CAFEBABE800000';
const iss = buildIssuerCertificate({ ca: CA, issuerModulus: ISSUER.modulus, issuerExponent: '03', issuerId: '6212', expiry: '1230', serial: '0000AB' });
const icc = buildIccCertificate({ issuer: ISSUER, iccModulus: ICC.modulus, iccExponent: '03', pan: PAN, expiry: '1229', serial: '0000CD', staticData: STATIC });
const sdad = buildSdad({ icc: ICC, iccDynamicData: dynamicDataWithIdn('0012'), terminalDynamicData: UN + AMT + CUR + CAD });

const fdda: OdaCaseInput = {
  capk: { rid: 'A000000333', index: '0B', modulus: toHex(CA.modulus), exponent: '03' },
  method: 'fDDA',
  transactionDate: '261127',
  tags: { '5A': PAN, '90': toHex(iss.cert), '92': toHex(iss.remainder!), '9F32': '03', '9F46': toHex(icc.cert), '9F48': toHex(icc.remainder ?? new Uint8Array()), '9F47': '03', '9F4B': toHex(sdad), '9F37': UN, '9F02': AMT, '5F2A': CUR, '9F69': CAD },
  staticData: STATIC,
};
if (!icc.remainder) delete fdda.tags['9F48'];

const dir = mkdtempSync(join(tmpdir(), 'shanfu-oda-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(input: unknown, json = true): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof input === 'string' ? input : JSON.stringify(input));
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  try {
    const code = await command.run(['verify', ...(json ? ['--json'] : []), file]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('shanfu oda verify', () => {
  it('fDDA 01 chain with issuer and ICC remainders: ok, exit 0, all fields', async () => {
    const r = await cli(fdda);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o).toMatchObject({ ok: true, method: 'fDDA', failure: null, issuer: { ok: true, issuerId: '6212FFFF', expiry: '1230', serial: '0000AB', exponent: '03' }, icc: { ok: true, pan: PAN, expiry: '1229', serial: '0000CD' }, sdad: { ok: true, iccDynamicNumber: '0012' } });
    expect(o.issuer.modulus).toBe(toHex(ISSUER.modulus));
    expect(o.icc.modulus).toBe(toHex(ICC.modulus));
  });

  it('failures name the stage and reason, exit 1', async () => {
    const cases: [Partial<OdaCaseInput> & { tags?: Record<string, string> }, string][] = [
      [{ transactionDate: '310101' }, 'issuer:certificate-expired'],
      [{ tags: { ...fdda.tags, '9F02': '000000000151' } }, 'sdad:hash-mismatch'],
      [{ tags: { ...fdda.tags, '5A': '6212345678901235' } }, 'icc:pan-mismatch'],
      [{ staticData: '5F24032812317C01' }, 'icc:hash-mismatch'],
      [{ tags: Object.fromEntries(Object.entries(fdda.tags).filter(([t]) => t !== '92')) }, 'issuer:remainder-missing'],
    ];
    for (const [change, failure] of cases) {
      const r = await cli({ ...fdda, ...change });
      expect(r.code, failure).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ ok: false, failure });
    }
  });

  it('CHAIN checks only the certificates present; a given issuer key skips the issuer certificate', () => {
    const chainOnly = runRsaCase({ ...fdda, method: 'CHAIN', tags: { '5A': PAN, '90': fdda.tags['90']!, '92': fdda.tags['92']!, '9F32': '03' } });
    expect(chainOnly).toMatchObject({ ok: true, issuer: { ok: true } });
    expect(chainOnly.icc).toBeUndefined();
    const withIssuer = runRsaCase({ ...fdda, issuerPublicKey: { modulus: toHex(ISSUER.modulus), exponent: '03' }, tags: { ...fdda.tags, '90': '00' } });
    expect(withIssuer).toMatchObject({ ok: true, icc: { ok: true } });
    expect(withIssuer.issuer).toBeUndefined();
  });

  it('unusable input: exit 2, {"ok":false,"error"} and a message on stderr', async () => {
    for (const bad of ['{not json', { ...fdda, method: 'XDA' }, { ...fdda, transactionDate: '2026-11-27' }, { ...fdda, tags: { ...fdda.tags, '90': 'XYZ' } }, { ...fdda, capk: { ...fdda.capk, exponent: '05' } }]) {
      const r = await cli(bad);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out)).toMatchObject({ ok: false });
      expect(JSON.parse(r.out).error).toBeTruthy();
      expect(r.err).toMatch(/shanfu oda: /);
    }
  });

  it('prints a readable summary without --json', async () => {
    const r = await cli(fdda, false);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ODA fDDA: verified/);
    expect(r.out).toMatch(/issuer\s+ok\s+id 6212 expires 12\/30 serial 0000AB key 1024-bit e=03/);
    const f = await cli({ ...fdda, transactionDate: '310101' }, false);
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/FAILED at issuer:certificate-expired/);
  });
});
