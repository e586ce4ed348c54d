/**
 * Keeps a running validator's deny list in step with its file: when another process (the uplink,
 * `shanfu uplink run --params-dir DIR`, or an operator) replaces the file — always atomically, by
 * rename — the new list is applied to the store the kernel consults, between two lookups. A file
 * that does not apply (older, damaged, another list under the same version) is reported and the
 * list in force stays.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ApplyResult, DenyListStore } from './store.js';

export interface DenyListWatchOptions {
  /** A newer list was applied. */
  onApplied?: (result: ApplyResult) => void;
  /** The file changed but did not apply; the list in force stays. */
  onRejected?: (error: Error) => void;
  /** Quiet time after the last change event before the file is read (default 50 ms). */
  settleMs?: number;
}

/**
 * Watches `file` (its directory, so an atomic rename is seen) and applies each new version to
 * `store`. Returns the function that stops watching.
 */
export function watchDenyListFile(store: DenyListStore, file: string, options: DenyListWatchOptions = {}): () => void {
  const name = basename(file);
  const settleMs = options.settleMs ?? 50;
  let timer: NodeJS.Timeout | null = null;
  const check = () => {
    timer = null;
    let result: ApplyResult;
    try {
      result = store.applyFile(file);
    } catch (e) {
      // The file missing for a moment (a rename in progress) is not a rejection: the next event brings it.
      if (((e as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return;
      options.onRejected?.(e as Error);
      return;
    }
    if (result.changed) options.onApplied?.(result);
  };
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, settleMs);
  });
  watcher.on('error', (e) => options.onRejected?.(e));
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
