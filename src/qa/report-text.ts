/**
 * Plain-text and JSON reports of a replay run: the verdict table (one line per case; a failure shows
 * its first difference), load errors, the reason coverage table and the summary line.
 */
import type { LoadError } from './loader.js';
import type { CaseResult } from './runner.js';
import { coverageGaps, reasonCoverage, type CoverageRow } from './coverage.js';

export type RunSummary = { total: number; passed: number; failed: number; errors: number; loadErrors: number; seconds: number; casesPerSecond: number };

export function summarize(results: readonly CaseResult[], loadErrors: readonly LoadError[], seconds: number): RunSummary {
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail').length;
  return {
    total: results.length + loadErrors.length, passed, failed, errors: results.length - passed - failed, loadErrors: loadErrors.length,
    seconds: +seconds.toFixed(3), casesPerSecond: seconds > 0 ? Math.round(results.length / seconds) : 0,
  };
}

/** True when every case ran and passed. */
export const allPassed = (s: RunSummary) => s.failed === 0 && s.errors === 0 && s.loadErrors === 0 && s.total > 0;

function verdict(r: CaseResult): string {
  const last = r.taps[r.taps.length - 1]?.actual;
  return last ? `${last.outcome} ${last.reason}` : '-';
}

export function coverageTable(rows: readonly CoverageRow[]): string {
  const lines = ['reason coverage (kernels/qpboc REASONS; passing cases whose tap ended with the reason):', ''];
  lines.push(`${'code'.padEnd(5)}${'reason'.padEnd(34)}${'cases'.padStart(6)}  examples`);
  for (const r of rows) {
    const ex = r.cases.length ? r.cases.slice(0, 3).join(', ') + (r.cases.length > 3 ? ', …' : '') : r.note ? `— ${r.note}` : '— NOT REACHED';
    lines.push(`${String(r.code).padEnd(5)}${r.reason.padEnd(34)}${String(r.cases.length).padStart(6)}  ${ex}`);
  }
  const gaps = coverageGaps(rows);
  lines.push('', gaps.length ? `${gaps.length} reason(s) not reached: ${gaps.map((g) => g.reason).join(', ')}` : 'every reason the kernel sets is reached by at least one case');
  return lines.join('\n');
}

export function textReport(results: readonly CaseResult[], loadErrors: readonly LoadError[], summary: RunSummary, options: { coverage?: boolean } = {}): string {
  const lines: string[] = [];
  const idw = Math.min(40, Math.max(4, ...results.map((r) => r.id.length)));
  const gw = Math.max(5, ...results.map((r) => r.group.length));
  lines.push(`${'RESULT'.padEnd(7)}${'CASE'.padEnd(idw + 2)}${'GROUP'.padEnd(gw + 2)}ACTUAL (last tap)`);
  for (const r of results) {
    lines.push(`${r.status.toUpperCase().padEnd(7)}${r.id.padEnd(idw + 2)}${r.group.padEnd(gw + 2)}${verdict(r)}`);
    if (r.status === 'fail' && r.difference) {
      const d = r.difference;
      lines.push(`       first difference: ${d.message}`);
      if (d.field === 'apdu' || d.field === 'card-script') lines.push(`         expected ${d.expected}`, `         actual   ${d.actual}`);
    }
    if (r.status === 'error') lines.push(`       could not run: ${r.error}`);
  }
  for (const e of loadErrors) lines.push(`${'ERROR'.padEnd(7)}${e.file}`, `       ${e.message}`);
  if (options.coverage) lines.push('', coverageTable(reasonCoverage(results)));
  lines.push('', `${summary.total} cases: ${summary.passed} passed, ${summary.failed} failed, ${summary.errors + summary.loadErrors} could not run — ${summary.seconds} s, ${summary.casesPerSecond} cases/s`);
  return lines.join('\n');
}

/** The JSON document of `shanfu replay --json`. */
export function jsonReport(results: readonly CaseResult[], loadErrors: readonly LoadError[], summary: RunSummary): unknown {
  return { summary, loadErrors, coverage: reasonCoverage(results), results };
}
