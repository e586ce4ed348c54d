/**
 * The card's offline data authentication, checked independently (node:crypto recovery, layouts of
 * facts §2): certificates chain from the test CAPK, fDDA 00/01 signatures verify, SDA and DDA
 * verify, and the broken personalities are broken the way they say.
 */
import { describe, expect, it } from 'vitest';
import { createCard } from './personalities.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { capk, recoverIcc, recoverIssuer, recoverSdad, recoverSsad, revokedSerials } from './testing/oda-check.js';
import { concatBytes, fromHex } from '../../kernels/util/hex.js';

/** Reads a card like a terminal would and recovers its certificate chain. */
function tapAndRecover(name: string, gpo: Parameters<TestTerminal['tap']>[0] = {}) {
  const t = new TestTerminal(createCard(name));
  const tap = t.tap(gpo);
  expect(tap.gpo.sw).toBe(0x9000);
  const all: Record<string, string> = {};
  let staticData: Uint8Array = new Uint8Array(0);
  for (const r of tap.records) {
    expect(r.reply.sw).toBe(0x9000);
    Object.assign(all, tags(r.reply.data));
    // SFI 1–10: the template-70 value joins the static data (facts §2.6)
    if (r.oda) staticData = concatBytes(staticData, r.reply.data.slice(headerLen(r.reply.data, 0)));
  }
  if (all['9F4A'] === '82') staticData = concatBytes(staticData, fromHex(tap.g['82']!));
  const ca = capk(parseInt(all['8F']!, 16));
  const issuer = recoverIssuer(ca, fromHex(all['90']!), fromHex(all['92'] ?? ''), fromHex(all['9F32']!));
  return { t, tap, all, staticData, issuer };
}

/** Tag + length header size of the TLV object at `off`. */
function headerLen(buf: Uint8Array, off: number): number {
  let p = off;
  if ((buf[p++]! & 0x1f) === 0x1f) while (buf[p++]! & 0x80);
  const l = buf[p++]!;
  if (l & 0x80) p += l & 0x7f;
  return p - off;
}

describe('fDDA (facts §1.11, §2.4)', () => {
  it('debit-ec: CA → issuer → ICC chain verifies and the fDDA 01 SDAD covers 9F37‖9F02‖5F2A‖9F69', () => {
    const { tap, all, staticData, issuer } = tapAndRecover('debit-ec', { ttq: '26000080', amount: 1234, un: 'CAFEBABE' });
    expect(issuer.frameOk && issuer.hashOk).toBe(true);
    expect(issuer.issuerId).toBe('622848FF');
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    expect(icc.frameOk && icc.hashOk).toBe(true);
    expect(icc.pan.replace(/F+$/, '')).toBe(all['5A']!.replace(/F+$/, ''));
    const g = tap.g;
    expect(g['9F69']).toMatch(/^01[0-9A-F]{8}[0-9A-F]{4}00$/);
    expect(g['9F69']!.slice(10, 14)).toBe(g['9F6C']);
    const tdd = fromHex('CAFEBABE' + '000000001234' + '0156' + g['9F69']);
    const sdad = recoverSdad(icc.key, fromHex(g['9F4B']!), tdd);
    expect(sdad.frameOk && sdad.hashOk).toBe(true);
    expect(sdad.iccDynamicData).toBe('02' + g['9F36']); // ICC dynamic number = ATC
    // The same signature does not verify over fDDA 00 data: the version matters.
    expect(recoverSdad(icc.key, fromHex(g['9F4B']!), fromHex('CAFEBABE')).hashOk).toBe(false);
  });

  it('debit-ec: a reader without fDDA 01 (TTQ byte 4 = 00) gets version 00: no 9F69, SDAD over 9F37 only', () => {
    const { tap, all, staticData, issuer } = tapAndRecover('debit-ec', { ttq: '26000000', un: '01020304' });
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    expect(tap.g['9F69']).toBeUndefined();
    expect(recoverSdad(icc.key, fromHex(tap.g['9F4B']!), fromHex('01020304')).hashOk).toBe(true);
  });

  it('quasi-credit: ICC key with e = 65537 verifies (9F47 = 010001)', () => {
    const { tap, all, staticData, issuer } = tapAndRecover('quasi-credit', { ttq: '26000080' });
    expect(all['9F47']).toBe('010001');
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    expect(icc.hashOk).toBe(true);
    const tdd = fromHex('11223344' + '000000000100' + '0156' + tap.g['9F69']);
    expect(recoverSdad(icc.key, fromHex(tap.g['9F4B']!), tdd).hashOk).toBe(true);
  });

  it('ec-only: fDDA 00 only — no 9F69 even when the reader supports 01; 1408-bit CA and issuer remainder 92', () => {
    const { tap, all, staticData, issuer } = tapAndRecover('ec-only', { ttq: '26000080' });
    expect(all['8F']).toBe('F2');
    expect(all['92']).toHaveLength(8); // 144-byte issuer key, 176 − 36 = 140 bytes of room: 4 bytes in 92 (facts §2.1)
    expect(issuer.hashOk).toBe(true);
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    expect(icc.hashOk).toBe(true);
    expect(tap.g['9F69']).toBeUndefined();
    expect(recoverSdad(icc.key, fromHex(tap.g['9F4B']!), fromHex('11223344')).hashOk).toBe(true);
  });
});

describe('SDA and DDA', () => {
  it('sda-debit: 93 verifies over the static data + AIP; the GPO carries no 9F4B', () => {
    const { tap, all, staticData, issuer } = tapAndRecover('sda-debit', {});
    expect(tap.g['82']!.slice(0, 2)).toBe('58'); // AIP byte 1: SDA 40 | CVM 10 | TRM 08
    expect(tap.g['9F4B']).toBeUndefined();
    const ssad = recoverSsad(issuer.key, fromHex(all['93']!), staticData);
    expect(ssad.frameOk && ssad.hashOk).toBe(true);
  });

  it('dda-debit: INTERNAL AUTHENTICATE returns an SDAD over the DDOL data (9F37)', () => {
    const { t, all, staticData, issuer } = tapAndRecover('dda-debit', {});
    expect(all['9F49']).toBe('9F3704');
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    const r = t.send('0088000004A1B2C3D400');
    expect(r.sw).toBe(0x9000);
    const sdad = fromHex(tags(r.data)['80']!);
    expect(recoverSdad(icc.key, sdad, fromHex('A1B2C3D4')).hashOk).toBe(true);
    expect(recoverSdad(icc.key, sdad, fromHex('A1B2C3D5')).hashOk).toBe(false);
  });
});

describe('broken ODA personalities', () => {
  it('bad-cert-hash: the issuer certificate frame is fine but its hash does not match', () => {
    const { issuer } = tapAndRecover('bad-cert-hash');
    expect(issuer.frameOk).toBe(true);
    expect(issuer.hashOk).toBe(false);
  });

  it('wrong-pan-in-cert: the ICC certificate verifies but names another PAN than 5A', () => {
    const { all, staticData, issuer } = tapAndRecover('wrong-pan-in-cert');
    const icc = recoverIcc(issuer.key, fromHex(all['9F46']!), fromHex(all['9F48'] ?? ''), fromHex(all['9F47']!), staticData);
    expect(icc.hashOk).toBe(true);
    expect(icc.pan.replace(/F+$/, '')).toMatch(/^\d+$/);
    expect(icc.pan.replace(/F+$/, '')).not.toBe(all['5A']!.replace(/F+$/, ''));
  });

  it('revoked-issuer-serial: a valid issuer certificate whose serial is on the revocation list', () => {
    const { issuer } = tapAndRecover('revoked-issuer-serial');
    expect(issuer.hashOk).toBe(true);
    expect(revokedSerials()).toContain(issuer.serial);
  });

  it('every other fDDA personality chains to a CAPK with valid hashes and an unrevoked serial', () => {
    for (const name of ['debit-ec', 'quasi-credit', 'ec-only', 'metro-transit', 'phone-wallet', 'expired', 'ec-low-balance']) {
      const { issuer } = tapAndRecover(name);
      expect(issuer.hashOk, name).toBe(true);
      expect(revokedSerials(), name).not.toContain(issuer.serial);
    }
  });
});

