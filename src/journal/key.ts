/**
 * The integrator's journal key for tools: `--key-file F` (32 raw bytes, or 64 hex digits with an
 * optional trailing newline) or the environment variable SHANFU_JOURNAL_KEY (64 hex digits).
 */
import { readFileSync } from 'node:fs';
import { ShanfuError } from '../../kernels/util/errors.js';

export const KEY_ENV = 'SHANFU_JOURNAL_KEY';

/** A key from a file's bytes or a hex string; `source` names where it came from in the error. */
export function parseJournalKey(data: Uint8Array | string, source: string): Uint8Array {
  if (typeof data !== 'string' && data.length === 32) return new Uint8Array(data);
  const text = (typeof data === 'string' ? data : new TextDecoder().decode(data)).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Uint8Array.from(Buffer.from(text, 'hex'));
  throw new ShanfuError('journal.key', `${source} is not a journal key: give 32 raw bytes or 64 hex digits (AES-256)`);
}

/** The key from `keyFile` if given, else from SHANFU_JOURNAL_KEY, else undefined. */
export function loadJournalKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Uint8Array | undefined {
  if (keyFile !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(keyFile);
    } catch (e) {
      throw new ShanfuError('journal.key', `cannot read the key file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parseJournalKey(bytes, `key file ${keyFile}`);
  }
  const hex = env[KEY_ENV];
  return hex ? parseJournalKey(hex, `environment variable ${KEY_ENV}`) : undefined;
}
