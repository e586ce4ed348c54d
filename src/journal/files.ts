/**
 * File-system steps the journal needs to be durable: atomic replace (temp, fsync, rename, fsync the
 * directory), the acknowledged-cursor file, and the directory lock.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';

export const CURSOR_FILE = 'cursor.json';
export const LOCK_FILE = 'LOCK';
export const TEMP_SUFFIX = '.tmp';

/**
 * fsync of a directory: makes a create, rename or unlink in it durable (POSIX leaves directory
 * entries in the page cache until then; ext4 and xfs honour fsync on a directory fd).
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `dir/name` with `data` atomically and durably: a crash leaves the old or the new file, whole. */
export async function writeFileAtomic(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dir, name + TEMP_SUFFIX);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

/** The acknowledged cursor: 0 when the file does not exist yet. */
export async function readCursor(dir: string): Promise<number> {
  const file = join(dir, CURSOR_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let acked: unknown;
  try {
    const j = JSON.parse(text) as { format?: unknown; ackedSeq?: unknown };
    if (j.format === 'shanfu-journal-cursor/1') acked = j.ackedSeq;
  } catch {
    // reported below
  }
  if (!Number.isSafeInteger(acked) || (acked as number) < 0)
    throw new ShanfuError('journal.corrupt', `${file} at offset 0: not a journal cursor file; it is written atomically, so something else changed it. Run shanfu journal verify --dir ${dir}`);
  return acked as number;
}

export async function writeCursor(dir: string, ackedSeq: number): Promise<void> {
  await writeFileAtomic(dir, CURSOR_FILE, JSON.stringify({ format: 'shanfu-journal-cursor/1', ackedSeq }) + '\n');
}

/** Directories this process holds open, so a second open in the same process is refused too. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the journal directory for this process: `LOCK` holds our pid. A lock whose process is gone
 * (a crash, SIGKILL) is taken over. Two writers on one journal would interleave records and reuse
 * sequence numbers, so a live holder is ShanfuError `journal.locked`.
 */
export async function acquireLock(dir: string): Promise<void> {
  if (held.has(dir)) throw new ShanfuError('journal.locked', `journal ${dir} is already open in this process; close it first or share the instance`);
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another process took the lock between our unlink of a stale one and our create.
      if (attempt > 0) throw new ShanfuError('journal.locked', `journal ${dir} was just opened by another process; try again`);
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new ShanfuError('journal.locked', `journal ${dir} is in use by process ${pid}; stop it (or ship through its uplink) and try again`);
    await unlink(file).catch(() => undefined); // stale: its process is gone
  }
  held.add(dir);
}

export async function releaseLock(dir: string): Promise<void> {
  held.delete(dir);
  await unlink(join(dir, LOCK_FILE)).catch(() => undefined);
}
