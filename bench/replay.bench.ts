/**
 * The QA harness: cases replayed per second. `register` replays the whole suite (test-vectors/cases)
 * through the async runner — twice, the first run warms the JIT and the ODA engines — and reports
 * cases/s in the suite description (the harness times synchronous ops only). The timed cases are
 * the synchronous parts of a replay: validating a case file, the first-difference diff of a tap, and
 * the exchange decoder behind `shanfu trace show` and the HTML report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Suite } from './harness.js';
import { loadCases } from '../src/qa/loader.js';
import { validateCase } from '../src/qa/case.js';
import { runCases, type CaseResult } from '../src/qa/runner.js';
import { diffTap } from '../src/qa/diff.js';
import { ExchangeDecoder } from '../src/qa/decode.js';

const CASES = join(import.meta.dirname, '..', 'test-vectors', 'cases');

export async function register(add: (s: Suite) => void): Promise<void> {
  const { cases, errors } = loadCases([CASES]);
  if (errors.length) throw new Error(`replay bench: ${errors.length} case files do not load: ${errors[0]!.message}`);
  let results: CaseResult[] = [];
  const runs: number[] = [];
  for (let run = 0; run < 2; run++) {
    const t0 = performance.now();
    results = await runCases(cases);
    runs.push((performance.now() - t0) / 1000);
  }
  const failed = results.filter((r) => r.status !== 'pass').length;
  const scripted = cases.filter((c) => c.card.kind === 'script');
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await runCases(scripted);
  const scriptedS = (performance.now() - t0) / 1000 / 5;
  const exchanges = results.reduce((s, r) => s + r.taps.reduce((k, t) => k + t.exchanges.length, 0), 0);
  const airS = results.reduce((s, r) => s + r.taps.reduce((k, t) => k + t.exchanges.reduce((a, x) => a + x.airMicros, 0), 0), 0) / 1e6;

  const file = join(CASES, '02-selection', 'sel-ppse-single-aid.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const one = results.find((r) => r.id === 'sel-ppse-single-aid')!;
  const tap = one.taps[0]!;
  add({
    name: 'replay',
    description:
      `whole suite: ${cases.length} cases (${exchanges} exchanges, ${failed} not passing) in ${runs[1]!.toFixed(2)} s = ${Math.round(cases.length / runs[1]!)} cases/s ` +
      `(cold run ${runs[0]!.toFixed(2)} s = ${Math.round(cases.length / runs[0]!)} cases/s; virtual-card personalisation — certificate signing — is most of it); ` +
      `${scripted.length} scripted/trace cases alone: ${Math.round(scripted.length / scriptedS)} cases/s; simulated card time of the suite on the air: ${airS.toFixed(1)} s`,
    reference: 'validate a case file',
    cases: [
      { name: 'validate a case file', fn: () => validateCase(raw, file).taps.length },
      { name: 'diff one tap (8 APDUs + fields)', fn: () => (diffTap(0, tap.expect, tap.actual, tap.exchanges, null) === null ? 1 : 0) },
      { name: 'decode one tap for trace show / HTML', fn: () => { const d = new ExchangeDecoder(); let n = 0; for (const x of tap.exchanges) n += d.describe(x.c, x.r).length; return n; } },
    ],
  });
}
