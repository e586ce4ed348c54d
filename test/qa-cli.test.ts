/**
 * `shanfu replay`, `shanfu trace show` and `shanfu record` as a user runs them (the CLI from source in a
 * child process): verdicts and exit codes, the first difference of an altered case pointing at its
 * exchange, JUnit and JSON output, the real contactless traces of ../shared/conformance rendered by
 * `trace show` without an error, and a recorded tap turned into a passing case.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const shanfu = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
const CASE = 'test-vectors/cases/03-gpo/gpo-format2-tc.json';

/** A folder with two passing cases and one whose expected GPO C-APDU has one byte changed. */
function alteredFolder(): { dir: string; altered: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-cli-'));
  copyFileSync(CASE, join(dir, 'a.json'));
  copyFileSync('test-vectors/cases/11-malformed/mal-reader-removed.json', join(dir, 'b.json'));
  const c = JSON.parse(readFileSync(CASE, 'utf8'));
  c.id = 'gpo-altered';
  const gpo: string = c.expect.apdus[2];
  c.expect.apdus[2] = gpo.slice(0, -4) + (gpo.slice(-4, -2) === '00' ? '01' : '00') + gpo.slice(-2);
  writeFileSync(join(dir, 'c.json'), JSON.stringify(c, null, 2));
  return { dir, altered: c.expect.apdus[2] };
}

describe('shanfu replay', () => {
  it('fails a case whose expected APDU was altered, pointing at that exchange (text, JUnit, JSON)', () => {
    const { dir, altered } = alteredFolder();
    const junit = join(dir, 'out.xml');
    const html = join(dir, 'report.html');
    const r = shanfu('replay', dir, '--junit', junit, '--html', html);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/PASS\s+gpo-format2-tc/);
    expect(r.stdout).toMatch(/FAIL\s+gpo-altered/);
    expect(r.stdout).toContain('first difference: tap 1, exchange 3 (GET PROCESSING OPTIONS): C-APDU differs at byte');
    expect(r.stdout).toContain(`expected ${altered}`);
    expect(r.stdout).toContain('3 cases: 2 passed, 1 failed, 0 could not run');
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*"id":"gpo-altered"/); // opened in a browser by test/qa-html.test.ts
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)!.length).toBe(3);
    expect(xml).toContain('<failure message="tap 1, exchange 3 (GET PROCESSING OPTIONS)');
    const j = shanfu('replay', dir, '--json');
    expect(j.status).toBe(1);
    const doc = JSON.parse(j.stdout);
    expect(doc.summary).toMatchObject({ total: 3, passed: 2, failed: 1 });
    expect(doc.results.find((x: { id: string }) => x.id === 'gpo-altered').difference).toMatchObject({ exchange: 2, field: 'apdu', expected: altered });
  });

  it('passes (exit 0) on good cases, filters by id or group, prints the coverage table on request', () => {
    const r = shanfu('replay', 'test-vectors/cases', '--filter', 'removal', '--coverage');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+rem-1-select-ppse/);
    expect(r.stdout).not.toContain('gpo-format2-tc');
    expect(r.stdout).toMatch(/26\s+card-removed\s+\d+/);
  });

  it('bad input exits 2 with the reason; a broken case file is a reported failure (exit 1)', () => {
    expect(shanfu('replay').status).toBe(2);
    const missing = shanfu('replay', 'no/such/dir');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no/such/dir: no such file or folder');
    const nomatch = shanfu('replay', CASE, '--filter', 'zzz');
    expect(nomatch.status).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-bad-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ id: 'x', title: 't', group: 'g', covers: 'c', card: { personality: 'debit-ec' } }));
    const r = shanfu('replay', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('transaction.date: expected yyyymmdd');
  });
});

/** The real card exchanges in ../shared/conformance/vectors, as shanfu traces. */
function conformanceTraces(): { name: string; trace: unknown }[] {
  const dir = '../shared/conformance/vectors';
  const out: { name: string; trace: unknown }[] = [];
  const asTrace = (reader: string, ex: { c: string; r: string }[]) => ({
    format: 'shanfu-trace', version: 1, reader, atr: '', startedAt: '2026-11-27T00:00:00Z', inputs: {}, masked: false,
    exchanges: ex.map((e, i) => ({ c: e.c, r: e.r.length >= 4 ? e.r : null, ...(e.r.length >= 4 ? {} : { error: 'protocol' }), t: i * 1000, us: 0 })),
  });
  const clean = (s: unknown) => String(s ?? '').replace(/\s+/g, '').toUpperCase();
  const devnied = JSON.parse(readFileSync(join(dir, 'devnied_apdu_traces.json'), 'utf8')) as { traces: { card_type: string; exchanges: { send?: string; resp?: string }[] }[] };
  for (const t of devnied.traces) {
    const ex = t.exchanges.map((e) => ({ c: clean(e.send), r: clean(e.resp) })).filter((e) => /^([0-9A-F]{2})+$/.test(e.c));
    if (ex.length) out.push({ name: `devnied ${t.card_type}`, trace: asTrace(`devnied ${t.card_type}`, ex) });
  }
  const up = JSON.parse(readFileSync(join(dir, 'unionpay_qpboc_traces.json'), 'utf8')) as { blog_traces?: { title: string; exchanges: { c_apdu?: string; r_apdu?: string }[] }[] };
  for (const b of up.blog_traces ?? []) {
    const ex = b.exchanges.map((e) => ({ c: clean(e.c_apdu), r: clean(e.r_apdu) })).filter((e) => /^([0-9A-F]{2})+$/.test(e.c));
    if (ex.length) out.push({ name: `unionpay ${b.title}`, trace: asTrace('unionpay blog', ex) });
  }
  return out;
}

describe('shanfu trace show', () => {
  const haveVectors = existsSync('../shared/conformance/vectors/devnied_apdu_traces.json');
  it.skipIf(!haveVectors && !process.env.CI)('renders every real contactless trace of ../shared/conformance without an error', () => {
    const traces = conformanceTraces();
    expect(traces.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-traces-'));
    const files = traces.map(({ trace }, n) => {
      const f = join(dir, `t${n}.json`);
      writeFileSync(f, JSON.stringify(trace));
      return f;
    });
    // One process renders them all (a spawn per file costs a second of start-up each).
    const r = shanfu('trace', 'show', ...files);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const parts = r.stdout.split(/^== /m).slice(1);
    expect(parts.length).toBe(traces.length);
    parts.forEach((p, i) => {
      expect(p, traces[i]!.name).toMatch(/^\S+\ntrace of \d+ exchanges/);
      expect(p, traces[i]!.name).toMatch(/SELECT|READ RECORD|GET PROCESSING OPTIONS|GET DATA/);
    });
    const all = traces.map(({ trace }) => JSON.stringify(trace)).join('');
    expect(all).toContain('325041592E5359532E4444463031'); // a PPSE selection is among them
  });

  it('names the field of a bad trace and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-badtrace-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ format: 'shanfu-trace', version: 1, reader: 'x', atr: '', startedAt: '2026-11-27T00:00:00Z', inputs: {}, masked: false, exchanges: [{ c: 'ZZ', r: '9000', t: 0, us: 0 }] }));
    const r = shanfu('trace', 'show', f);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('exchanges[0].c');
    expect(shanfu('trace', 'list').status).toBe(2);
  });
});

describe('shanfu record', () => {
  it('records a virtual tap as a masked trace and a case that replays to its observed result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-rec-'));
    mkdirSync(join(dir, '_traces'));
    const out = join(dir, '_traces', 'tap.json');
    const caseFile = join(dir, 'tap-case.json');
    const r = shanfu('record', '--card', 'debit-ec', '--out', out, '--amount', '3.50', '--date', '20261127', '--time', '083000', '--un', 'CAFEBABE', '--case', caseFile, '--id', 'recorded-debit');
    expect(r.status, r.stderr).toBe(0);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    expect(trace).toMatchObject({ format: 'shanfu-trace', masked: true, inputs: { amount: 350, date: '20261127', time: '083000', unpredictableNumber: 'CAFEBABE' } });
    expect(JSON.stringify(trace)).not.toContain('6228480000000000018'); // the PAN is masked
    const c = JSON.parse(readFileSync(caseFile, 'utf8'));
    expect(c.card.trace).toBe('_traces/tap.json');
    expect(c.expect.apdus.length).toBe(trace.exchanges.length);
    const show = shanfu('trace', 'show', out);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('3.50');
    const replay = shanfu('replay', dir);
    expect(replay.status, replay.stdout).toBe(0);
    expect(replay.stdout).toMatch(/PASS\s+recorded-debit/);
  });

  it('rejects bad options with exit 2', () => {
    expect(shanfu('record', '--card', 'debit-ec', '--amount', '1.00').status).toBe(2);
    expect(shanfu('record', '--card', 'debit-ec', '--out', '/tmp/x.json', '--amount', '1.00', '--un', '12').status).toBe(2);
    expect(shanfu('record', '--card', 'debit-ec', '--out', '/tmp/x.json', '--amount', '1.00', '--case', '/tmp/c.json').status).toBe(2);
    expect(shanfu('record', '--card', 'no-such-card', '--out', '/tmp/x.json', '--amount', '1.00').status).toBe(2);
  });
});
