/**
 * The transit extended application (facts §4): READ CAPP DATA, UPDATE CAPP DATA CACHE with its MAC,
 * the atomic commit with the EC debit at the last record, 6974 / 6985 / 6988, GET TRANS PROVE,
 * the deposit offset (DF62/DF63) and pre-authorisation (DF60 = 02 / 03).
 */
import { describe, expect, it } from 'vitest';
import { createCard, loadPersonality } from './personalities.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { cappUpdateMac, cappReadMac } from './extended-app.js';
import { concatBytes, fromHex, toHex } from '../../kernels/util/hex.js';

const AID = 'A000000333010101';
const SFI = 0x15;
const P2 = (SFI << 3).toString(16).toUpperCase(); // A8, as XAM sends it
const recordKey = (id: string) => fromHex(loadPersonality('metro-transit').applications[0]!.extendedApp!.files[0]!.records.find((r) => r.id === id)!.key);

function session(opts: { amount?: number; df60?: number; ttq?: string } = {}) {
  const card = createCard('metro-transit');
  card.powerOn();
  const t = new TestTerminal(card);
  t.selectPpse();
  t.select(AID);
  const gpo = t.gpo({ ttq: opts.ttq ?? '28000080', amount: opts.amount ?? 300, df60: opts.df60 ?? 1 });
  return { card, t, gpo, g: gpo.sw === 0x9000 ? tags(gpo.data) : {} };
}

function readCapp(t: TestTerminal, id: string) {
  return t.send(`80B400${P2}02${id}00`);
}

/** UPDATE CAPP DATA CACHE with a correct (or broken) MAC. */
function updateCapp(t: TestTerminal, atc: number, record: Uint8Array, opts: { key?: Uint8Array; breakMac?: boolean } = {}) {
  const header = new Uint8Array([0x84, 0xde, 0x00, SFI << 3, record.length + 4]);
  const mac = cappUpdateMac(opts.key ?? recordKey(toHex(record, 0, 2)), atc, header, record);
  if (opts.breakMac) mac[0]! ^= 1;
  return t.send(concatBytes(header, record, mac));
}

function entryRecord(id: string, station: number): Uint8Array {
  const r = new Uint8Array(64);
  r.set(fromHex(id), 0);
  r[2] = 0x01; // entered
  r[3] = station;
  return r;
}

function readAllRecords(t: TestTerminal, afl: string) {
  let last = { sw: 0, hex: '' };
  for (const [sfi, rec] of TestTerminal.aflRecords(afl)) last = t.readRecord(sfi, rec);
  return last;
}

describe('extended application (facts §4)', () => {
  it('READ CAPP DATA returns the personalised record (ID ‖ zeros), with an RMAC when given a terminal random', () => {
    const { t } = session();
    const r = readCapp(t, '2701');
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data)).toBe('2701' + '00'.repeat(62));
    const withMac = t.send(`80B400${P2}0A27010102030405060708`);
    expect(toHex(withMac.data.slice(0, 64))).toBe(toHex(r.data));
    expect(toHex(withMac.data.slice(64))).toBe(toHex(cappReadMac(recordKey('2701'), r.data, fromHex('0102030405060708'))));
    expect(readCapp(t, '2799').sw).toBe(0x6a83);
    expect(t.send('80B400B0022701').sw).toBe(0x6a82); // SFI 0x16 is not an extended file
  });

  it('segmented deduction: GPO TC → READ CAPP → UPDATE → last record commits the record and the debit together', () => {
    const { card, t, g } = session({ amount: 300, df60: 1 });
    expect(parseInt(g['9F10']!.slice(8, 10), 16) & 0x30).toBe(0x10); // TC
    expect(g['9F69']!.slice(-2)).toBe('02'); // 9F69 byte 8 = DF61 (facts §1.11)
    readCapp(t, '2701');
    const atc = parseInt(g['9F36']!, 16);
    expect(updateCapp(t, atc, entryRecord('2701', 0x42)).sw).toBe(0x9000);
    // Cached only: a reader looking now still sees the old record and balance.
    expect(toHex(readCapp(t, '2701').data)).toBe('2701' + '00'.repeat(62));
    expect(card.balance()).toBe(50000);
    expect(readAllRecords(t, g['94']!).sw).toBe(0x9000);
    expect(card.balance()).toBe(49700);
    expect(toHex(readCapp(t, '2701').data)).toBe(toHex(entryRecord('2701', 0x42)));
    // GET TRANS PROVE: the TC of that ATC; unknown ATC 9406
    const prove = t.send(`805A000002${g['9F36']}`);
    expect(prove.sw).toBe(0x9000);
    expect(toHex(prove.data)).toBe(g['9F26']);
    expect(t.send('805A0000020999').sw).toBe(0x9406);
  });

  it('pulled away after UPDATE but before the last record: neither the record nor the debit is committed', () => {
    const { card, t, g } = session();
    readCapp(t, '2701');
    updateCapp(t, parseInt(g['9F36']!, 16), entryRecord('2701', 7));
    card.powerOff();
    card.powerOn();
    t.select(AID);
    expect(toHex(readCapp(t, '2701').data)).toBe('2701' + '00'.repeat(62));
    expect(card.balance()).toBe(50000);
    expect(t.send(`805A000002${g['9F36']}`).sw).toBe(0x9406);
  });

  it('6974: the cached UPDATE is for another record than the last READ CAPP DATA; nothing commits', () => {
    const { card, t, g } = session();
    readCapp(t, '2701');
    expect(updateCapp(t, parseInt(g['9F36']!, 16), entryRecord('2702', 1)).sw).toBe(0x9000);
    expect(readAllRecords(t, g['94']!).sw).toBe(0x6974);
    expect(card.balance()).toBe(50000);
    expect(toHex(readCapp(t, '2702').data)).toBe('2702' + '00'.repeat(62));
  });

  it('6988 for a wrong MAC (and for a MAC computed under the wrong ATC); 6985 without a TC', () => {
    const { t, g } = session();
    const atc = parseInt(g['9F36']!, 16);
    readCapp(t, '2701');
    expect(updateCapp(t, atc, entryRecord('2701', 1), { breakMac: true }).sw).toBe(0x6988);
    expect(updateCapp(t, atc + 1, entryRecord('2701', 1)).sw).toBe(0x6988);
    expect(updateCapp(t, atc, entryRecord('2701', 1), { key: recordKey('2702') }).sw).toBe(0x6988);
    // An online-only reader: ARQC, so UPDATE is not allowed
    const online = session({ ttq: '26800080' });
    expect(updateCapp(online.t, parseInt(online.g['9F36']!, 16), entryRecord('2701', 1)).sw).toBe(0x6985);
    // Before any GPO
    const card = createCard('metro-transit');
    card.powerOn();
    const t2 = new TestTerminal(card);
    t2.select(AID);
    expect(updateCapp(t2, 0, entryRecord('2701', 1)).sw).toBe(0x6985);
  });

  it('record length: longer 6A84, shorter 6A80', () => {
    const { t, g } = session();
    const atc = parseInt(g['9F36']!, 16);
    expect(updateCapp(t, atc, concatBytes(entryRecord('2701', 1), new Uint8Array(1))).sw).toBe(0x6a84);
    expect(updateCapp(t, atc, entryRecord('2701', 1).slice(0, 63)).sw).toBe(0x6a80);
  });

  it('deposit offset: an amount above the balance spends the balance and books the rest in DF63, up to DF62', () => {
    const card = createCard('metro-transit');
    card.powerOn();
    const t = new TestTerminal(card);
    t.select(AID);
    // Bring the balance down to ¥2.00 with normal debits (single limit ¥200)
    for (const amount of [20000, 20000, 9800]) {
      const g = tags(t.gpo({ ttq: '28000080', amount }).data);
      readAllRecords(t, g['94']!);
    }
    expect(card.balance()).toBe(200);
    // DF60 = 00: no offset, 500 > 200 → declined offline
    expect(parseInt(tags(t.gpo({ ttq: '28000080', amount: 500, df60: 0 }).data)['9F10']!.slice(8, 10), 16) & 0x30).toBe(0x00);
    // DF60 = 01: 500 ≤ 200 + offset limit 1000 → TC; DF63 = 300 after the commit
    const g = tags(t.gpo({ ttq: '28000080', amount: 500, df60: 1 }).data);
    expect(parseInt(g['9F10']!.slice(8, 10), 16) & 0x30).toBe(0x10);
    readAllRecords(t, g['94']!);
    expect(card.balance()).toBe(0);
    expect(tags(t.getData(0xdf63).data)['DF63']).toBe('000000000300');
    // Remaining offset room is 700: 701 is declined
    expect(parseInt(tags(t.gpo({ ttq: '28000080', amount: 701, df60: 1 }).data)['9F10']!.slice(8, 10), 16) & 0x30).toBe(0x00);
  });

  it('pre-authorisation (DF60 02) holds the amount, completion (03) settles the real fare; 6973 / 6971', () => {
    const card = createCard('metro-transit');
    card.powerOn();
    const t = new TestTerminal(card);
    t.select(AID);
    expect(t.gpo({ df60: 3, amount: 200 }).sw).toBe(0x6973); // completion without a pre-auth
    const op = tags(t.gpo({ ttq: '28000080', df60: 2, amount: 700 }).data);
    readAllRecords(t, op['94']!);
    expect(card.balance()).toBe(49300);
    expect(toHex(t.send(`805A000002${op['9F36']}`).data)).toBe('0000000000000000'); // OP proof is all zero
    const opc = tags(t.gpo({ ttq: '28000080', df60: 3, amount: 400 }).data);
    expect(opc['9F5D']).toBe('000000049600'); // the balance after: hold released, fare spent
    readAllRecords(t, opc['94']!);
    expect(card.balance()).toBe(49600);
    for (let i = 0; i < 3; i++) readAllRecords(t, tags(t.gpo({ ttq: '28000080', df60: 2, amount: 100 }).data)['94']!);
    expect(t.gpo({ ttq: '28000080', df60: 2, amount: 100 }).sw).toBe(0x6971);
  });

  it('cards without the extended application answer its commands with 6D00', () => {
    const card = createCard('debit-ec');
    card.powerOn();
    const t = new TestTerminal(card);
    t.select(AID);
    expect(readCapp(t, '2701').sw).toBe(0x6d00);
    expect(t.send('805A0000020001').sw).toBe(0x6d00);
  });
});

describe('DF60 outside the extended application', () => {
  it('a card without the extended app ignores DF60 = 02 (no hold, no proof); DF60 = 04 is treated as 00', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    t.tap({ ttq: '28000080', amount: 100, df60: 2 });
    expect(card.state.apps['A000000333010101']!.preauths).toEqual([]);
    expect(card.balance()).toBe(49900);
    const metro = createCard('metro-transit');
    const m = new TestTerminal(metro);
    const tap = m.tap({ ttq: '28000080', amount: 100, df60: 4 });
    expect(metro.balance()).toBe(49900);
    expect(m.send(`805A000002${tap.g['9F36']}`).sw).toBe(0x9406); // a normal transaction: no proof
  });
});
