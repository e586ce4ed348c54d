import { describe, expect, it } from 'vitest';
import { Outcome, Reason, Cryptogram, reasonName, outcomeName, QuickPassKernel, Action, KernelFailure, kernelFailureOf, type KernelHook } from '../kernels/qpboc/index.js';
import { toHex, fromHex } from '../kernels/util/hex.js';
import {
  AID_CREDIT, AID_DEBIT, FakeOda, FIXED_CLOCK, FIXED_UN, PDOL, REC_1_1, REC_2_1, REC_2_2, defaultScript, fci, gpo, kernel, offlineConfig,
  onlineConfig, ppse, runScript, tlv,
} from './kernel-fixtures.js';

const keys = (log: { key: string }[]) => log.map((e) => e.key);
const gpoCommand = (log: { key: string; command: string }[]) => log.find((e) => e.key === 'GPO')!.command;
/** TTQ bytes inside the GPO command (PDOL starts with 9F66 at offset 7). */
const ttqOf = (cmd: string) => cmd.slice(14, 22);

describe('offline approval (TC path, qpboc-facts §1.12 rule 2)', () => {
  it('selects, sends GPO with the PDOL data, reads the AFL records and approves', () => {
    const oda = new FakeOda();
    const k = kernel(onlineConfig(), oda);
    const log = runScript(k, defaultScript(), { amount: 1000 });
    expect(keys(log)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'GPO', 'READ 1/1', 'READ 2/1', 'READ 2/2']);
    expect(k.outcome).toBe(Outcome.Approved);
    expect(reasonName(k.reason)).toBe('approved-offline');
    expect(k.cryptogram).toBe(Cryptogram.TC);
    expect(k.atc).toBe(0x12);
    expect(k.psn).toBe(1);
    expect(k.balanceAfter).toBe(9500);
    expect(k.balanceBefore).toBe(10500);
    expect(k.maskedPan()).toBe('621234******1234');
    expect(k.apduCount).toBe(6);
    expect(toHex(k.aid, 0, k.aidLength)).toBe(AID_DEBIT);
    const ac = new Uint8Array(8);
    expect(k.copyCryptogram(ac, 0)).toBe(8);
    expect(toHex(ac)).toBe('1122334455667788');
    // fDDA (AIP 7C00 byte 1 0x20 set) with static data = SFI 2 rec 1 template value + AIP (9F4A = 82).
    expect(oda.calls).toBe(1);
    expect(oda.lastStaticData).toBe(REC_2_1.slice(4) + '7C00');
    expect(toHex(k.tsi)).toBe('8000'); // ODA performed; CTQ 0000 asks for no CVM
  });

  it('builds the exact GPO command (PDOL data per qpboc-facts §1.4, Book 3 §5.4)', () => {
    const k = kernel();
    const log = runScript(k, defaultScript(), { amount: 1000 });
    // 9F66 36000080 | 9F02 | 9F03 | 9F1A 0156 | 95 | 5F2A 0156 | 9A 261127 | 9C 00 | 9F37 A1A2A3A4 | DF60 00 | DF69 01
    expect(gpoCommand(log)).toBe('80A80000258323' + '36000080' + '000000001000' + '000000000000' + '0156' + '0000000000' + '0156' + '261127' + '00' + 'A1A2A3A4' + '00' + '01' + '00');
  });

  it('uses 83 81 Ln when the PDOL data is 128 bytes or more', () => {
    const script = defaultScript();
    script.set('SELECT ' + AID_DEBIT, fci(AID_DEBIT, PDOL + 'DF7F60'));
    const log = runScript(kernel(), script, { amount: 1000 });
    const cmd = gpoCommand(log);
    expect(cmd.slice(8, 16)).toBe('86838183'); // Lc = 3 + 131, 83 81 83
    expect(cmd.length / 2).toBe(5 + 3 + 131 + 1);
  });
});

describe('the card decision (9F27 or CVR, qpboc-facts §1.7/§1.9)', () => {
  it('ARQC → OnlineRequest with the authorisation data, no records read', () => {
    const script = defaultScript();
    script.set('GPO', gpo({ cvr2: 'A0', afl: null }));
    const k = kernel();
    const log = runScript(k, script, { amount: 1000 });
    expect(keys(log)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'GPO']);
    expect(k.outcome).toBe(Outcome.OnlineRequest);
    expect(reasonName(k.reason)).toBe('online-authorisation');
    expect(k.cryptogram).toBe(Cryptogram.ARQC);
    const out = new Uint8Array(512);
    const end = k.writeOnlineData(out, 0);
    const hex = toHex(out, 0, end);
    for (const t of ['57', '9F26', '9F10', '9F36', '82', '9F6C', '9F37', '9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F66', '5F34'])
      expect(hex, t).toContain(t);
    expect(hex.startsWith(tlv('57', '6212345678901234D30122010000000000000F'))).toBe(true);
    expect(hex).toContain(tlv('9F02', '000000001000'));
    expect(hex).toContain(tlv('84', AID_DEBIT));
  });

  it('ARQC on an offline-only reader → Declined online-not-possible', () => {
    const script = defaultScript();
    script.set('GPO', gpo({ cvr2: 'A0', afl: null }));
    const k = kernel(offlineConfig());
    runScript(k, script, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Declined);
    expect(reasonName(k.reason)).toBe('online-not-possible');
  });

  it('AAC → Declined card-declined', () => {
    const script = defaultScript();
    script.set('GPO', gpo({ cvr2: '80', afl: null }));
    const k = kernel();
    runScript(k, script, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Declined);
    expect(reasonName(k.reason)).toBe('card-declined');
    expect(k.cryptogram).toBe(Cryptogram.AAC);
  });

  it('9F27 takes precedence over the CVR', () => {
    const script = defaultScript();
    script.set('GPO', gpo({ cvr2: 'A0', extra: tlv('9F27', '40') }));
    const k = kernel();
    runScript(k, script, { amount: 1000 });
    expect(k.cryptogram).toBe(Cryptogram.TC);
    expect(k.outcome).toBe(Outcome.Approved);
  });

  it('CVR with 0x30 both set (RFU) → EndApplication no-cryptogram-decision', () => {
    const script = defaultScript();
    script.set('GPO', gpo({ cvr2: 'B0' }));
    const k = kernel();
    runScript(k, script, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.EndApplication);
    expect(reasonName(k.reason)).toBe('no-cryptogram-decision');
  });
});

describe('pre-processing (qpboc-facts §1.6)', () => {
  it('sets online-cryptogram-required at the floor limit and CVM-required at the CVM limit', () => {
    const k = kernel();
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 29999 })))).toBe('36000080');
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 30000 })))).toBe('36400080');
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 50000 })))).toBe('36C00080');
    expect(k.tvr[3]! & 0x80).toBe(0x80); // floor limit exceeded
    // Rule 6: transient bits reset for the next transaction on the same kernel.
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 1 })))).toBe('36000080');
  });

  it('amount at the contactless transaction limit → TryAnotherInterface before GPO', () => {
    const k = kernel();
    const log = runScript(k, defaultScript(), { amount: 100000 });
    expect(keys(log)).not.toContain('GPO');
    expect(k.outcome).toBe(Outcome.TryAnotherInterface);
    expect(reasonName(k.reason)).toBe('amount-over-contactless-limit');
  });

  it('zero amount: offline-only reader → TryAnotherInterface; online reader → online cryptogram required', () => {
    const k1 = kernel(offlineConfig());
    runScript(k1, defaultScript(), { amount: 0 });
    expect(k1.outcome).toBe(Outcome.TryAnotherInterface);
    expect(reasonName(k1.reason)).toBe('zero-amount');
    const k2 = kernel();
    expect(ttqOf(gpoCommand(runScript(k2, defaultScript(), { amount: 0 })))).toBe('36800080');
  });

  it('status check: one currency unit → online cryptogram required', () => {
    const cfg = onlineConfig({ aids: [{ aid: AID_DEBIT, statusCheck: true }] });
    const k = kernel(cfg);
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 100 })))).toBe('36800080');
    expect(ttqOf(gpoCommand(runScript(k, defaultScript(), { amount: 101 })))).toBe('36000080');
  });

  it('EC terminal limit (9F7B) → online cryptogram required', () => {
    const cfg = onlineConfig({ aids: [{ aid: AID_DEBIT, ecTerminalLimit: 2000 }] });
    expect(ttqOf(gpoCommand(runScript(kernel(cfg), defaultScript(), { amount: 2000 })))).toBe('36800080');
  });
});

describe('selection (EMV Book B §3.3, qpboc-facts §1.2)', () => {
  it('orders candidates by priority, ties in directory order', () => {
    const script = defaultScript();
    script.set('PPSE', ppse({ aid: AID_CREDIT, priority: 2 }, { aid: AID_DEBIT, priority: 1 }));
    script.set('SELECT ' + AID_CREDIT, fci(AID_CREDIT));
    script.set('GPO', '6985');
    const log = runScript(kernel(), script, { amount: 1000 });
    expect(keys(log).filter((x) => x.startsWith('SELECT'))).toEqual(['SELECT ' + AID_DEBIT, 'SELECT ' + AID_CREDIT]);
    const script2 = defaultScript();
    script2.set('PPSE', ppse({ aid: AID_CREDIT }, { aid: AID_DEBIT }));
    script2.set('SELECT ' + AID_CREDIT, fci(AID_CREDIT));
    const log2 = runScript(kernel(), script2, { amount: 1000 });
    expect(keys(log2)[1]).toBe('SELECT ' + AID_CREDIT);
  });

  it('6283 (blocked) → next candidate; 6985 at GPO → next candidate', () => {
    const script = defaultScript();
    script.set('PPSE', ppse({ aid: AID_DEBIT, priority: 1 }, { aid: AID_CREDIT, priority: 2 }));
    script.set('SELECT ' + AID_DEBIT, '6283');
    script.set('SELECT ' + AID_CREDIT, fci(AID_CREDIT));
    const k = kernel();
    const log = runScript(k, script, { amount: 1000 });
    expect(keys(log).slice(0, 4)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'SELECT ' + AID_CREDIT, 'GPO']);
    expect(k.outcome).toBe(Outcome.Approved);
    expect(toHex(k.aid, 0, k.aidLength)).toBe(AID_CREDIT);

    const s2 = defaultScript();
    s2.set('PPSE', ppse({ aid: AID_DEBIT, priority: 1 }, { aid: AID_CREDIT, priority: 2 }));
    s2.set('SELECT ' + AID_CREDIT, '6283');
    let gpos = 0;
    const k2 = kernel();
    // GPO 6985 on the debit app, then the credit app is blocked → no application.
    s2.set('GPO', '6985');
    const log2 = runScript(k2, s2, { amount: 1000 });
    gpos = keys(log2).filter((x) => x === 'GPO').length;
    expect(gpos).toBe(1);
    expect(k2.outcome).toBe(Outcome.EndApplication);
    expect(reasonName(k2.reason)).toBe('no-application');
  });

  it('partial match only where the AID allows it', () => {
    const longAid = AID_DEBIT + '01';
    const script = new Map([
      ['PPSE', ppse({ aid: longAid })],
      ['SELECT ' + longAid, fci(longAid)],
      ['GPO', gpo()],
      ['READ 1/1', REC_1_1 + '9000'],
      ['READ 2/1', REC_2_1 + '9000'],
      ['READ 2/2', REC_2_2 + '9000'],
    ]);
    const exact = kernel(onlineConfig({ aids: [{ aid: AID_DEBIT }] }));
    runScript(exact, script, { amount: 1000 });
    expect(reasonName(exact.reason)).toBe('no-application');
    const partial = kernel(onlineConfig({ aids: [{ aid: 'A0000003330101', partialMatch: true }] }));
    runScript(partial, script, { amount: 1000 });
    expect(partial.outcome).toBe(Outcome.Approved);
  });

  it('no PPSE (6A82) → the configured AIDs by direct SELECT, in configuration order', () => {
    const script = defaultScript();
    script.delete('PPSE');
    script.delete('SELECT ' + AID_DEBIT);
    script.set('SELECT ' + AID_CREDIT, fci(AID_CREDIT));
    const k = kernel();
    const log = runScript(k, script, { amount: 1000 });
    expect(keys(log).slice(0, 4)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'SELECT ' + AID_CREDIT, 'GPO']);
    expect(k.outcome).toBe(Outcome.Approved);
  });

  it('an FCI whose DF name is not the selected one → next candidate (Book 1 §12.4)', () => {
    const script = defaultScript();
    script.set('PPSE', ppse({ aid: AID_DEBIT, priority: 1 }, { aid: AID_CREDIT, priority: 2 }));
    script.set('SELECT ' + AID_DEBIT, fci(AID_CREDIT));
    script.set('SELECT ' + AID_CREDIT, fci(AID_CREDIT));
    const k = kernel();
    const log = runScript(k, script, { amount: 1000 });
    expect(keys(log).slice(0, 4)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'SELECT ' + AID_CREDIT, 'GPO']);
    expect(toHex(k.aid, 0, k.aidLength)).toBe(AID_CREDIT);
  });

  it('no matching application → EndApplication no-application', () => {
    const script = defaultScript();
    script.set('PPSE', ppse({ aid: 'A0000000031010' }));
    const k = kernel();
    runScript(k, script, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.EndApplication);
    expect(reasonName(k.reason)).toBe('no-application');
  });

  it('PPSE with another status word → select-failed; malformed PPSE → ppse-malformed', () => {
    const s = defaultScript();
    s.set('PPSE', '6A81');
    const k = kernel();
    runScript(k, s, { amount: 1 });
    expect(reasonName(k.reason)).toBe('select-failed');
    s.set('PPSE', '6F05A5038801' + '9000');
    runScript(k, s, { amount: 1 });
    expect(reasonName(k.reason)).toBe('ppse-malformed');
  });

  it('PDOL without 9F66 → pdol-without-ttq (TryAnotherInterface when contact is supported)', () => {
    const s = defaultScript();
    s.set('SELECT ' + AID_DEBIT, fci(AID_DEBIT, '9F02065F2A02'));
    const k = kernel();
    runScript(k, s, { amount: 1 });
    expect(k.outcome).toBe(Outcome.TryAnotherInterface);
    expect(reasonName(k.reason)).toBe('pdol-without-ttq');
    const k2 = kernel(offlineConfig());
    runScript(k2, s, { amount: 1 });
    expect(k2.outcome).toBe(Outcome.EndApplication);
  });
});

describe('GPO responses (qpboc-facts §1.2, §1.7)', () => {
  const cases: [string, number, string][] = [
    ['6984', Outcome.TryAnotherInterface, 'try-another-interface-requested'],
    ['6986', Outcome.TryAgain, 'see-phone'],
    ['6A80', Outcome.EndApplication, 'gpo-failed'],
    ['9000', Outcome.EndApplication, 'gpo-malformed'],
    ['7003820100' + '9000', Outcome.EndApplication, 'gpo-malformed'],
    ['800382010A' + '9000', Outcome.EndApplication, 'gpo-malformed'],
    [gpo().slice(0, -4) + 'AA' + '9000', Outcome.EndApplication, 'gpo-malformed'],
    [gpo({ omit: ['9F10'] }), Outcome.EndApplication, 'missing-mandatory-data'],
    [gpo({ omit: ['57'] }), Outcome.EndApplication, 'missing-mandatory-data'],
    [gpo({ extra: tlv('9F36', '0013') }), Outcome.EndApplication, 'duplicate-data'],
    [gpo({ ctq: '00' }), Outcome.EndApplication, 'bad-data'],
    [gpo({ afl: '080101' }), Outcome.EndApplication, 'afl-invalid'],
    [gpo({ afl: '00010100' }), Outcome.EndApplication, 'afl-invalid'],
  ];
  for (const [resp, outcome, reason] of cases) {
    it(`${resp.length > 24 ? resp.slice(0, 24) + '…' : resp} → ${reason}`, () => {
      const s = defaultScript();
      s.set('GPO', resp);
      const k = kernel(offlineConfig());
      runScript(k, s, { amount: 1000 });
      expect(reasonName(k.reason)).toBe(reason);
      expect(k.outcome).toBe(outcome);
    });
  }

  it('format 1 (80) without qPBOC data: TryAnotherInterface when contact is supported, else missing-mandatory-data', () => {
    const s = defaultScript();
    s.set('GPO', '800A7C000801010010010201' + '9000');
    const k = kernel(onlineConfig());
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.TryAnotherInterface);
    const k2 = kernel(offlineConfig());
    runScript(k2, s, { amount: 1000 });
    expect(reasonName(k2.reason)).toBe('missing-mandatory-data');
    expect(toHex(k2.card.buf, k2.card.offset(0x94), k2.card.offset(0x94) + 8)).toBe('0801010010010201');
  });
});

describe('records (EMV Book 3 §10.2, qpboc-facts §1.11/§2.6)', () => {
  it('record not found → record-not-found; other SW → record-failed', () => {
    const s = defaultScript();
    s.delete('READ 2/2');
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.EndApplication);
    expect(reasonName(k.reason)).toBe('record-not-found');
    s.set('READ 2/2', '6A82');
    runScript(k, s, { amount: 1000 });
    expect(reasonName(k.reason)).toBe('record-failed');
  });

  it('a tag repeated in a later record → duplicate-data', () => {
    const s = defaultScript();
    s.set('READ 2/2', tlv('70', tlv('5A', '6212345678901234')) + '9000');
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(reasonName(k.reason)).toBe('duplicate-data');
  });

  it('a record may repeat a GPO data object with the same value (57, 5F34), not with another value', () => {
    const s = defaultScript();
    s.set('READ 2/2', tlv('70', tlv('9F47', '03'), tlv('57', '6212345678901234D30122010000000000000F'), tlv('5F34', '01')) + '9000');
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
    s.set('READ 2/2', tlv('70', tlv('5F34', '02')) + '9000');
    runScript(k, s, { amount: 1000 });
    expect(reasonName(k.reason)).toBe('duplicate-data');
  });

  it('an ODA record in SFI 1–10 that is not template 70 fails ODA (TVR DDA failed)', () => {
    const s = defaultScript();
    s.set('READ 2/1', tlv('71', tlv('9F46', 'AABB')) + '9000');
    const oda = new FakeOda();
    const k = kernel(onlineConfig(), oda);
    runScript(k, s, { amount: 1000 });
    expect(oda.calls).toBe(0);
    expect(k.outcome).toBe(Outcome.Declined);
    expect(reasonName(k.reason)).toBe('oda-failed');
    expect(k.tvr[0]! & 0x08).toBe(0x08);
  });

  it('SFI 11–30 ODA records contribute the whole record; 9F4A other than 82 fails ODA', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ afl: '58010101' }));
    const rec = tlv('70', tlv('5A', '6212345678901234'), tlv('9F4A', '82'), tlv('8F', '01'), tlv('90', 'AA'), tlv('9F32', '03'), tlv('9F46', 'BB'), tlv('9F47', '03'));
    s.set('READ 11/1', rec + '9000');
    const oda = new FakeOda();
    runScript(kernel(onlineConfig(), oda), s, { amount: 1000 });
    expect(oda.lastStaticData).toBe(rec + '7C00');
    s.set('READ 11/1', tlv('70', tlv('5A', '6212345678901234'), tlv('9F4A', '9F37')) + '9000');
    const oda2 = new FakeOda();
    const k2 = kernel(onlineConfig(), oda2);
    runScript(k2, s, { amount: 1000 });
    expect(oda2.calls).toBe(0);
    expect(reasonName(k2.reason)).toBe('oda-failed');
  });

  it('data after template 70 in SFI 1–10, even FF padding → record-malformed', () => {
    const s = defaultScript();
    const k = kernel();
    for (const tail of ['5A01', 'FFFF', '00']) {
      s.set('READ 1/1', REC_1_1 + tail + '9000');
      runScript(k, s, { amount: 1000 });
      expect(reasonName(k.reason), tail).toBe('record-malformed');
    }
  });

  it('SFI 11–30: non-TLV content is tolerated; a non-70 ODA record fails ODA', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ afl: '08010100 10010201 58010100' }));
    s.set('READ 11/1', tlv('70', '0105FF') + '9000');
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
    s.set('GPO', gpo({ afl: '08010100 10010201 58010101' }));
    s.set('READ 11/1', 'FF9000');
    runScript(k, s, { amount: 1000 });
    expect(reasonName(k.reason)).toBe('oda-failed');
  });
});

describe('processing restrictions (EMV Book 3 §10.4) and the deny list', () => {
  const withRecord1 = (extra: Record<string, string>) => {
    const s = defaultScript();
    const tags: Record<string, string> = { '5A': '6212345678901234', '5F24': '301231', '5F25': '200101', '9F07': 'FF00', '5F28': '0156', '9F08': '0030', '8F': '80', '90': '11', '9F32': '03', ...extra };
    s.set('READ 1/1', tlv('70', ...Object.entries(tags).map(([t, v]) => tlv(t, v))) + '9000');
    return s;
  };

  it('expired: decline, or online when CTQ 0x08 and the reader is online-capable', () => {
    const s = withRecord1({ '5F24': '261126' });
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Declined);
    expect(reasonName(k.reason)).toBe('application-expired');
    expect(k.tvr[1]! & 0x40).toBe(0x40);
    s.set('GPO', gpo({ ctq: '0800' }));
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.OnlineRequest);
    expect(reasonName(k.reason)).toBe('expired-online');
    // Valid on its expiry date.
    runScript(k, withRecord1({ '5F24': '261127' }), { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
  });

  it('not yet effective → Declined; a non-date 5F24 → bad-data', () => {
    const k = kernel();
    runScript(k, withRecord1({ '5F25': '261128' }), { amount: 1000 });
    expect(reasonName(k.reason)).toBe('application-not-effective');
    expect(k.tvr[1]! & 0x20).toBe(0x20);
    runScript(k, withRecord1({ '5F24': '301341' }), { amount: 1000 });
    expect(reasonName(k.reason)).toBe('bad-data');
  });

  it('AUC: international card without the international bit → service-not-allowed', () => {
    const k = kernel();
    runScript(k, withRecord1({ '5F28': '0344', '9F07': 'AB00' }), { amount: 1000 });
    expect(reasonName(k.reason)).toBe('service-not-allowed');
    runScript(k, withRecord1({ '5F28': '0156', '9F07': 'AB00' }), { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
  });

  it('different application version → TVR bit only', () => {
    const k = kernel();
    runScript(k, withRecord1({ '9F08': '0020' }), { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
    expect(k.tvr[1]! & 0x80).toBe(0x80);
  });

  it('currency: card currency 9F51 ≠ transaction currency → currency-mismatch', () => {
    const k = kernel();
    runScript(k, withRecord1({ '9F51': '0840' }), { amount: 1000 });
    expect(reasonName(k.reason)).toBe('currency-mismatch');
  });

  it('deny list gets PAN (5A form) + PSN; a hit → Declined deny-list', () => {
    const seen: string[] = [];
    const cfg = onlineConfig();
    cfg.denyList = {
      isDenied(pan, off, len, psn) {
        seen.push(toHex(pan, off, off + len) + '/' + psn);
        return psn === 1;
      },
    };
    const k = kernel(cfg);
    const log = runScript(k, defaultScript(), { amount: 1000 });
    expect(seen).toEqual(['6212345678901234/1']);
    // PAN + PSN came with the GPO: declined before the records, so the card never commits the debit.
    expect(keys(log)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'GPO']);
    expect(k.outcome).toBe(Outcome.Declined);
    expect(reasonName(k.reason)).toBe('deny-list');
    expect(k.tvr[0]! & 0x10).toBe(0x10);
  });

  it('PAN from track 2 when 5A is absent (odd length, F-padded)', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ omit: ['57'], extra: tlv('57', '621234567890123D3012') }));
    s.set('READ 1/1', tlv('70', tlv('5F24', '301231')) + '9000');
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect(toHex(k.pan, 0, k.panLength)).toBe('621234567890123F');
    expect(k.maskedPan()).toBe('621234*****0123');
  });
});

describe('ODA and CVM outcomes (qpboc-facts §1.8)', () => {
  const odaFail = (ctq: string, cfg = onlineConfig()) => {
    const s = defaultScript();
    s.set('GPO', gpo({ ctq }));
    const k = kernel(cfg, new FakeOda(7));
    runScript(k, s, { amount: 1000 });
    return k;
  };
  it('fDDA failure → online (CTQ 0x20), contact (0x10) or decline', () => {
    let k = odaFail('2000');
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.OnlineRequest, 'oda-failed-online']);
    expect(k.odaFailure).toBe(7);
    expect(k.tvr[0]! & 0x08).toBe(0x08);
    k = odaFail('2000', offlineConfig());
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.Declined, 'oda-failed']);
    k = odaFail('3000', offlineConfig());
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.TryAnotherInterface, 'oda-failed-try-contact']);
    k = odaFail('0000');
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.Declined, 'oda-failed']);
  });

  it('DDA: no SDAD at GPO → INTERNAL AUTHENTICATE with the default DDOL (9F37), SDAD from format 80', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ omit: ['9F4B'] }));
    s.set('CMD 0088000004A1A2A3A400', tlv('80', 'AABBCCDD') + '9000');
    const oda = new FakeOda();
    const k = kernel(onlineConfig(), oda);
    const log = runScript(k, s, { amount: 1000 });
    expect(keys(log).at(-1)).toBe('CMD 0088000004A1A2A3A400');
    expect(oda.lastMethod).toBe(3); // KernelOdaMethod.Dda
    expect(k.outcome).toBe(Outcome.Approved);
    expect(toHex(k.card.buf, k.card.offset(0x9f4b), k.card.offset(0x9f4b) + 4)).toBe('AABBCCDD');
  });

  it('DDA: the card DDOL (9F49) is used; an INTERNAL AUTHENTICATE error fails DDA without calling the engine', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ omit: ['9F4B'] }));
    s.set('READ 2/2', tlv('70', tlv('9F47', '03'), tlv('9F48', 'EEFF'), tlv('9F49', '9F37049F0206')) + '9000');
    s.set('CMD 008800000AA1A2A3A400000000100000', tlv('77', tlv('9F4B', '0102')) + '9000');
    const oda = new FakeOda();
    const k = kernel(onlineConfig(), oda);
    runScript(k, s, { amount: 1000 });
    expect(oda.calls).toBe(1);
    expect(k.outcome).toBe(Outcome.Approved);
    s.set('CMD 008800000AA1A2A3A400000000100000', '6985');
    const oda2 = new FakeOda();
    const k2 = kernel(onlineConfig(), oda2);
    runScript(k2, s, { amount: 1000 });
    expect(oda2.calls).toBe(0);
    expect([k2.outcome, reasonName(k2.reason)]).toEqual([Outcome.Declined, 'oda-failed']);
    expect(k2.tvr[0]! & 0x08).toBe(0x08);
  });

  it('no ODA engine → TVR "ODA not performed" and the CTQ rule', () => {
    const k = kernel(onlineConfig(), null);
    runScript(k, defaultScript(), { amount: 1000 });
    expect(k.tvr[0]! & 0x80).toBe(0x80);
    expect(k.outcome).toBe(Outcome.Declined);
  });

  it('SM data (issuer certificate format 12, 142 bytes) is flagged for the SM engine only when DF69 = 01 was sent', () => {
    const s = defaultScript();
    const smCert = '12' + '62123456' + '1230' + '000025' + '04' + '00' + '11' + '40' + '22'.repeat(64) + '33'.repeat(64);
    s.set('READ 1/1', tlv('70', tlv('5A', '6212345678901234'), tlv('5F24', '301231'), tlv('8F', '18'), tlv('90', smCert)) + '9000');
    s.set('GPO', gpo({ omit: ['9F4B'], extra: tlv('9F4B', '15030200' + '12' + '44'.repeat(64)) }));
    const oda = new FakeOda();
    runScript(kernel(onlineConfig(), oda), s, { amount: 1000 });
    expect(oda.lastSm).toBe(true);
    // Without DF69 in the PDOL the card cannot have chosen SM: RSA (then 9F32/9F47 are missing).
    s.set('SELECT ' + AID_DEBIT, fci(AID_DEBIT, '9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001'));
    const oda2 = new FakeOda();
    const k2 = kernel(onlineConfig(), oda2);
    runScript(k2, s, { amount: 1000 });
    expect(oda2.calls).toBe(0);
    expect(k2.tvr[0]! & 0x28).toBe(0x28); // ICC data missing + DDA failed
  });

  it('an RSA certificate that happens to start with 12 is not taken for SM', () => {
    const s = defaultScript();
    s.set('READ 1/1', tlv('70', tlv('5A', '6212345678901234'), tlv('8F', '01'), tlv('90', '12' + '55'.repeat(127)), tlv('9F32', '03')) + '9000');
    const oda = new FakeOda();
    runScript(kernel(onlineConfig(), oda), s, { amount: 1000 });
    expect(oda.calls).toBe(1);
    expect(oda.lastSm).toBe(false);
  });

  it('missing ODA data (no 9F46) → TVR ICC data missing + DDA failed, engine not called', () => {
    const s = defaultScript();
    s.set('READ 2/1', tlv('70', tlv('9F4A', '82')) + '9000');
    const oda = new FakeOda();
    const k = kernel(onlineConfig(), oda);
    runScript(k, s, { amount: 1000 });
    expect(oda.calls).toBe(0);
    expect(k.tvr[0]! & 0x28).toBe(0x28);
    expect(reasonName(k.reason)).toBe('oda-failed');
  });

  it('CVM: online PIN → OnlineRequest online-pin; signature → flag; consumer device CVM satisfies', () => {
    const s = defaultScript();
    s.set('GPO', gpo({ ctq: '8000' }));
    const k = kernel();
    runScript(k, s, { amount: 1000 });
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.OnlineRequest, 'online-pin']);
    expect(k.onlinePinRequired).toBe(true);
    s.set('GPO', gpo({ ctq: '4000' }));
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
    expect(k.signatureRequired).toBe(true);
    s.set('GPO', gpo({ ctq: 'C080' }));
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.Approved);
    expect(k.consumerDeviceCvm).toBe(true);
    expect(k.signatureRequired).toBe(false);
    // ARQC with online PIN requested
    s.set('GPO', gpo({ ctq: '8000', cvr2: 'A0', afl: null }));
    runScript(k, s, { amount: 1000 });
    expect(reasonName(k.reason)).toBe('online-pin');
  });

  it('CTQ "switch interface for cash / cashback" (§1.8): cash with 0x04, cashback with 0x02 → TryAnotherInterface cash-not-allowed; purchases unaffected', () => {
    const s = defaultScript();
    const k = kernel();
    const run = (ctq: string, txn: { amount: number; type?: number; amountOther?: number }) => {
      s.set('GPO', gpo({ ctq }));
      runScript(k, s, txn);
      return [outcomeName(k.outcome), reasonName(k.reason)];
    };
    expect(run('0400', { amount: 1000, type: 0x01 })).toEqual(['try-another-interface', 'cash-not-allowed']);
    expect(run('0200', { amount: 1000, type: 0x09 })).toEqual(['try-another-interface', 'cash-not-allowed']);
    expect(run('0200', { amount: 1000, amountOther: 500 })).toEqual(['try-another-interface', 'cash-not-allowed']);
    expect(run('0200', { amount: 1000, type: 0x01 })).toEqual(['approved', 'approved-offline']); // cash, but only the cashback bit
    expect(run('0400', { amount: 1000, amountOther: 500 })).toEqual(['approved', 'approved-offline']); // cashback, only the cash bit
    expect(run('0600', { amount: 1000 })).toEqual(['approved', 'approved-offline']); // a purchase
  });
});

describe('card removal and torn transactions (qpboc-facts §7.2)', () => {
  it('removed before GPO → TryAgain card-removed, not torn', () => {
    for (const at of ['PPSE', 'SELECT ' + AID_DEBIT, 'GPO']) {
      const k = kernel();
      runScript(k, defaultScript(), { amount: 1000 }, at);
      expect(k.outcome, at).toBe(Outcome.TryAgain);
      expect(reasonName(k.reason)).toBe('card-removed');
      expect(k.torn).toBe(false);
    }
  });

  it('removed after a TC GPO and before the last record response → torn, with the record data', () => {
    for (const at of ['READ 1/1', 'READ 2/1', 'READ 2/2']) {
      const k = kernel();
      runScript(k, defaultScript(), { amount: 1000 }, at);
      expect(k.outcome, at).toBe(Outcome.TryAgain);
      expect(k.torn, at).toBe(true);
      expect(k.atc).toBe(0x12);
      expect(k.psn).toBe(1);
      expect(k.amount).toBe(1000);
      expect(k.balanceBefore).toBe(10500);
      expect(toHex(k.pan, 0, k.panLength)).toBe('6212345678901234');
    }
  });

  it('writeTornRecord: AID, PAN, PSN, ATC, balance, cryptogram, amount, date/time — only when torn', () => {
    const k = kernel();
    const out = new Uint8Array(200);
    runScript(k, defaultScript(), { amount: 1000 }, 'READ 2/2');
    const end = k.writeTornRecord(out, 0);
    expect(toHex(out, 0, end)).toBe(
      tlv('84', AID_DEBIT) + tlv('5A', '6212345678901234') + tlv('5F34', '01') + tlv('9F36', '0012') + tlv('9F5D', '000000009500') +
        tlv('9F26', '1122334455667788') + tlv('9F02', '000000001000') + tlv('9A', '261127') + tlv('9F21', '080000'),
    );
    runScript(k, defaultScript(), { amount: 1000 }, 'GPO');
    expect(k.writeTornRecord(out, 7)).toBe(7);
  });

  it('TransportError codes map to card removal or reader fault', () => {
    expect(kernelFailureOf('card-removed')).toBe(KernelFailure.CardRemoved);
    expect(kernelFailureOf('timeout')).toBe(KernelFailure.CardRemoved);
    expect(kernelFailureOf('reader-removed')).toBe(KernelFailure.ReaderFault);
    expect(kernelFailureOf('service-unavailable')).toBe(KernelFailure.ReaderFault);
  });

  it('reader fault → EndApplication reader-fault', () => {
    const k = kernel();
    k.begin({ amount: 1 });
    k.fail(KernelFailure.ReaderFault);
    expect([k.outcome, reasonName(k.reason), k.action]).toEqual([Outcome.EndApplication, 'reader-fault', Action.Done]);
  });
});

describe('profile hooks (DESIGN.md extension points)', () => {
  it('beforeGpo exchanges its own commands, then sets the amount and DF60; afterGpo runs before the records', () => {
    const seen: string[] = [];
    const hook: KernelHook = {
      beforeGpo(k, n) {
        if (n < 0) {
          k.tx.set(fromHex('80CA9F7900'));
          return 5;
        }
        seen.push('before:' + toHex(k.rx, 0, n));
        k.setAmount(200);
        k.setCappIndicator(1);
        return 0;
      },
      afterGpo(k, n) {
        if (n < 0) {
          k.tx.set(fromHex('84DE00F000'));
          return 5;
        }
        seen.push('after:' + toHex(k.rx, 0, n));
        return 0;
      },
    };
    const s = defaultScript();
    s.set('GET DATA 9F79', tlv('9F79', '000000010000') + '9000');
    s.set('CMD 84DE00F000', '9000');
    const k = new QuickPassKernel(onlineConfig(), { hook, oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN });
    const log = runScript(k, s, { amount: 999 });
    expect(keys(log)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'GET DATA 9F79', 'GPO', 'CMD 84DE00F000', 'READ 1/1', 'READ 2/1', 'READ 2/2']);
    expect(seen).toEqual(['before:9F7906000000010000' + '9000', 'after:9000']);
    const g = gpoCommand(log);
    expect(g.slice(22, 34)).toBe('000000000200');
    expect(g.slice(-6, -2)).toBe('0101'); // DF60 01, DF69 01
    expect(k.amount).toBe(200);
    expect(k.outcome).toBe(Outcome.Approved);
  });

  it('a hook returning -1 ends the tap with hook-failed; setAmount outside the hook throws', () => {
    const k = new QuickPassKernel(onlineConfig(), { hook: { beforeGpo: () => -1 }, clock: FIXED_CLOCK, random: FIXED_UN });
    runScript(k, defaultScript(), { amount: 1 });
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.EndApplication, 'hook-failed']);
    expect(() => k.setAmount(1)).toThrow(/beforeGpo/);
  });

  it('afterGpo may end the tap with its own outcome (endTap): no record is read, so the card does not commit', () => {
    const hook: KernelHook = {
      afterGpo(k) {
        k.endTap(Outcome.Declined, Reason.AlreadyCharged);
        return 0;
      },
    };
    const k = new QuickPassKernel(onlineConfig(), { hook, oda: new FakeOda(), clock: FIXED_CLOCK, random: FIXED_UN });
    const log = runScript(k, defaultScript(), { amount: 200 });
    expect(keys(log)).toEqual(['PPSE', 'SELECT ' + AID_DEBIT, 'GPO']);
    expect([k.outcome, reasonName(k.reason), k.action, k.torn]).toEqual([Outcome.Declined, 'already-charged', Action.Done, false]);
    expect(k.atc).toBeGreaterThanOrEqual(0);
    expect(() => k.endTap(Outcome.Approved, Reason.TornCompleted)).toThrow(/KernelHook/);
  });
});

describe('API guards', () => {
  it('receive without a pending command and bad amounts are programming errors', () => {
    const k = kernel();
    expect(() => k.receive(2)).toThrow(/no command is pending/);
    expect(() => k.begin({ amount: -1 })).toThrow(RangeError);
    expect(() => k.begin({ amount: 1.5 })).toThrow(RangeError);
  });
  it('a response shorter than SW1 SW2 → EndApplication response-too-short', () => {
    const k = kernel();
    k.begin({ amount: 1 });
    k.receive(1);
    expect(reasonName(k.reason)).toBe('response-too-short');
  });
  it('the date and time come from the injected clock, in the configured zone', () => {
    const k = new QuickPassKernel(onlineConfig({ timezoneOffsetMinutes: 480 }), { clock: () => Date.UTC(2024, 1, 28, 20, 30, 15), random: FIXED_UN });
    k.begin({ amount: 1 });
    expect(k.transactionDate).toBe(20240229);
    expect(k.transactionTime).toBe(43015);
    expect(toHex(k.terminal.buf, k.terminal.offset(0x9a), k.terminal.offset(0x9a) + 3)).toBe('240229');
    expect(Reason.None).toBe(0);
  });
});
