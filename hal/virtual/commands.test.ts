/**
 * The card at the APDU level: selection, FCI, records, GET DATA and the status words a real card
 * answers (ISO 7816-4; facts §1.2, §1.3).
 */
import { describe, expect, it } from 'vitest';
import { createCard } from './personalities.js';
import { TestTerminal, tags, templateTagOrder } from './testing/terminal.js';
import { decodeTlv } from '../../kernels/tlv/index.js';

function terminal(name: string) {
  const card = createCard(name);
  card.powerOn();
  return new TestTerminal(card);
}

describe('SELECT', () => {
  it('PPSE lists every application with 4F, 50 and 87', () => {
    const t = terminal('two-aids');
    const r = t.selectPpse();
    expect(r.sw).toBe(0x9000);
    const entries = decodeTlv(r.data)[0]!.children!.find((c) => c.tag === 'A5')!.children![0]!.children!;
    expect(entries.map((e) => e.tag)).toEqual(['61', '61']);
    const list = entries.map((e) => Object.fromEntries(e.children!.map((c) => [c.tag, c.value])));
    expect(list).toEqual([
      { '4F': 'A000000333010101', '50': Buffer.from('PBOC DEBIT').toString('hex').toUpperCase(), '87': '02' },
      { '4F': 'A000000333010102', '50': Buffer.from('PBOC CREDIT').toString('hex').toUpperCase(), '87': '01' },
    ]);
  });

  it('the AID FCI carries 84, 50, 87, the qPBOC PDOL and BF0C{9F4D}', () => {
    const t = terminal('debit-ec');
    const r = t.select('A000000333010101');
    expect(r.sw).toBe(0x9000);
    const f = tags(r.data);
    expect(f['84']).toBe('A000000333010101');
    expect(f['87']).toBe('01');
    expect(f['9F38']).toBe('9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001');
    expect(f['9F4D']).toBe('0B0A');
    expect(f['DF61']).toBeUndefined();
  });

  it('metro-transit announces the extended application with DF61 in BF0C', () => {
    expect(tags(terminal('metro-transit').select('A000000333010101').data)['DF61']).toBe('02');
  });

  it('partial name selects the first match, P2 = 02 the next occurrence, then 6A82', () => {
    const t = terminal('two-aids');
    expect(tags(t.select('A0000003330101').data)['84']).toBe('A000000333010101');
    expect(tags(t.select('A0000003330101', 0x02).data)['84']).toBe('A000000333010102');
    expect(t.select('A0000003330101', 0x02).sw).toBe(0x6a82);
  });

  it('an unknown AID is 6A82; P1 other than 04 is 6A86', () => {
    const t = terminal('debit-ec');
    expect(t.select('A000000333010199').sw).toBe(0x6a82);
    expect(t.send('00A400000E325041592E5359532E444446303100').sw).toBe(0x6a86);
  });

  it('blocked-app: SELECT answers the FCI with 6283, and GPO is refused with 6985', () => {
    const t = terminal('blocked-app');
    const r = t.select('A000000333010101');
    expect(r.sw).toBe(0x6283);
    expect(tags(r.data)['84']).toBe('A000000333010101');
    expect(t.gpo().sw).toBe(0x6985);
  });
});

describe('status words', () => {
  it('unknown INS 6D00, wrong CLA 6E00, malformed length 6700', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    expect(t.send('00E0000000').sw).toBe(0x6d00);
    expect(t.send('00A8000002830000').sw).toBe(0x6e00); // GPO needs CLA 80
    expect(t.send('80CA9F').sw).toBe(0x6700);
    expect(t.send('00A404000E3250').sw).toBe(0x6700); // Lc says 14, 2 bytes follow
  });

  it('GPO: before selection 6985, P1P2 ≠ 0000 6A86, PDOL data of the wrong length 6700', () => {
    const t = terminal('debit-ec');
    expect(t.gpo().sw).toBe(0x6985);
    t.select('A000000333010101');
    expect(t.send('80A8010002830000').sw).toBe(0x6a86);
    expect(t.send('80A8000004830211220000').sw).toBe(0x6700);
  });

  it('READ RECORD: unknown SFI 6A82, missing record 6A83, P2 without 04 6A86', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    expect(t.readRecord(9, 1).sw).toBe(0x6a82);
    expect(t.readRecord(1, 9).sw).toBe(0x6a83);
    expect(t.send('00B2010C00').sw).toBe(0x9000);
    expect(t.send('00B2010800').sw).toBe(0x6a86);
  });

  it('records are readable after SELECT without GPO (real qPBOC cards allow it)', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    const r = t.readRecord(1, 1);
    expect(r.sw).toBe(0x9000);
    expect(tags(r.data)['57']).toMatch(/^6228480000000000018D3012220/);
  });
});

describe('GET DATA', () => {
  it('answers the EC amounts, counters and log format as TLV', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    const v = (tag: number) => {
      const r = t.getData(tag);
      expect(r.sw).toBe(0x9000);
      return tags(r.data)[tag.toString(16).toUpperCase()];
    };
    expect(v(0x9f79)).toBe('000000050000');
    expect(v(0x9f77)).toBe('000000100000');
    expect(v(0x9f78)).toBe('000000020000');
    expect(v(0x9f6d)).toBe('000000001000');
    expect(v(0x9f36)).toBe('0000');
    expect(v(0x9f13)).toBe('0000');
    expect(v(0x9f4f)).toBe('9A039F21039F02069F03069F1A025F2A029F4E149C019F3602');
    expect(t.getData(0xdf62).sw).toBe(0x6a88); // no extended app on this card
  });

  it('credit-no-ec has no EC balance (6A88); extended-app cards answer DF62/DF63', () => {
    const c = terminal('credit-no-ec');
    c.select('A000000333010102');
    expect(c.getData(0x9f79).sw).toBe(0x6a88);
    const m = terminal('metro-transit');
    m.select('A000000333010101');
    expect(tags(m.getData(0xdf62).data)['DF62']).toBe('000000001000');
    expect(tags(m.getData(0xdf63).data)['DF63']).toBe('000000000000');
  });

  it('before any selection GET DATA is 6985', () => {
    expect(terminal('debit-ec').getData(0x9f79).sw).toBe(0x6985);
  });
});

describe('GPO response template (facts §1.7)', () => {
  it('TC: 77{82, 94, 9F36, 9F26, 9F10, 57, 5F34, 9F4B, 9F6C, 9F5D, 9F69}', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    const r = t.gpo({ ttq: '26000080', amount: 100 });
    expect(r.sw).toBe(0x9000);
    expect(templateTagOrder(r.data)).toEqual(['82', '94', '9F36', '9F26', '9F10', '57', '5F34', '9F4B', '9F6C', '9F5D', '9F69']);
  });

  it('ARQC: 77{82, 9F36, 57, 9F10, 9F26, 9F63, 5F34, 9F6C, 9F5D} and no AFL', () => {
    const t = terminal('debit-ec');
    t.select('A000000333010101');
    const r = t.gpo({ ttq: '26800000', amount: 100 });
    expect(templateTagOrder(r.data)).toEqual(['82', '9F36', '57', '9F10', '9F26', '9F63', '5F34', '9F6C', '9F5D']);
  });

  it('quasi-credit sends 9F27 (CID 40 for TC)', () => {
    const t = terminal('quasi-credit');
    t.select('A000000333010103');
    expect(tags(t.gpo().data)['9F27']).toBe('40');
  });
});
