/**
 * The kernel against material written by others (../shared/conformance/vectors, read at run time,
 * not copied): openemv/emv-utils' read-application-data flows (records after a GPO that returns their
 * AFL) and real UnionPay qPBOC responses (a GPO response from a public demo, a PPSE/SELECT exchange
 * from a blog trace). Skipped when the shared directory is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Outcome, QuickPassKernel, reasonName } from '../kernels/qpboc/index.js';
import { AID_DEBIT, FakeOda, FIXED_UN, defaultScript, gpo, kernel, runScript, onlineConfig, tlv } from './kernel-fixtures.js';

const DIR = '../shared/conformance/vectors';
const have = existsSync(`${DIR}/openemv_emv_utils_flow_apdus.json`) && existsSync(`${DIR}/unionpay_qpboc_traces.json`);

type Xpdu = { c_apdu?: string; r_apdu?: string; end_of_list?: boolean };
type OpenEmvFile = { byte_arrays: Record<string, string>; xpdu_lists: Record<string, Xpdu[]>; tests: { title: string; expected_return_checks: string[] }[] };

/** READ RECORD C-APDU (00 B2 rec P2 00) → our script key. */
function readKey(capdu: string): string {
  const rec = parseInt(capdu.slice(4, 6), 16);
  const sfi = parseInt(capdu.slice(6, 8), 16) >> 3;
  return `READ ${sfi}/${rec}`;
}

describe.skipIf(!have)('conformance: openemv/emv-utils read application data flows', () => {
  const file = have
    ? (JSON.parse(readFileSync(`${DIR}/openemv_emv_utils_flow_apdus.json`, 'utf8')).files['tests/emv_read_application_data_test.c'] as OpenEmvFile)
    : null;
  // Their track 2 equivalent, so their records may repeat 57 with the same value as our GPO.
  const TRACK2 = '4761739001010119D22122011758928889';
  // openemv outcome → our reason (tests 1 and 9 are contact-EMV specific: no AFL, CDOL/8C mandatory).
  const CASES: [number, string][] = [
    [2, 'afl-invalid'],
    [3, 'record-failed'],
    [4, 'record-malformed'],
    [5, 'record-malformed'],
    [6, 'record-malformed'],
    [7, 'afl-invalid'],
    [8, 'duplicate-data'],
    [10, 'oda-failed'],
  ];
  function run(n: number) {
    const f = file!;
    const s = defaultScript();
    for (const k of [...s.keys()]) if (k.startsWith('READ')) s.delete(k);
    s.set('GPO', gpo({ afl: f.byte_arrays[`test${n}_afl`]!, omit: ['57'], extra: tlv('57', TRACK2) }));
    for (const x of f.xpdu_lists[`test${n}_apdu_list`] ?? []) if (x.c_apdu && x.r_apdu) s.set(readKey(x.c_apdu), x.r_apdu);
    // Their card expires 2022-12-31: transact in 2021 so the records decide the outcome.
    const k = new QuickPassKernel(onlineConfig(), { oda: new FakeOda(), clock: () => Date.UTC(2021, 5, 1), random: FIXED_UN });
    runScript(k, s, { amount: 1000 });
    return k;
  }
  for (const [n, reason] of CASES) {
    it(`test ${n} (${file?.tests[n - 1]?.title ?? ''}; openemv: ${file?.tests[n - 1]?.expected_return_checks.join(', ')}) → ${reason}`, () => {
      const k = run(n);
      expect(reasonName(k.reason)).toBe(reason);
    });
  }
  it('test 11 (normal processing): every record is read and accepted', () => {
    const k = run(11);
    expect(k.apduCount).toBe(3 + 4);
    // The records pass. Their contact card has no issuer certificate (90) or ICC certificate (9F46),
    // so qPBOC fDDA cannot run: ICC data missing + ODA failed (Book 3 §10.3), CTQ 0000 → decline.
    expect(reasonName(k.reason)).toBe('oda-failed');
    expect(k.tvr[0]! & 0x28).toBe(0x28);
  });
});

describe.skipIf(!have)('conformance: real UnionPay qPBOC responses', () => {
  const traces = have ? JSON.parse(readFileSync(`${DIR}/unionpay_qpboc_traces.json`, 'utf8')) : null;

  it('a real online qPBOC GPO response (no 9F27, CVR A0) → OnlineRequest with its data', () => {
    const item = (traces.items as { kind: string; hex: string }[]).find((i) => i.kind.startsWith('GPO response (qPBOC, online'))!;
    const s = defaultScript();
    s.set('GPO', item.hex + '9000');
    const k = kernel(onlineConfig());
    runScript(k, s, { amount: 1000 });
    expect(k.outcome).toBe(Outcome.OnlineRequest);
    expect(k.atc).toBe(0x4e);
    expect(k.maskedPan()).toBe('621226*********4827');
    expect(k.balanceAfter).toBe(0);
  });

  it('a real format-1 GPO response (80, no cryptogram) → try-another-interface on a contact-capable reader', () => {
    const item = (traces.items as { kind: string; hex: string }[]).find((i) => i.kind.startsWith('GPO response format 1'))!;
    const s = defaultScript();
    s.set('GPO', item.hex.endsWith('9000') ? item.hex : item.hex + '9000');
    const k = kernel(onlineConfig());
    runScript(k, s, { amount: 1000 });
    expect([k.outcome, reasonName(k.reason)]).toEqual([Outcome.TryAnotherInterface, 'try-another-interface-requested']);
  });

  it('a real PPSE + SELECT exchange (blog trace) selects the debit application and builds the GPO from its PDOL', () => {
    const ex = traces.blog_traces[0].exchanges as { step: string; r_apdu: string }[];
    const s = defaultScript();
    s.set('PPSE', ex.find((e) => e.step.startsWith('SELECT PPSE'))!.r_apdu);
    s.set('SELECT ' + AID_DEBIT, ex.find((e) => e.step.startsWith('SELECT AID'))!.r_apdu);
    const k = kernel(onlineConfig());
    const log = runScript(k, s, { amount: 1000 });
    const g = log.find((e) => e.key === 'GPO')!.command;
    // PDOL 9F66 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 = 33 bytes of data: Lc 23, 83 21.
    expect(g.slice(8, 14)).toBe('238321');
    expect(k.outcome).toBe(Outcome.Approved);
  });
});
