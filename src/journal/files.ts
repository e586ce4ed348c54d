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

/** Locks this process holds (dir + role), so a second open in the same process is refused too. */
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
 * The two roles on a journal directory, one process each:
 * - `writer` (`LOCK`): appends, creates and deletes segments, repairs a torn tail. Two writers would
 *   interleave records and reuse sequence numbers.
 * - `shipper` (`LOCK.ship`): moves the acknowledged cursor. Two shippers could move it backwards
 *   under each other. The writer takes it only when it acknowledges itself (an in-process uplink).
 */
export type LockRole = 'writer' | 'shipper';
const LOCK_NAMES: Record<LockRole, string> = { writer: LOCK_FILE, shipper: LOCK_FILE + '.ship' };
const ROLE_TEXT: Record<LockRole, string> = {
  writer: 'written to by process %; stop it and try again',
  shipper: 'shipped by process % (an uplink or a journal export/ack); let it finish and try again',
};

/**
 * Takes `role` on the journal directory: its lock file holds our pid. A lock whose process is gone
 * (a crash, SIGKILL) is taken over; a live holder is ShanfuError `journal.locked`.
 */
export async function acquireLock(dir: string, role: LockRole = 'writer'): Promise<void> {
  const key = `${dir}\0${role}`;
  if (held.has(key)) throw new ShanfuError('journal.locked', `journal ${dir} is already open as ${role} in this process; close it first or share the instance`);
  const file = join(dir, LOCK_NAMES[role]);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another process took the lock between our unlink of a stale one and our create.
      if (attempt > 0) throw new ShanfuError('journal.locked', `journal ${dir} was just taken as ${role} by another process; try again`);
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new ShanfuError(
        'journal.locked',
        `journal ${dir} is ${ROLE_TEXT[role].replace('%', String(pid))} (if process ${pid} is not a shanfu process, the lock is stale: delete ${file})`,
      );
    await unlink(file).catch(() => undefined); // stale: its process is gone
  }
  held.add(key);
}

export async function releaseLock(dir: string, role: LockRole = 'writer'): Promise<void> {
  if (!held.delete(`${dir}\0${role}`)) return;
  await unlink(join(dir, LOCK_NAMES[role])).catch(() => undefined);
}
