/**
 * Which kernel reasons (kernels/qpboc/outcome.ts REASONS) the replayed cases reached: the coverage
 * table of the suite. A reason no case reaches is listed with the explanation from UNREACHED_NOTES
 * when the kernel cannot produce it; anything else unreached is a gap in the suite.
 */
import { REASONS } from '../../kernels/qpboc/outcome.js';
import type { CaseResult } from './runner.js';

/** Reasons the kernel defines but never sets itself (checked against kernels/qpboc at the time of writing). */
export const UNREACHED_NOTES: Record<string, string> = {};

export type CoverageRow = { code: number; reason: string; description: string; cases: string[]; note?: string };

export function reasonCoverage(results: readonly CaseResult[]): CoverageRow[] {
  return REASONS.filter((r) => r.code > 0).map((r) => {
    const cases = results.filter((x) => x.status === 'pass' && x.taps.some((t) => t.actual.reason === r.name)).map((x) => x.id);
    const note = cases.length === 0 ? UNREACHED_NOTES[r.name] : undefined;
    return { code: r.code, reason: r.name, description: r.description, cases, ...(note ? { note } : {}) };
  });
}

/** Reasons no case reaches and that are not explained as unreachable. */
export function coverageGaps(rows: readonly CoverageRow[]): CoverageRow[] {
  return rows.filter((r) => r.cases.length === 0 && !r.note);
}
