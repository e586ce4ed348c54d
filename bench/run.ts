/**
 * Runs the benchmark suites of bench/*.bench.ts and writes bench/results/latest.json.
 *   npm run bench [-- NAME…] [-- --time=MS]
 * NAME selects bench files and suites whose name contains it or is contained in it (e.g.
 * `npm run bench -- tlv` runs tlv.bench.ts: suites tlv and tlv-traces). --time is the timing
 * budget per case (default 1000 ms, or BENCH_TIME_MS).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, runSuite, sinkValue, type CaseResult, type Suite } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const timeArg = args.find((a) => a.startsWith('--time='));
const timeMs = Number(timeArg?.slice(7) ?? process.env.BENCH_TIME_MS ?? 1000);
if (!(timeMs > 0)) throw new RangeError(`--time must be a positive number of milliseconds, got ${timeArg}`);

if (!(globalThis as { gc?: unknown }).gc) console.warn('note: run with node --expose-gc (npm run bench) to measure bytes/op');

// With NAMEs, only files whose base name matches one are imported (a file may do work on import).
const related = (a: string, b: string) => a.includes(b) || b.includes(a);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !names.length || names.some((n) => related(f.slice(0, -'.bench.ts'.length), n)))
  .sort();
const suites: Suite[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { suites?: Suite[]; register?: (add: (s: Suite) => void) => void | Promise<void> };
  for (const s of mod.suites ?? []) suites.push(s);
  if (mod.register) await mod.register((s) => suites.push(s));
  if (!mod.suites && !mod.register) console.warn(`note: ${f} exports no suites/register (standalone script); see bench/README.md`);
}
const selected = names.length ? suites.filter((s) => names.some((n) => related(s.name, n))) : suites;
if (!selected.length) {
  console.error(`no suite matches ${names.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(1);
}

const results: CaseResult[] = [];
const t0 = Date.now();
for (const s of selected) {
  process.stderr.write(`running ${s.name}${s.description ? ` — ${s.description}` : ''}\n`);
  const r = runSuite(s, { timeMs });
  results.push(...r);
  console.log(formatTable(r) + '\n');
}
const out = join(here, 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, timeMs, seconds: (Date.now() - t0) / 1000, results }, null, 2) + '\n',
);
console.log(`wrote ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s; sink ${sinkValue()})`);
