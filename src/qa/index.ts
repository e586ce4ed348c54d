/** The QA harness: case format, loader, runner, diff, reports (test-vectors/README.md). */
export { validateCase, CaseFormatError } from './case.js';
export type { QaCase, CardSpec, TapSpec, TransactionSpec, Expectation, TerminalSpec, HookSpec, ScriptStep, ProfileSpec } from './case.js';
export { loadCases, loadCaseFile, filterCases } from './loader.js';
export type { LoadError, LoadedCases } from './loader.js';
export { runCase, runCases, clockFor } from './runner.js';
export type { CaseResult, CaseStatus, TapResult, ExchangeRecord, ActualResult } from './runner.js';
export { diffTap } from './diff.js';
export type { Difference } from './diff.js';
export { TERMINAL_PRESETS, terminalConfigFor } from './presets.js';
export { reasonCoverage, coverageGaps, UNREACHED_NOTES } from './coverage.js';
export type { CoverageRow } from './coverage.js';
export { summarize, allPassed, textReport, jsonReport, coverageTable } from './report-text.js';
export type { RunSummary } from './report-text.js';
export { junitReport } from './report-junit.js';
export { htmlReport } from './report-html.js';
export { ExchangeDecoder, statusText } from './decode.js';
export { caseFromTrace } from './from-trace.js';
