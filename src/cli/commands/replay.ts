import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { filterCases, loadCases } from '../../qa/loader.js';
import { runCases } from '../../qa/runner.js';
import { allPassed, jsonReport, summarize, textReport } from '../../qa/report-text.js';
import { junitReport } from '../../qa/report-junit.js';
import { htmlReport } from '../../qa/report-html.js';

const usage = `usage: shanfu replay PATH… [--filter ID] [--json] [--junit FILE] [--html FILE] [--coverage]

Replays QA cases (test-vectors/README.md) — case files or folders of them — against the kernel, each
deterministically (date, time, unpredictable number and card latency come from the case), and prints a
verdict table: pass, or fail with the first difference (expected vs actual APDU or field, at which tap
and exchange).
  --filter ID     only cases whose id contains ID, or whose group is ID
  --json          print one JSON document (summary, coverage, every result with its exchanges)
  --junit FILE    also write JUnit XML (one testsuite per group) for CI
  --html FILE     also write a self-contained HTML report (filters, timelines, decoded data)
  --coverage      add the table of kernel reasons reached by the cases
Exit status: 0 every case passed, 1 any case failed or could not run, 2 unusable input.`;

export const command: Command = {
  summary: 'replay QA cases: verdict table, JUnit XML, HTML report',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['json', 'coverage']);
    if (positionals.length === 0) throw new UsageError('give at least one case file or folder (e.g. test-vectors/cases)');
    for (const p of positionals) if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
    const filter = stringOption(options, 'filter');
    const junit = stringOption(options, 'junit');
    const html = stringOption(options, 'html');
    const loaded = loadCases(positionals);
    const cases = filterCases(loaded.cases, filter);
    if (cases.length === 0 && loaded.errors.length === 0) throw new UsageError(filter ? `--filter ${filter}: no case matches` : 'no case files (*.json, *.cbor) found');
    const progress = process.stderr.isTTY && !options.json;
    const t0 = performance.now();
    const results = await runCases(cases, (r, done, total) => {
      if (progress) process.stderr.write(`\r${done}/${total} ${r.status === 'pass' ? '' : `${r.status} ${r.id}`}`.padEnd(60).slice(0, 79));
      else if (!options.json && (done % 50 === 0 || done === total)) process.stderr.write(`replayed ${done}/${total}\n`);
    });
    if (progress) process.stderr.write('\r'.padEnd(80) + '\r');
    const summary = summarize(results, loaded.errors, (performance.now() - t0) / 1000);
    if (junit) writeFileSync(junit, junitReport(results, loaded.errors));
    if (html) writeFileSync(html, htmlReport(results, loaded.errors, summary));
    if (options.json) console.log(JSON.stringify(jsonReport(results, loaded.errors, summary)));
    else console.log(textReport(results, loaded.errors, summary, { coverage: !!options.coverage }));
    return allPassed(summary) ? 0 : 1;
  },
};
