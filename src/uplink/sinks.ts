/**
 * Parameter sinks: where a verified parameter update goes. One sink per kind; each applies an
 * update atomically (the whole new set is in force afterwards, or — when `apply` throws — the
 * previous set still is) and says which version it runs.
 *
 * - `DenyListSink` feeds the deny list (src/denylist `DenyListStore.apply`: full files and deltas)
 *   and saves the merged list atomically.
 * - `FileParameterSink` keeps one JSON set (fare table, CA keys, terminal parameters): it parses
 *   and validates the payload, stores the signed envelope atomically (temp file + fsync + rename),
 *   then swaps the in-memory value. On start it re-verifies the stored envelope, so a file changed
 *   at rest is not trusted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';
import { validateConfig, DEFAULT_CONFIG_JSON, type TerminalConfig } from '../config/terminal-config.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { inspectDenyListFile } from '../denylist/inspect.js';
import type { DenyListStore } from '../denylist/store.js';
import { validateFareTable, type FareTable } from '../profiles/fare-tables.js';
import { openParameters, type TrustedKey, type VerifiedUpdate } from './envelope.js';

export interface ParameterSink {
  /** The kind this sink takes (`denylist`, `fares`, `capks`, `terminal`, or an integrator's own). */
  readonly kind: string;
  /** The version in force (0 = none yet). */
  readonly version: number;
  /** SHA-256 (hex) of the payload in force, when known (a repeated download is recognised by it). */
  readonly sha256?: string | null;
  /** Whether this kind takes deltas (`base` > 0). */
  readonly acceptsDeltas: boolean;
  /** Applies a verified update atomically, or throws (ShanfuError with a code) and keeps the current set. */
  apply(update: VerifiedUpdate): void | Promise<void>;
}

/** The deny list: full lists and deltas in the src/denylist file format. */
export class DenyListSink implements ParameterSink {
  readonly kind = 'denylist';
  readonly acceptsDeltas = true;
  sha256: string | null = null;

  /** `savePath`: where the merged list is saved after each update (load it at start with `DenyListStore.fromFile`). */
  constructor(
    readonly store: DenyListStore,
    private readonly savePath?: string,
  ) {}

  get version(): number {
    return this.store.version;
  }

  apply(u: VerifiedUpdate): void {
    // The envelope's version and base must be the file's own: a signature over v9 must not carry an old v3 file.
    const info = inspectDenyListFile(u.payload);
    if (info.version !== u.version || info.baseVersion !== u.base)
      throw new ShanfuError('params.mismatch', `deny-list file is version ${info.version} (base ${info.baseVersion}) but its envelope says ${u.version} (base ${u.base}); the back office must sign the file it sends`);
    this.store.apply(u.payload);
    // The hash identifies a full list; after a delta the full list of that version (published beside
    // it) has another hash but is the same list, so it must not look like a reused version.
    this.sha256 = u.base === 0 ? u.sha256 : null;
    if (this.savePath) this.store.save(this.savePath);
  }
}

export interface FileSinkOptions<T> {
  /** Directory for `<kind>.params` (the signed envelope in force). */
  dir: string;
  kind: string;
  /** Parses and validates a payload; throws (ShanfuError / TypeError) to reject it. */
  parse: (payload: Uint8Array) => T;
  /** Keys to re-verify the stored envelope with at start. */
  trusted: readonly TrustedKey[];
  /** Called after a new set is in force (e.g. rebuild the profile with the new fare table). */
  onApply?: (value: T, update: VerifiedUpdate) => void;
}

export class FileParameterSink<T> implements ParameterSink {
  readonly kind: string;
  readonly acceptsDeltas = false;
  private state: { value: T; update: VerifiedUpdate } | null = null;
  /** Why the stored set could not be loaded at start (the terminal then waits for a fresh one), or null. */
  readonly loadProblem: string | null = null;
  private readonly file: string;

  constructor(private readonly o: FileSinkOptions<T>) {
    if (typeof o?.dir !== 'string' || !o.dir) throw new TypeError('options.dir must be a directory path');
    if (typeof o.parse !== 'function') throw new TypeError('options.parse must be a function');
    this.kind = o.kind;
    this.file = join(o.dir, `${o.kind}.params`);
    if (existsSync(this.file)) {
      try {
        const update = openParameters(readFileSync(this.file), o.trusted);
        if (update.kind !== o.kind) throw new ShanfuError('params.wrong-kind', `holds a ${update.kind} set`);
        this.state = { value: o.parse(update.payload), update };
      } catch (e) {
        this.loadProblem = `${this.file}: ${(e as Error).message}`;
      }
    }
  }

  get version(): number {
    return this.state?.update.version ?? 0;
  }

  get sha256(): string | null {
    return this.state?.update.sha256 ?? null;
  }

  /** The set in force, or null. */
  get value(): T | null {
    return this.state?.value ?? null;
  }

  get update(): VerifiedUpdate | null {
    return this.state?.update ?? null;
  }

  apply(u: VerifiedUpdate): void {
    if (u.base !== 0) throw new ShanfuError('params.delta-unsupported', `${this.kind} takes full sets only; send version ${u.version} as a full set`);
    const value = this.o.parse(u.payload);
    writeFileAtomic(this.file, u.envelope);
    this.state = { value, update: u };
    this.o.onApply?.(value, u);
  }
}

function json(payload: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    throw new ShanfuError('params.invalid', `${what}: not UTF-8 JSON (${(e as Error).message})`);
  }
}

/** CA keys as a JSON object `{ capks, smCapks, revocationList }` (src/config/README.md field formats). */
export interface CaKeySet {
  capks: TerminalConfig['capks'];
  smCapks: TerminalConfig['smCapks'];
  revocationList: TerminalConfig['revocationList'];
}

/** Payload parsers for the built-in kinds (each throws ShanfuError naming the field). */
export const PARAMETER_PARSERS = {
  /** A fare table (src/profiles fare-tables: bus, metro or toll). */
  fares: (payload: Uint8Array): FareTable => validateFareTable(json(payload, 'fare table')),
  /** Terminal parameters: a src/config terminal configuration file. */
  terminal: (payload: Uint8Array): TerminalConfig => validateConfig(json(payload, 'terminal parameters')),
  capks: (payload: Uint8Array): CaKeySet => {
    const j = json(payload, 'CA keys');
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new ShanfuError('params.invalid', 'CA keys: must be a JSON object { capks, smCapks, revocationList }');
    const extra = Object.keys(j).filter((k) => !['capks', 'smCapks', 'revocationList'].includes(k));
    if (extra.length) throw new ShanfuError('params.invalid', `CA keys: unknown field ${extra[0]} (expected capks, smCapks, revocationList)`);
    const c = validateConfig({ ...JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON)), ...j });
    return { capks: c.capks, smCapks: c.smCapks, revocationList: c.revocationList };
  },
};
