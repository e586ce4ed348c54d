/**
 * SM2 personality (JR/T 0025.17, facts §3.1): DF69 in the PDOL, SM certificates chained to the SM2
 * test CA, fDDA signed with SM2 (format 15) only for terminals that send DF69 = 01.
 */
import { describe, expect, it } from 'vitest';
import { createCard } from './personalities.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { sm2Verify } from '../../kernels/oda/sm2.js';
import { loadTestSmCapks } from './pki-store.js';
import { concatBytes, fromHex, toHex } from '../../kernels/util/hex.js';

function tap(params: Parameters<TestTerminal['tap']>[0]) {
  const t = new TestTerminal(createCard('sm2-debit'));
  const r = t.tap(params);
  const rec: Record<string, string> = {};
  let staticData: Uint8Array = new Uint8Array(0);
  for (const x of r.records) {
    expect(x.reply.sw).toBe(0x9000);
    Object.assign(rec, tags(x.reply.data));
    if (x.oda) staticData = concatBytes(staticData, x.reply.data.slice(x.reply.data[1]! & 0x80 ? 2 + (x.reply.data[1]! & 0x7f) : 2));
  }
  return { ...r, t, rec, staticData: concatBytes(staticData, fromHex(r.g['82']!)) };
}

describe('sm2-debit', () => {
  it('asks DF69 in its PDOL; GPO data without it is 6700', () => {
    const card = createCard('sm2-debit');
    card.powerOn();
    const t = new TestTerminal(card);
    const f = tags(t.select('A000000333010101').data);
    expect(f['9F38']).toMatch(/DF6001DF6901$/);
    expect(t.gpo({}).sw).toBe(0x6700);
    expect(t.gpo({ df69: 1 }).sw).toBe(0x9000);
  });

  it('certificates chain to the SM2 test CA (F3) and the fDDA 01 signature verifies', () => {
    const { g, rec, staticData } = tap({ ttq: '26000080', amount: 888, un: '55667788' });
    expect(rec['8F']).toBe('F3');
    const ca = loadTestSmCapks().find((c) => c.index === 'F3')!;
    const issuerCert = fromHex(rec['90']!);
    expect(issuerCert.length).toBe(142);
    expect(issuerCert[0]).toBe(0x12);
    expect(sm2Verify(fromHex(ca.publicKey), issuerCert.subarray(0, 78), issuerCert.subarray(78))).toBe(true);
    const issuerKey = issuerCert.slice(14, 78);
    const iccCert = fromHex(rec['9F46']!);
    expect(iccCert.length).toBe(148);
    expect(toHex(iccCert, 1, 11).replace(/F+$/, '')).toBe(rec['5A']!.replace(/F+$/, ''));
    expect(sm2Verify(issuerKey, concatBytes(iccCert.subarray(0, 84), staticData), iccCert.subarray(84))).toBe(true);
    expect(sm2Verify(issuerKey, iccCert.subarray(0, 84), iccCert.subarray(84))).toBe(false); // static data is signed too
    const iccKey = iccCert.slice(20, 84);
    const sdad = fromHex(g['9F4B']!);
    expect(toHex(sdad, 0, 5)).toBe('150302' + g['9F36']);
    const tdd = fromHex('55667788' + '000000000888' + '0156' + g['9F69']);
    expect(sm2Verify(iccKey, concatBytes(sdad.subarray(0, 5), tdd), sdad.subarray(5))).toBe(true);
    expect(sm2Verify(iccKey, concatBytes(sdad.subarray(0, 5), fromHex('55667788')), sdad.subarray(5))).toBe(false);
  });

  it('a terminal without SM (DF69 = 00) gets no 9F4B', () => {
    const { g, gpo } = tap({ df69: 0 });
    expect(gpo.sw).toBe(0x9000);
    expect(g['9F26']).toBeDefined();
    expect(g['9F4B']).toBeUndefined();
  });
});
