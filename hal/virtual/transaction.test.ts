/**
 * Transactions: the card's GPO decision (facts §1.10), cryptogram and IAD (§1.9), the debit at the
 * last AFL record (§7.2), the transaction log, state persistence, and the broken GPO personalities.
 */
import { describe, expect, it } from 'vitest';
import { cmac } from '@noble/ciphers/aes.js';
import { createCard, loadPersonality } from './personalities.js';
import { QuickPassCard } from './card.js';
import { TestTerminal, tags, flatten, pdolValues } from './testing/terminal.js';
import { decodeTlv } from '../../kernels/tlv/index.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';

const ONLINE_READER = '26000080'; // online-capable, fDDA 01, online cryptogram not required
const ONLINE_REQUIRED = '26800080';
const OFFLINE_ONLY = '28000080';

/** CVR byte 2 & 0x30 from the IAD: 10 TC, 20 ARQC, 00 AAC (facts §1.7 / §1.9, QK reads 9F10[4]). */
function decisionOf(iad: string): string {
  return { 0x10: 'TC', 0x20: 'ARQC', 0x00: 'AAC' }[parseInt(iad.slice(8, 10), 16) & 0x30]!;
}

function gpoDecision(name: string, p: Parameters<TestTerminal['gpo']>[0]) {
  const card = createCard(name);
  card.powerOn();
  const t = new TestTerminal(card);
  t.select(loadPersonality(name).applications[0]!.aid);
  const r = t.gpo(p);
  expect(r.sw).toBe(0x9000);
  const g = tags(r.data);
  return { g, decision: decisionOf(g['9F10']!), hasAfl: g['94'] !== undefined };
}

describe('GPO decision (facts §1.10)', () => {
  it.each([
    ['debit-ec', ONLINE_READER, 100, '0156', 'TC'],
    ['debit-ec', OFFLINE_ONLY, 20000, '0156', 'TC'], // = single limit
    ['debit-ec', ONLINE_REQUIRED, 100, '0156', 'ARQC'], // reader forces online
    ['debit-ec', ONLINE_READER, 20001, '0156', 'ARQC'], // above 9F78
    ['debit-ec', OFFLINE_ONLY, 20001, '0156', 'AAC'],
    ['debit-ec', ONLINE_READER, 100, '0840', 'ARQC'], // currency ≠ 9F51
    ['ec-low-balance', ONLINE_READER, 300, '0156', 'TC'], // = balance
    ['ec-low-balance', ONLINE_READER, 301, '0156', 'ARQC'],
    ['ec-low-balance', OFFLINE_ONLY, 301, '0156', 'AAC'],
    ['credit-no-ec', ONLINE_READER, 100, '0156', 'ARQC'],
    ['credit-no-ec', OFFLINE_ONLY, 100, '0156', 'AAC'],
    ['asks-online', ONLINE_READER, 100, '0156', 'ARQC'],
    ['asks-online', OFFLINE_ONLY, 100, '0156', 'AAC'],
  ])('%s, TTQ %s, amount %i, currency %s → %s', (name, ttq, amount, currency, expected) => {
    const { decision, hasAfl } = gpoDecision(name, { ttq, amount, currency });
    expect(decision).toBe(expected);
    expect(hasAfl).toBe(expected === 'TC'); // online / decline responses carry no AFL
  });

  it('the cryptogram is AES-CMAC over the CVN 01 input and the IAD layout is 07 DKI 01 CVR 01 0A 01 balance MAC', () => {
    const p = loadPersonality('debit-ec');
    const { g } = gpoDecision('debit-ec', { ttq: ONLINE_READER, amount: 2500, un: 'DEADBEEF' });
    const v = pdolValues({ ttq: ONLINE_READER, amount: 2500, un: 'DEADBEEF' });
    const cvr = g['9F10']!.slice(6, 14);
    expect(cvr).toBe('03900000');
    // facts §1.9: 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36 CVR
    const input = fromHex([v['9F02'], v['9F03'], v['9F1A'], v['95'], v['5F2A'], v['9A'], v['9C'], v['9F37'], g['82'], g['9F36'], cvr].join(''));
    expect(g['9F26']).toBe(toHex(cmac(input, fromHex(p.applications[0]!.keys.ac)).slice(0, 8)));
    expect(g['9F10']!.slice(0, 6)).toBe('070101');
    expect(g['9F10']!.slice(14, 30)).toBe('010A01' + '0000047500'); // balance after the debit, 5 bytes
  });

  it('the ATC counts every GPO, online or offline', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    const atcs = [ONLINE_READER, ONLINE_REQUIRED, OFFLINE_ONLY].map((ttq) => t.tap({ ttq }).g['9F36']);
    expect(atcs).toEqual(['0001', '0002', '0003']);
    expect(card.atc()).toBe(3);
  });

  it('phone-wallet CTQ has byte 2 b8 (consumer device CVM performed); a plain card does not', () => {
    expect(parseInt(gpoDecision('phone-wallet', {}).g['9F6C']!.slice(2, 4), 16) & 0x80).toBe(0x80);
    expect(parseInt(gpoDecision('debit-ec', {}).g['9F6C']!.slice(2, 4), 16) & 0x80).toBe(0);
  });
});

describe('the debit is committed at the last AFL record (facts §7.2)', () => {
  it('a full tap debits once; reading the last record again returns the same bytes and does not debit again', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    const tap = t.tap({ amount: 1500 });
    expect(tap.recordSw).toBe(0x9000);
    expect(card.balance()).toBe(48500);
    const last = tap.records[tap.records.length - 1]!;
    const again = t.readRecord(last.sfi, last.rec);
    expect(again.hex).toBe(last.reply.hex);
    expect(card.balance()).toBe(48500);
    expect(tags(t.getData(0x9f79).data)['9F79']).toBe('000000048500');
  });

  it('reading all but the last record debits nothing; the card leaving the field loses the transaction', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    t.tap({ amount: 1500, stopBeforeLast: true });
    expect(card.balance()).toBe(50000);
    card.powerOff();
    card.powerOn();
    t.select('A000000333010101');
    expect(t.readRecord(3, 3).sw).toBe(0x9000); // the last record, but no GPO in this session
    expect(card.balance()).toBe(50000);
  });

  it('an ARQC or AAC never debits', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    t.tap({ ttq: ONLINE_REQUIRED, amount: 1500 });
    t.tap({ ttq: OFFLINE_ONLY, amount: 90000 });
    expect(card.balance()).toBe(50000);
  });

  it('a new SELECT between GPO and the last record abandons the transaction', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    card.powerOn();
    t.select('A000000333010101');
    t.gpo({ amount: 700 });
    t.select('A000000333010101');
    expect(t.readRecord(3, 3).sw).toBe(0x9000);
    expect(card.balance()).toBe(50000);
  });

  it('the committed transaction is logged (9F4D → SFI 0B), most recent first, in the 9F4F format', () => {
    const card = createCard('debit-ec');
    const t = new TestTerminal(card);
    t.tap({ amount: 111, date: '261120' });
    t.tap({ amount: 222, date: '261121' });
    t.tap({ amount: 333, ttq: ONLINE_REQUIRED }); // online: not logged by this card
    const r1 = t.readRecord(11, 1);
    const r2 = t.readRecord(11, 2);
    expect(t.readRecord(11, 3).sw).toBe(0x6a83);
    // 9A03 9F2103 9F0206 9F0306 9F1A02 5F2A02 9F4E14 9C01 9F3602
    const expected = (date: string, amt: string, atc: string) => date + '000000' + amt + '000000000000' + '0156' + '0156' + '00'.repeat(20) + '00' + atc;
    expect(toHex(r1.data)).toBe(expected('261121', '000000000222', '0002'));
    expect(toHex(r2.data)).toBe(expected('261120', '000000000111', '0001'));
  });
});

describe('state persistence', () => {
  it('balance, ATC and log survive export/import; a state for another card is refused', () => {
    const card = createCard('debit-ec');
    new TestTerminal(card).tap({ amount: 1000 });
    const saved = JSON.parse(JSON.stringify(card.state));
    const again = QuickPassCard.fromPersonality(loadPersonality('debit-ec'), saved);
    expect(again.balance()).toBe(49000);
    expect(again.atc()).toBe(1);
    const t = new TestTerminal(again);
    expect(t.tap({ amount: 1000 }).g['9F36']).toBe('0002');
    expect(again.balance()).toBe(48000);
    expect(card.balance()).toBe(49000); // the first card object is independent
    expect(() => QuickPassCard.fromPersonality(loadPersonality('ec-only'), saved)).toThrow(/state is for "debit-ec"/);
  });
});

describe('broken GPO and AFL personalities', () => {
  it('missing-mandatory-tag has no 57; missing-cryptogram has no 9F26', () => {
    expect(gpoDecision('missing-mandatory-tag', {}).g['57']).toBeUndefined();
    expect(gpoDecision('missing-mandatory-tag', {}).g['9F26']).toBeDefined();
    expect(gpoDecision('missing-cryptogram', {}).g['9F26']).toBeUndefined();
  });

  it('duplicated-tag carries 9F36 twice', () => {
    const card = createCard('duplicated-tag');
    const t = new TestTerminal(card);
    const tap = t.tap();
    expect(flatten(decodeTlv(tap.gpo.data)).get('9F36')).toHaveLength(2);
  });

  it('malformed-tlv: the GPO template length overruns the response', () => {
    const card = createCard('malformed-tlv');
    card.powerOn();
    const t = new TestTerminal(card);
    t.select('A000000333010101');
    const r = t.gpo();
    expect(r.sw).toBe(0x9000);
    expect(() => decodeTlv(r.data)).toThrow(/overrun/);
  });

  it('afl-absent-record: the last AFL record answers 6A83 and the card never debits', () => {
    const card = createCard('afl-absent-record');
    const tap = new TestTerminal(card).tap({ amount: 100 });
    expect(tap.g['94']!.slice(-8)).toBe('10020200');
    expect(tap.recordSw).toBe(0x6a83);
    expect(card.balance()).toBe(50000);
  });

  it('expired and not-yet-effective cards still approve at the card; their records carry the dates', () => {
    for (const [name, exp, eff] of [
      ['expired', '250630', '200101'],
      ['not-yet-effective', '341231', '290101'],
    ] as const) {
      const card = createCard(name);
      const tap = new TestTerminal(card).tap();
      expect(decisionOf(tap.g['9F10']!)).toBe('TC');
      const all = Object.assign({}, ...tap.records.map((r) => tags(r.reply.data)));
      expect(all['5F24']).toBe(exp);
      expect(all['5F25']).toBe(eff);
    }
  });
});

