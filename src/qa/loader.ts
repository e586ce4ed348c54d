/**
 * Loads cases from files and folders: `*.json` (for people) and `*.cbor` (large traces), recursively,
 * in path order; folders whose name starts with `_` (shared traces, fixtures) are skipped. A file that
 * cannot be read or is not a valid case becomes a load error (reported as a failed case), never a crash.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decode as decodeCbor } from 'cbor-x';
import { validateCase, type QaCase } from './case.js';

export type LoadError = { file: string; message: string };
export type LoadedCases = { cases: QaCase[]; errors: LoadError[] };

function parseFile(file: string): unknown {
  const bytes = readFileSync(file);
  return file.endsWith('.cbor') ? decodeCbor(bytes) : JSON.parse(bytes.toString('utf8'));
}

function listFiles(path: string, out: string[]): void {
  const st = statSync(path);
  if (!st.isDirectory()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) {
      if (!name.startsWith('_')) listFiles(p, out);
    } else if (name.endsWith('.json') || name.endsWith('.cbor')) out.push(p);
  }
}

/** Reads one case file; `card.trace` paths resolve against the case's folder. */
export function loadCaseFile(file: string): QaCase {
  const raw = parseFile(file);
  return validateCase(raw, file, (p) => parseFile(resolve(dirname(file), p)));
}

/**
 * Loads every case under `paths` (files or folders). Duplicate ids are load errors (ids name cases in
 * reports and --filter). Throws only when a path does not exist (a usage error).
 */
export function loadCases(paths: readonly string[]): LoadedCases {
  const files: string[] = [];
  for (const p of paths) listFiles(p, files);
  const cases: QaCase[] = [];
  const errors: LoadError[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    try {
      const c = loadCaseFile(file);
      const other = seen.get(c.id);
      if (other) throw new Error(`${file}: id '${c.id}' is also used by ${other}`);
      seen.set(c.id, file);
      cases.push(c);
    } catch (e) {
      errors.push({ file, message: (e as Error).message });
    }
  }
  return { cases, errors };
}

/** Cases whose id contains `filter`, or whose group equals it. */
export function filterCases(cases: readonly QaCase[], filter: string | undefined): QaCase[] {
  return filter ? cases.filter((c) => c.id.includes(filter) || c.group === filter) : [...cases];
}
