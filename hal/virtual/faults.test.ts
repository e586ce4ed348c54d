/**
 * Fault injection, phone-wallet locking and the latency model.
 */
import { describe, expect, it } from 'vitest';
import { createCard } from './personalities.js';
import { TestTerminal, tags } from './testing/terminal.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import { airMicros } from './latency.js';

function selected(name: string, faults: Parameters<typeof createCard>[1] = {}) {
  const card = createCard(name, faults);
  card.powerOn();
  const t = new TestTerminal(card);
  return { card, t };
}

describe('fault injection', () => {
  it('status: replaces the answer to command N without running it', () => {
    const { card, t } = selected('debit-ec', { faults: [{ command: 3, action: 'status', sw: '6984' }] });
    t.selectPpse();
    t.select('A000000333010101');
    expect(t.gpo().sw).toBe(0x6984);
    expect(card.atc()).toBe(0); // not executed
    expect(t.gpo().sw).toBe(0x9000); // fires once
  });

  it('status by INS with times: every READ RECORD answers 6A83 twice, then normally', () => {
    const { t } = selected('debit-ec', { faults: [{ ins: 'B2', action: 'status', sw: '6A83', times: 2 }] });
    t.select('A000000333010101');
    expect([t.readRecord(1, 1).sw, t.readRecord(1, 1).sw, t.readRecord(1, 1).sw]).toEqual([0x6a83, 0x6a83, 0x9000]);
  });

  it('61xx: the response comes through GET RESPONSE in chunks, ending with the real SW', () => {
    const plain = selected('debit-ec').t;
    const full = plain.select('A000000333010101');
    const { t } = selected('debit-ec', { faults: [{ ins: 'A4', action: 'chain61', chunk: 16 }] });
    const first = t.select('A000000333010101');
    expect(first.sw).toBe(0x6110);
    expect(first.data.length).toBe(0);
    let data = '';
    let r = t.send('00C0000010');
    while (r.sw >> 8 === 0x61) {
      data += toHex(r.data);
      r = t.send(`00C00000${(r.sw & 0xff).toString(16).padStart(2, '0')}`);
    }
    data += toHex(r.data);
    expect(r.sw).toBe(0x9000);
    expect(data).toBe(toHex(full.data));
    expect(t.send('00C0000010').sw).toBe(0x6985); // nothing left
  });

  it('6Cxx: wrong Le is answered with the exact length; the re-issued command gets the data', () => {
    const { card, t } = selected('debit-ec', { faults: [{ ins: 'CA', action: 'wrongLe' }] });
    t.select('A000000333010101');
    const r = t.send('80CA9F7920');
    expect(r.sw).toBe(0x6c09);
    const again = t.send('80CA9F7909');
    expect(again.sw).toBe(0x9000);
    expect(tags(again.data)['9F79']).toBe('000000050000');
    expect(card.balance()).toBe(50000);
  });

  it('truncate and mutate damage the data but keep the status word', () => {
    const base = toHex(selected('debit-ec').t.select('A000000333010101').data);
    const tr = selected('debit-ec', { faults: [{ command: 1, action: 'truncate', bytes: 5 }] }).t.select('A000000333010101');
    expect(tr.sw).toBe(0x9000);
    expect(toHex(tr.data)).toBe(base.slice(0, base.length - 10));
    const mu = selected('debit-ec', { faults: [{ command: 1, action: 'mutate', offset: 0, xor: 0xff }] }).t.select('A000000333010101');
    expect(toHex(mu.data).slice(0, 2)).toBe('90'); // 6F ^ FF
    expect(toHex(mu.data).slice(2)).toBe(base.slice(2));
  });

  it('delay adds to lastExchangeMicros', () => {
    const a = selected('debit-ec');
    a.t.selectPpse();
    const b = selected('debit-ec', { faults: [{ command: 1, action: 'delay', micros: 250_000 }] });
    b.t.selectPpse();
    expect(b.card.lastExchangeMicros - a.card.lastExchangeMicros).toBe(250_000);
  });

  it('leaveField: transmit returns null from command N until powerOn; the pending transaction is lost', () => {
    const card = createCard('debit-ec', { faults: [{ command: 6, action: 'leaveField' }] });
    const t = new TestTerminal(card);
    const tap = () => t.tap({ amount: 500 });
    expect(tap).toThrow(/left the field/); // PPSE, SELECT, GPO, 2 records, gone at the 3rd of 5 records
    expect(card.transmit(fromHex('00A404000E325041592E5359532E444446303100'))).toBeNull();
    expect(card.inField).toBe(false);
    expect(card.balance()).toBe(50000);
    card.powerOn();
    expect(card.inField).toBe(true);
    expect(t.selectPpse().sw).toBe(0x9000);
  });

  it('leaveField with processed: the last record commits but its response is lost', () => {
    const card = createCard('debit-ec', { faults: [{ command: 8, action: 'leaveField', processed: true }] });
    const t = new TestTerminal(card);
    expect(() => t.tap({ amount: 500 })).toThrow(/left the field/); // command 8 = the last record (SFI 3 rec 3)
    expect(card.balance()).toBe(49500);
  });

  it('faults can be added at run time', () => {
    const { card, t } = selected('debit-ec');
    card.faults.add({ ins: 'A4', action: 'status', sw: '6A82' });
    expect(t.selectPpse().sw).toBe(0x6a82);
    expect(t.selectPpse().sw).toBe(0x9000);
  });
});

describe('phone wallet', () => {
  it('locked: GPO answers 6986; the next tap is auto-unlocked and succeeds', () => {
    const card = createCard('phone-wallet-locked');
    const t = new TestTerminal(card);
    expect(card.locked).toBe(true);
    expect(t.tap().gpo.sw).toBe(0x6986);
    expect(card.atc()).toBe(0);
    const second = t.tap({ amount: 100 });
    expect(second.gpo.sw).toBe(0x9000);
    expect(card.locked).toBe(false);
    expect(card.balance()).toBe(49900);
  });

  it('unlock() works mid-session; lock() locks again', () => {
    const card = createCard('phone-wallet');
    card.powerOn();
    const t = new TestTerminal(card);
    card.lock();
    t.select('A000000333010101');
    expect(t.gpo().sw).toBe(0x6986);
    card.unlock();
    expect(t.gpo().sw).toBe(0x9000);
    expect(() => createCard('debit-ec').lock()).toThrow(TypeError);
  });

  it('the phone is slower per command than a card at the same bit rate', () => {
    const phone = selected('phone-wallet', { bitRateKbps: 106 });
    const card = selected('debit-ec', { bitRateKbps: 106 });
    phone.t.selectPpse();
    card.t.selectPpse();
    expect(phone.card.lastExchangeMicros).toBeGreaterThan(card.card.lastExchangeMicros + 5000);
  });
});

describe('latency model', () => {
  it('air time scales with the ISO 14443 bit rate: 10 bits per byte plus framing', () => {
    expect(airMicros(100, 106)).toBeGreaterThan(airMicros(100, 848) * 7);
    // 100 bytes + PCB/CRC/SOF/EOF (5) at 106 kbit/s = 105 × 10 × 9.43 µs + FDT 86 µs
    expect(airMicros(100, 106)).toBeCloseTo(105 * 10 * (1000 / 106) + 86, 3);
  });

  it('a GPO that signs fDDA takes longer than one that does not (ARQC)', () => {
    const tc = selected('debit-ec');
    tc.t.select('A000000333010101');
    tc.t.gpo({ ttq: '26000080' });
    const arqc = selected('debit-ec');
    arqc.t.select('A000000333010101');
    arqc.t.gpo({ ttq: '26800080' });
    expect(tc.card.lastExchangeMicros - arqc.card.lastExchangeMicros).toBeGreaterThan(30_000);
  });

  it('a faster bit rate shortens a record exchange', () => {
    const slow = selected('debit-ec', { bitRateKbps: 106 });
    const fast = selected('debit-ec', { bitRateKbps: 848 });
    for (const s of [slow, fast]) {
      s.t.select('A000000333010101');
      s.t.readRecord(3, 1);
    }
    expect(slow.card.lastExchangeMicros).toBeGreaterThan(fast.card.lastExchangeMicros + 15_000);
  });
});

describe('torn taps configured by INS + skip', () => {
  it.each([
    [false, 50000],
    [true, 49900],
  ] as const)('leaveField at the 5th READ RECORD (the last AFL record), processed = %s → balance %i', (processed, balance) => {
    const card = createCard('debit-ec', { faults: [{ ins: 'B2', skip: 4, action: 'leaveField', processed }] });
    const t = new TestTerminal(card);
    expect(() => t.tap({ amount: 100 })).toThrow(/left the field/);
    expect(card.balance()).toBe(balance);
    const again = t.tap({ amount: 100 }); // the next tap works (the rule fired once)
    expect(again.recordSw).toBe(0x9000);
    expect(card.balance()).toBe(balance - 100);
  });
});
