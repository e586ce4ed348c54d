import { readFileSync } from 'node:fs';
import { UsageError } from './main.js';

/**
 * A small argument parser: `--flag`, `--key value`, `--key=value`, positionals.
 * `flags` lists options that take no value.
 */
export function parseArgs(args: string[], flags: readonly string[] = []) {
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) options[key] = a.slice(eq + 1);
      else if (flags.includes(key)) options[key] = true;
      else {
        const v = args[i + 1];
        if (v === undefined) throw new UsageError(`--${key} needs a value`);
        options[key] = v;
        i++;
      }
    } else positionals.push(a);
  }
  return { options, positionals };
}

/** A string option, or undefined; a bare flag given where a value is needed is a usage error. */
export function stringOption(options: Record<string, string | true>, key: string): string | undefined {
  const v = options[key];
  if (v === true) throw new UsageError(`--${key} needs a value`);
  return v;
}

/** An integer option ≥ `min` (digits only, a safe integer), or undefined when absent. */
export function intOption(options: Record<string, string | true>, name: string, min: number): number | undefined {
  const v = stringOption(options, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

/** A JSON file named on the command line; unreadable or not JSON → a usage error starting with `label`. */
export function readJsonFile(path: string, label: string = path): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${label}: ${(e as Error).message}`);
  }
}
