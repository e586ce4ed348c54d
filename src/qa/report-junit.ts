/**
 * JUnit XML for CI: one <testsuite> per case group, one <testcase> per case; a failed case carries
 * its first difference as <failure>, a case that could not run (or a file that is not a valid case)
 * an <error>.
 */
import type { LoadError } from './loader.js';
import type { CaseResult } from './runner.js';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

export function junitReport(results: readonly CaseResult[], loadErrors: readonly LoadError[]): string {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.filter((r) => r.status === 'fail').length;
  const errors = results.filter((r) => r.status === 'error').length + loadErrors.length;
  const total = (rs: readonly CaseResult[]) => rs.reduce((s, r) => s + r.micros, 0) / 1e6;
  out.push(`<testsuites name="shanfu replay" tests="${results.length + loadErrors.length}" failures="${failures}" errors="${errors}" time="${total(results).toFixed(3)}">`);
  for (const [group, rs] of groups) {
    out.push(`  <testsuite name="${esc(group)}" tests="${rs.length}" failures="${rs.filter((r) => r.status === 'fail').length}" errors="${rs.filter((r) => r.status === 'error').length}" time="${total(rs).toFixed(3)}">`);
    for (const r of rs) {
      const open = `    <testcase classname="shanfu.qa.${esc(group)}" name="${esc(`${r.id}: ${r.title}`)}" file="${esc(r.file)}" time="${(r.micros / 1e6).toFixed(6)}"`;
      if (r.status === 'pass') out.push(`${open}/>`);
      else if (r.status === 'fail') {
        const d = r.difference!;
        out.push(`${open}>`, `      <failure message="${esc(d.message)}" type="${esc(d.field)}">${esc(`expected: ${d.expected}\nactual:   ${d.actual}`)}</failure>`, '    </testcase>');
      } else out.push(`${open}>`, `      <error message="${esc(r.error ?? 'could not run')}"/>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (loadErrors.length) {
    out.push(`  <testsuite name="load" tests="${loadErrors.length}" failures="0" errors="${loadErrors.length}">`);
    for (const e of loadErrors) out.push(`    <testcase classname="shanfu.qa.load" name="${esc(e.file)}">`, `      <error message="${esc(e.message)}"/>`, '    </testcase>');
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
