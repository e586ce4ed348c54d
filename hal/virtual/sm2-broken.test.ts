/**
 * The broken SM2 personalities (test-vectors/cards/sm2-*.json, `defects` built by
 * kernels/oda/sm-cert-builder): each is checked twice — independently with `sm2Verify` over the
 * raw bytes (what is wrong, and that nothing else is), and with the SM ODA engine's step functions
 * (kernels/oda/sm-cert.ts), which must stop at the right step with the right reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCard, loadPersonality } from './personalities.js';
import { validatePersonality } from './personality.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { loadTestSmCapks } from './pki-store.js';
import { sm2Verify } from '../../kernels/oda/sm2.js';
import { SmCapkStore, SmRevocationList } from '../../kernels/oda/sm-capk.js';
import {
  SmFailure, SmOdaContext, verifySmIccCertificate, verifySmIssuerCertificate, verifySmSdad, type SmFailureReason,
} from '../../kernels/oda/sm-cert.js';
import { ShanfuError } from '../../kernels/util/errors.js';
import { concatBytes, fromHex, toHex } from '../../kernels/util/hex.js';

const UN = '55667788';
const AMOUNT = 888;

function tap(name: string) {
  const t = new TestTerminal(createCard(name));
  const r = t.tap({ ttq: '26000080', amount: AMOUNT, un: UN });
  expect(r.gpo.sw, name).toBe(0x9000);
  const rec: Record<string, string> = {};
  let staticData: Uint8Array = new Uint8Array(0);
  for (const x of r.records) {
    expect(x.reply.sw, name).toBe(0x9000);
    Object.assign(rec, tags(x.reply.data));
    if (x.oda) staticData = concatBytes(staticData, x.reply.data.slice(x.reply.data[1]! & 0x80 ? 2 + (x.reply.data[1]! & 0x7f) : 2));
  }
  const g = r.g;
  const issuerCert = fromHex(rec['90']!);
  const iccCert = fromHex(rec['9F46']!);
  const sdad = fromHex(g['9F4B']!);
  const tdd = fromHex(UN + String(AMOUNT).padStart(12, '0') + '0156' + g['9F69']);
  return { g, rec, issuerCert, iccCert, sdad, tdd, staticData: concatBytes(staticData, fromHex(g['82']!)) };
}

const caKey = () => fromHex(loadTestSmCapks().find((c) => c.index === 'F3')!.publicKey);

/** Independent checks (sm2Verify over the raw layouts of facts §3.1). */
function independent(name: string) {
  const d = tap(name);
  const issuerSigOk = sm2Verify(caKey(), d.issuerCert.subarray(0, 78), d.issuerCert.subarray(78));
  const issuerKey = d.issuerCert.slice(14, 78);
  const iccSigOk = sm2Verify(issuerKey, concatBytes(d.iccCert.subarray(0, 84), d.staticData), d.iccCert.subarray(84));
  const iccKey = d.iccCert.slice(20, 84);
  const head = d.sdad.subarray(0, 2 + d.sdad[1]!);
  const sdadSigOk = sm2Verify(iccKey, concatBytes(head, d.tdd), d.sdad.subarray(head.length));
  return {
    ...d,
    issuerSigOk, iccSigOk, sdadSigOk,
    issuerSerial: toHex(d.issuerCert, 7, 10),
    iccPan: toHex(d.iccCert, 1, 11).replace(/F+$/, ''),
    iccExpiry: toHex(d.iccCert, 11, 13),
  };
}

/** The SM engine's steps, as the kernel runs them (transaction date 26-11-27, test revocation list). */
function engine(name: string): SmFailureReason | null {
  const d = tap(name);
  const store = new SmCapkStore();
  for (const k of loadTestSmCapks()) store.add({ rid: k.rid, index: k.index, publicKey: k.publicKey, expiry: k.expiry, precompute: false });
  const revoked = new SmRevocationList();
  const list = JSON.parse(readFileSync(new URL('../../test-vectors/pki/revoked-test.json', import.meta.url), 'utf8')) as { rid: string; index: string; serial: string }[];
  for (const r of list) revoked.add(r.rid, r.index, r.serial);
  const ctx = new SmOdaContext();
  ctx.revocation = revoked;
  ctx.capk = store.get(fromHex('A000000333'), 0, parseInt(d.rec['8F']!, 16));
  ctx.transactionDate = 261127;
  ctx.setPan(fromHex(d.rec['5A']!));
  const f =
    verifySmIssuerCertificate(ctx, d.issuerCert, 0, d.issuerCert.length) ??
    verifySmIccCertificate(ctx, d.iccCert, 0, d.iccCert.length, d.staticData, 0, d.staticData.length) ??
    verifySmSdad(ctx, d.sdad, 0, d.sdad.length, d.tdd, 0, d.tdd.length);
  return f;
}

describe('broken SM2 personalities: what is wrong (independent sm2Verify checks)', () => {
  it('sm2-debit (control): every signature verifies', () => {
    const x = independent('sm2-debit');
    expect([x.issuerSigOk, x.iccSigOk, x.sdadSigOk]).toEqual([true, true, true]);
  });

  it('sm2-bad-issuer-signature: the issuer certificate signature does not verify under CA F3', () => {
    const x = independent('sm2-bad-issuer-signature');
    expect(x.rec['8F']).toBe('F3');
    expect(x.issuerCert.length).toBe(142);
    expect(x.issuerSigOk).toBe(false);
    // only the signature is altered: the rest of the chain is sound
    expect(x.iccSigOk).toBe(true);
    expect(x.sdadSigOk).toBe(true);
  });

  it('sm2-wrong-pan-in-cert: a validly signed ICC certificate for another PAN', () => {
    const x = independent('sm2-wrong-pan-in-cert');
    expect([x.issuerSigOk, x.iccSigOk, x.sdadSigOk]).toEqual([true, true, true]);
    expect(x.iccPan).toBe('6235480000000000997');
    expect(x.rec['5A']!.replace(/F+$/, '')).toBe('6235480000000000278');
  });

  it('sm2-revoked-issuer-serial: a valid issuer certificate whose serial (F3, 0DEAD3) is on the test revocation list', () => {
    const x = independent('sm2-revoked-issuer-serial');
    expect([x.issuerSigOk, x.iccSigOk, x.sdadSigOk]).toEqual([true, true, true]);
    expect(x.issuerSerial).toBe('0DEAD3');
    const list = JSON.parse(readFileSync(new URL('../../test-vectors/pki/revoked-test.json', import.meta.url), 'utf8')) as { rid: string; index: string; serial: string }[];
    expect(list).toContainEqual(expect.objectContaining({ rid: 'A000000333', index: 'F3', serial: '0DEAD3' }));
  });

  it('sm2-expired-icc-cert: a valid ICC certificate that expired 10/2025; the card and issuer certificate are current', () => {
    const x = independent('sm2-expired-icc-cert');
    expect([x.issuerSigOk, x.iccSigOk, x.sdadSigOk]).toEqual([true, true, true]);
    expect(x.iccExpiry).toBe('1025');
    expect(toHex(x.issuerCert, 5, 7)).toBe('1230');
    expect(x.rec['5F24']).toBe('301231');
  });

  it('sm2-bad-sdad: the certificates verify but the SDAD is not signed by the certified ICC key', () => {
    const x = independent('sm2-bad-sdad');
    expect([x.issuerSigOk, x.iccSigOk]).toEqual([true, true]);
    expect(toHex(x.sdad, 0, 5)).toBe('150302' + x.g['9F36']);
    expect(x.sdadSigOk).toBe(false);
  });
});

describe('broken SM2 personalities: the SM engine stops with the right reason', () => {
  it.each([
    ['sm2-debit', null],
    ['sm2-bad-issuer-signature', SmFailure.Signature],
    ['sm2-wrong-pan-in-cert', SmFailure.Pan],
    ['sm2-revoked-issuer-serial', SmFailure.Revoked],
    ['sm2-expired-icc-cert', SmFailure.Expired],
    ['sm2-bad-sdad', SmFailure.Signature],
  ] as const)('%s → %s', (name, reason) => {
    expect(engine(name)).toBe(reason);
  });
});

describe('SM2 defects: validation', () => {
  const sm2 = () => structuredClone(loadPersonality('sm2-debit')) as unknown as { applications: Record<string, unknown>[] } & Record<string, unknown>;
  const rsa = () => structuredClone(loadPersonality('debit-ec')) as unknown as { applications: Record<string, unknown>[] } & Record<string, unknown>;
  const fails = (p: unknown, msg: RegExp) => {
    expect(() => validatePersonality(p, 'x')).toThrow(ShanfuError);
    expect(() => validatePersonality(p, 'x')).toThrow(msg);
  };

  it('SM2-only defects are refused on RSA cards', () => {
    const p = rsa();
    p.applications[0]!.defects = { corruptIssuerCertSignature: true };
    fails(p, /applications\[0\]\.defects\.corruptIssuerCertSignature: only for SM2 cards/);
    const q = rsa();
    q.applications[0]!.defects = { sdadSigningKey: 'sm2-issuer' };
    fails(q, /applications\[0\]\.defects\.sdadSigningKey: only for SM2 cards/);
  });

  it('sdadSigningKey must be a key name other than the ICC key; corruptIssuerCertSignature a boolean', () => {
    const p = sm2();
    p.applications[0]!.defects = { sdadSigningKey: 'sm2-icc' };
    fails(p, /sdadSigningKey: is oda\.iccKey/);
    const q = sm2();
    q.applications[0]!.defects = { sdadSigningKey: 'SM2 Issuer' };
    fails(q, /sdadSigningKey: .* is not an SM2 key name/);
    const r = sm2();
    r.applications[0]!.defects = { corruptIssuerCertSignature: 'yes' };
    fails(r, /corruptIssuerCertSignature: expected true or false/);
  });

  it('the shipped broken SM2 personalities validate', () => {
    for (const n of ['sm2-bad-issuer-signature', 'sm2-wrong-pan-in-cert', 'sm2-revoked-issuer-serial', 'sm2-expired-icc-cert', 'sm2-bad-sdad'])
      expect(() => validatePersonality(JSON.parse(readFileSync(new URL(`../../test-vectors/cards/${n}.json`, import.meta.url), 'utf8')), n)).not.toThrow();
  });
});
