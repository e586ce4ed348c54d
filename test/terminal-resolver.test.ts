/**
 * TornResolver on scripted card answers: which evidence decides, and when it refuses to guess
 * (qpboc-facts §7.2). The virtual-card suites (terminal-torn/profiles) cover the GET TRANS PROVE and
 * log paths end to end; this covers the no-log balance rule, a log that no longer reaches the torn
 * ATC, template-70 log records, and odd answers.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../kernels/util/hex.js';
import { TornResolver, type LogEntry, type TornRecord } from '../src/terminal/index.js';

function torn(atc: number, extra: Partial<TornRecord> = {}): TornRecord {
  return {
    cardId: 'c', maskedPan: '622848******0240', psn: 1, atc, amount: 200, charge: 200, cappIndicator: 0,
    balanceBefore: 50_000, balanceAfter: 49_800, time: 0, aid: 'A000000333010101', cryptogram: '0102030405060708',
    profile: 'bus', details: {}, ...extra,
  };
}

/** Runs the resolver against `answer(capduHex) → rapduHex`; returns the commands it sent. */
function run(r: TornResolver, records: TornRecord[], log: LogEntry | null, currentAtc: number, answer: (capdu: string) => string): string[] {
  const tx = new Uint8Array(261);
  const rx = new Uint8Array(260);
  const sent: string[] = [];
  r.begin(records, log, currentAtc);
  let n = -1;
  for (;;) {
    const len = r.step(tx, rx, n);
    if (len === 0) return sent;
    const c = toHex(tx, 0, len);
    sent.push(c);
    const a = fromHex(answer(c));
    rx.set(a);
    n = a.length;
  }
}

const BAL = (fen: number) => `9F7906${String(fen).padStart(12, '0')}9000`;
const FORMAT = '9F4F039F36029000'; // log format: just the ATC
const logRecord = (atc: number) => `${atc.toString(16).padStart(4, '0')}9000`;

describe('TornResolver', () => {
  it('GET TRANS PROVE decides an extended-application tap (9000 + TC → charged, 9406 → not)', () => {
    const r = new TornResolver();
    const a = torn(7, { cappIndicator: 1 });
    const b = torn(9, { cappIndicator: 1 });
    const sent = run(r, [a, b], null, 10, (c) => (c.startsWith('805A00000200070') ? '11223344556677889000' : c.startsWith('805A') ? '9406' : BAL(49_800)));
    expect(r.verdicts).toEqual(['charged', 'not-charged']);
    expect(sent).toEqual(['805A000002000700', '805A000002000900', '80CA9F7900']);
    expect(r.balance).toBe(49_800);
  });

  it('the log: the torn ATC found → charged; absent from a log that ended early → not charged', () => {
    const r = new TornResolver();
    const logged = [12, 11, 7];
    run(r, [torn(11), torn(10)], { sfi: 11, records: 10 }, 13, (c) => {
      if (c === '80CA9F4F00') return FORMAT;
      if (c.startsWith('00B2')) {
        const i = parseInt(c.slice(4, 6), 16) - 1;
        return i < logged.length ? logRecord(logged[i]!) : '6A83';
      }
      return BAL(1000);
    });
    expect(r.verdicts).toEqual(['charged', 'not-charged']);
  });

  it('stops reading the log once it reaches back past the torn ATC', () => {
    const r = new TornResolver();
    const sent = run(r, [torn(20)], { sfi: 11, records: 10 }, 30, (c) =>
      c === '80CA9F4F00' ? FORMAT : c.startsWith('00B2') ? logRecord(30 - parseInt(c.slice(4, 6), 16) * 3) : BAL(1000),
    );
    // Records 27, 24, 21, 18: 18 is older than 20 → 20 was never committed.
    expect(r.verdicts).toEqual(['not-charged']);
    expect(sent.filter((c) => c.startsWith('00B2'))).toHaveLength(4);
  });

  it('a full log of newer transactions is no evidence: unknown (the record stays open)', () => {
    const r = new TornResolver();
    run(r, [torn(5)], { sfi: 11, records: 3 }, 40, (c) => (c === '80CA9F4F00' ? FORMAT : c.startsWith('00B2') ? logRecord(40 - parseInt(c.slice(4, 6), 16)) : BAL(1000)));
    expect(r.verdicts).toEqual(['unknown']);
  });

  it('reads log records wrapped in template 70 too', () => {
    const r = new TornResolver();
    run(r, [torn(0x0102)], null, 0x0104, (c) => (c === '80CA9F4F00' ? FORMAT : c === '00B2015C00' ? '700201029000' : c.startsWith('00B2') ? '6A83' : BAL(0)));
    expect(r.verdicts).toEqual(['charged']);
  });

  it('without a log: the balance decides only when no other GPO ran since (ATC + 1)', () => {
    const noLog = (balance: number) => (c: string) => (c === '80CA9F7900' ? BAL(balance) : '6A88');
    const r = new TornResolver();
    run(r, [torn(7)], null, 8, noLog(49_800));
    expect(r.verdicts).toEqual(['charged']);
    run(r, [torn(7)], null, 8, noLog(50_000));
    expect(r.verdicts).toEqual(['not-charged']);
    run(r, [torn(7)], null, 8, noLog(12_345));
    expect(r.verdicts).toEqual(['unknown']);
    run(r, [torn(7)], null, 9, noLog(49_800)); // another tap since: the balance proves nothing
    expect(r.verdicts).toEqual(['unknown']);
  });

  it('a log file the card does not have (6A82 on READ RECORD) falls back to the balance rule', () => {
    const r = new TornResolver();
    run(r, [torn(0xffff)], null, 0, (c) => (c === '80CA9F4F00' ? FORMAT : c.startsWith('00B2') ? '6A82' : BAL(49_800)));
    expect(r.verdicts).toEqual(['charged']); // ATC wraps: 0xFFFF + 1 = 0
  });

  it('garbage answers never decide anything', () => {
    const r = new TornResolver();
    run(r, [torn(3, { cappIndicator: 1 })], null, 4, () => '6F00');
    expect(r.verdicts).toEqual(['unknown']);
    expect(r.balance).toBe(-1);
    run(r, [torn(3)], null, 4, (c) => (c === '80CA9F4F00' ? '9F4F02FF9000' : c.startsWith('00B2') ? '00' : '9000'));
    expect(r.verdicts).toEqual(['unknown']);
  });
});
