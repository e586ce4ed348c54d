/**
 * The QA harness in-process: case validation names the offending field, the loader reports bad files
 * instead of crashing (JSON and CBOR), the diff points at the first difference (an altered expected
 * APDU byte → that exchange; a field → the field; a recorded C-APDU the terminal did not send → that
 * step), cases that cannot run are errors, and the JUnit XML carries each verdict.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodeCbor } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { CaseFormatError, validateCase } from '../src/qa/case.js';
import { filterCases, loadCaseFile, loadCases } from '../src/qa/loader.js';
import { runCase } from '../src/qa/runner.js';
import { junitReport } from '../src/qa/report-junit.js';
import { summarize, textReport, allPassed } from '../src/qa/report-text.js';
import { ExchangeDecoder, statusText } from '../src/qa/decode.js';
import { caseFromTrace } from '../src/qa/from-trace.js';
import type { Trace } from '../hal/trace/format.js';

const BASE = JSON.parse(readFileSync('test-vectors/cases/02-selection/sel-ppse-single-aid.json', 'utf8')) as Record<string, any>;
const clone = (): Record<string, any> => structuredClone(BASE);
const flipByte = (hex: string, byte: number) => hex.slice(0, byte * 2) + ((parseInt(hex.slice(byte * 2, byte * 2 + 2), 16) ^ 0x01).toString(16).padStart(2, '0').toUpperCase()) + hex.slice(byte * 2 + 2);

describe('case validation', () => {
  const bad = (mutate: (c: Record<string, any>) => void, field: string) => {
    const c = clone();
    mutate(c);
    let err: unknown;
    try {
      validateCase(c, 'x.json');
    } catch (e) {
      err = e;
    }
    expect(err, field).toBeInstanceOf(CaseFormatError);
    expect((err as CaseFormatError).field).toBe(field);
    expect((err as Error).message).toContain('x.json');
  };
  it('names the offending field', () => {
    bad((c) => delete c.id, 'id');
    bad((c) => (c.id = 'Has Spaces'), 'id');
    bad((c) => (c.expect.reason = 'no-such-reason'), 'expect.reason');
    bad((c) => (c.expect.outcome = 'maybe'), 'expect.outcome');
    bad((c) => (c.transaction.date = '261127'), 'transaction.date');
    bad((c) => (c.transaction.unpredictableNumber = '123'), 'transaction.unpredictableNumber');
    bad((c) => (c.expect.apdus[1] = 'XYZ'), 'expect.apdus[1]');
    bad((c) => (c.colour = 'blue'), 'colour');
    bad((c) => (c.card = { personality: 'debit-ec', faults: [{ action: 'status', sw: '6A82' }] }), 'card.faults[0]');
    bad((c) => (c.card = { script: [{ r: null }] }), 'card.script[0].r');
    bad((c) => (c.card = {}), 'card');
    bad((c) => (c.terminal = 7), 'terminal');
  });
  it('accepts a sequence of taps that inherit the transaction', () => {
    const c = clone();
    const e = c.expect;
    delete c.expect;
    c.taps = [{ expect: e }, { transaction: { time: '110000' }, expect: { outcome: 'approved', reason: 'approved-offline', atc: 2 } }];
    const v = validateCase(c, 'seq');
    expect(v.taps.map((t) => [t.transaction.amount, t.transaction.time])).toEqual([[200, '100000'], [200, '110000']]);
  });
});

describe('loader', () => {
  it('loads JSON and CBOR cases, skips _folders, reports bad files and duplicate ids without throwing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-load-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(clone()));
    const cb = clone();
    cb.id = 'from-cbor';
    writeFileSync(join(dir, 'b.cbor'), encodeCbor(cb));
    writeFileSync(join(dir, 'c.json'), '{ not json');
    writeFileSync(join(dir, 'd.json'), JSON.stringify(clone())); // same id as a.json
    mkdirSync(join(dir, '_traces'));
    writeFileSync(join(dir, '_traces', 't.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { cases, errors } = loadCases([dir]);
    expect(cases.map((c) => c.id)).toEqual(['sel-ppse-single-aid', 'from-cbor']);
    expect(errors.map((e) => e.file.split('/').pop())).toEqual(['c.json', 'd.json']);
    expect(errors[1]!.message).toContain("id 'sel-ppse-single-aid' is also used by");
    expect((await runCase(cases[1]!)).status).toBe('pass');
    expect(filterCases(cases, 'cbor').map((c) => c.id)).toEqual(['from-cbor']);
    expect(filterCases(cases, 'selection').length).toBe(2);
  });
  it('resolves card.trace paths against the case folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-trace-'));
    const script = (await runCase(validateCase(clone(), 'base'))).taps[0]!.exchanges.map((x) => ({ c: x.c, r: x.r, t: 0, us: x.airMicros }));
    const trace: Trace = { format: 'shanfu-trace', version: 1, reader: 'test', atr: '3B00', startedAt: '2026-11-27T02:00:00Z', inputs: {}, masked: false, exchanges: script };
    mkdirSync(join(dir, '_traces'));
    writeFileSync(join(dir, '_traces', 'tap.json'), JSON.stringify(trace));
    const c = clone();
    c.card = { trace: '_traces/tap.json' };
    writeFileSync(join(dir, 'case.json'), JSON.stringify(c));
    const r = await runCase(loadCaseFile(join(dir, 'case.json')));
    expect(r.status).toBe('pass');
    expect(r.taps[0]!.exchanges.map((x) => x.airMicros)).toEqual(script.map((x) => x.us));
    // A large trace may be CBOR (the same object).
    writeFileSync(join(dir, '_traces', 'tap.cbor'), encodeCbor(trace));
    c.card = { trace: '_traces/tap.cbor' };
    writeFileSync(join(dir, 'case.json'), JSON.stringify(c));
    expect((await runCase(loadCaseFile(join(dir, 'case.json')))).status).toBe('pass');
  });
});

describe('first difference', () => {
  it('one altered byte of an expected C-APDU fails the case at that exchange', async () => {
    const c = clone();
    c.expect.apdus[2] = flipByte(c.expect.apdus[2], 30);
    const r = await runCase(validateCase(c, 'altered'));
    expect(r.status).toBe('fail');
    expect(r.difference).toMatchObject({ tap: 0, exchange: 2, field: 'apdu', expected: c.expect.apdus[2], actual: BASE.expect.apdus[2] });
    expect(r.difference!.message).toMatch(/^tap 1, exchange 3 \(GET PROCESSING OPTIONS\): C-APDU differs at byte 30/);
  });
  it('a missing or extra exchange is a difference at the first exchange that is not there', async () => {
    const c = clone();
    c.expect.apdus.push('00B2041C00');
    const r = await runCase(validateCase(c, 'extra'));
    expect(r.difference).toMatchObject({ exchange: 8, field: 'apdu', actual: '(not sent)' });
    const d = clone();
    d.expect.apdus.pop();
    expect((await runCase(validateCase(d, 'fewer'))).difference).toMatchObject({ exchange: 7, field: 'apdu', expected: '(none)' });
  });
  it('an outcome field difference names the field and both values', async () => {
    const c = clone();
    c.expect.tvr = '0000008000';
    const r = await runCase(validateCase(c, 'tvr'));
    expect(r.difference).toMatchObject({ exchange: null, field: 'tvr', expected: '0000008000', actual: '0000000000' });
    expect(r.difference!.message).toContain('after 8 exchanges: tvr expected 0000008000, got 0000000000');
  });
  it('a recorded card whose C-APDU the terminal does not send fails at that step', async () => {
    const base = await runCase(validateCase(clone(), 'base'));
    const c = clone();
    c.card = { script: base.taps[0]!.exchanges.map((x, i) => ({ c: i === 3 ? '00B2010C01' : x.c, r: x.r })) };
    delete c.expect.apdus;
    const r = await runCase(validateCase(c, 'script'));
    expect(r.status).toBe('fail');
    expect(r.difference).toMatchObject({ exchange: 3, field: 'card-script', expected: '00B2010C01', actual: '00B2010C00' });
  });
  it('a transit tap runs through the Terminal and its profile; fare, charge and rule are compared', async () => {
    const c = JSON.parse(readFileSync('test-vectors/cases/13-transit/metro-entry-exit.json', 'utf8'));
    const ok = await runCase(validateCase(c, 'test-vectors/cases/13-transit/metro-entry-exit.json'));
    expect(ok.status).toBe('pass');
    expect(ok.taps[1]!.actual).toMatchObject({ fare: 300, charged: 300, rule: 'distance' });
    c.taps[1].expect.fare = 200;
    const bad = await runCase(validateCase(c, 'test-vectors/cases/13-transit/metro-entry-exit.json'));
    expect(bad.difference).toMatchObject({ tap: 1, field: 'fare', expected: '200', actual: '300' });
    expect(() => validateCase({ ...c, taps: [c.taps[0]], card: { script: [] } }, 'x')).toThrow(/transit \(profile\) taps need a virtual card/);
  });
  it('a case that cannot run is an error, not a crash', async () => {
    const c = clone();
    c.terminal = 'no-such-preset';
    const r = await runCase(validateCase(c, 'preset'));
    expect(r.status).toBe('error');
    expect(r.error).toContain("unknown preset 'no-such-preset'");
    const p = clone();
    p.card = { personality: 'no-such-card' };
    expect((await runCase(validateCase(p, 'card'))).status).toBe('error');
    const t = clone();
    t.terminal = { config: {} };
    t.profile = { name: 'bus', fares: 'test-vectors/fares/no-such-table.json', route: 12 };
    expect((await runCase(validateCase(t, 'profile'))).error).toContain('no-such-table.json');
    t.profile = { name: 'bus', fares: 'test-vectors/fares/bus-line.json', route: 12, colour: 'red' };
    expect((await runCase(validateCase(t, 'profile'))).error).toContain('profile.colour: unknown field');
  });
});

describe('reports', () => {
  it('text and JUnit reports carry every verdict; special characters are escaped', async () => {
    const ok = await runCase(validateCase(clone(), 'ok.json'));
    const c = clone();
    c.id = 'bad';
    c.title = 'a <b> & "c"';
    c.expect.apdus[0] = flipByte(c.expect.apdus[0], 5);
    const bad = await runCase(validateCase(c, 'bad.json'));
    const loadErrors = [{ file: 'broken.json', message: 'not JSON <here>' }];
    const xml = junitReport([ok, bad], loadErrors);
    expect(xml.match(/<testcase /g)!.length).toBe(3);
    expect(xml).toContain('<failure message="tap 1, exchange 1 (SELECT PPSE): C-APDU differs at byte 5');
    expect(xml).toContain('name="bad: a &lt;b&gt; &amp; &quot;c&quot;"');
    expect(xml).toContain('<error message="not JSON &lt;here&gt;"/>');
    expect(xml).toMatch(/<testsuites name="shanfu replay" tests="3" failures="1" errors="1"/);
    const summary = summarize([ok, bad], loadErrors, 1);
    expect(allPassed(summary)).toBe(false);
    expect(allPassed(summarize([ok], [], 1))).toBe(true);
    const text = textReport([ok, bad], loadErrors, summary);
    expect(text).toMatch(/PASS\s+sel-ppse-single-aid/);
    expect(text).toMatch(/FAIL\s+bad/);
    expect(text).toContain('3 cases: 1 passed, 1 failed, 1 could not run');
  });
});

describe('decoder', () => {
  it('names commands, splits GPO data by the PDOL and explains status words', async () => {
    const r = await runCase(validateCase(clone(), 'ok'));
    const d = new ExchangeDecoder();
    const text = r.taps[0]!.exchanges.map((x) => d.describe(x.c, x.r).join('\n')).join('\n');
    expect(text).toContain('9F66 Terminal Transaction Qualifiers (TTQ) (4): 28000080');
    expect(text).toContain('Offline-only reader');
    expect(text).toContain('9F02 Amount, Authorised (Numeric) (6): 000000000200');
    expect(text).toContain('2026-11-27');
    expect(text).toContain('PAN 6228480000000000018');
    expect(statusText('6A83')).toBe('record not found');
    expect(statusText('6C10')).toBe('wrong Le: use 16');
    expect(d.describe('80A8000002830000', 'FF')).toContain('response FF: shorter than a status word');
    expect(d.describe('00B2010C00', '7005FF9000').join('\n')).toContain('not well-formed TLV');
    expect(d.describe('00B2010C00', null, 'card-removed')).toContain('no response: card-removed');
  });
});

describe('caseFromTrace', () => {
  it('turns a trace into a case that expects its replayed result, and refuses traces without inputs', async () => {
    const r = await runCase(validateCase(clone(), 'ok'));
    const exchanges = r.taps[0]!.exchanges.map((x) => ({ c: x.c, r: x.r, t: 0, us: 0 }));
    const trace: Trace = { format: 'shanfu-trace', version: 1, reader: 'lab', atr: '3B00', startedAt: '2026-11-27T02:00:00Z', inputs: { amount: 200, date: '20261127', time: '100000', unpredictableNumber: '12345678' }, masked: false, exchanges };
    const made = await caseFromTrace(trace, { id: 'from-trace' });
    expect(made.case.expect).toMatchObject({ outcome: 'approved', reason: 'approved-offline', atc: 1, apdus: BASE.expect.apdus });
    expect((await runCase(validateCase(made.case, 'made'))).status).toBe('pass');
    await expect(caseFromTrace({ ...trace, inputs: { amount: 200 } }, { id: 'x' })).rejects.toThrow(/inputs.date, inputs.time, inputs.unpredictableNumber missing/);
  });
});
