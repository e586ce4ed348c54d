/**
 * `Journal`: the durable, append-only transaction journal over segment files (README.md in this
 * directory has the byte layout and the guarantees).
 *
 * Writes go through one flush loop: `append` encodes and seals the entry, takes the next sequence
 * number and queues the frame; the loop writes every queued frame with one positional write and
 * one fdatasync, then resolves those appends in sequence order. So concurrent appends share an
 * fsync (group commit) and a resolved append is on disk.
 *
 * One process writes (`Journal.open`, the terminal); another may ship at the same time
 * (`Journal.openExisting`, an uplink or `shanfu journal export/ack`): it follows the files as they
 * grow, makes what it read durable with its own fdatasync before returning it, and moves the
 * cursor. Each role has its own lock file (files.ts).
 */
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';
import { checkCount, checkEntry, checkKey, decodeStoredEntry, encodeStoredEntry, equalBytes, keyCheckValue, storedEntry, unseal } from './codec.js';
import { crc32c } from './crc32c.js';
import { acquireLock, CURSOR_FILE, fsyncDir, readCursor, releaseLock, TEMP_SUFFIX, writeCursor, writeFileAtomic } from './files.js';
import { encodeFrame, encodeHeader, FRAME_OVERHEAD, scanFrames, scanSegment, segmentName, segmentSeq, type SegmentHeader } from './segment.js';
import type { JournalEntry, JournalHistory, JournalOptions, JournalStats, JournalStore, SensitiveCardData, StoredEntry } from './types.js';

/** Default segment size: 16 MiB ≈ 44k taps of ~380 bytes (bench: bytes per record). */
const DEFAULT_ROTATE_BYTES = 16 << 20;

interface Segment {
  name: string;
  firstSeq: number;
  /** Frame offsets of the segment's durable records: record firstSeq + i starts at offsets[i]. */
  offsets: number[];
  /** Durable length of the file (the next frame goes here). */
  size: number;
}

interface Pending {
  seq: number;
  frame: Uint8Array;
  resolve: (seq: number) => void;
  reject: (e: Error) => void;
}

/** What `open` found and repaired: a torn tail left by an append that never resolved. */
export interface JournalRecovery {
  file: string;
  offset: number;
  bytes: number;
  reason: string;
}

/** Options of `Journal.openExisting` (the uplink, the CLI: export, ack, stats). */
export interface OpenExistingOptions {
  /** The integrator key: needed to unseal (and refused at open when it is not the journal's). */
  key?: Uint8Array;
  /**
   * A snapshot without any lock (`stats`): acknowledging is refused, and records are not fsynced
   * (the snapshot may show an append that has not resolved yet). Default: the shipper role.
   */
  readOnly?: boolean;
}

/** writer: Journal.open (appends); shipper: openExisting (exports, acks); read-only: a snapshot. */
type Mode = 'writer' | 'shipper' | 'read-only';

const lastSeqOf = (s: Segment) => s.firstSeq + s.offsets.length - 1;

function corrupt(file: string, offset: number, problem: string, dir: string): ShanfuError {
  return new ShanfuError(
    'journal.corrupt',
    `${file} at offset ${offset}: ${problem}. Nothing was discarded; run 'shanfu journal verify --dir ${dir}' ` +
      'for the full report and keep a copy of the directory before repairing it',
  );
}

/**
 * Reads and checks segment files `names` (ascending), continuing after `prev`. A torn tail is
 * allowed in the last one only (returned; the caller repairs or ignores it).
 */
async function readSegments(
  dir: string,
  names: string[],
  prev: Segment | undefined,
  terminalId: string | undefined,
): Promise<{ segments: Segment[]; lastHeader?: SegmentHeader; terminalId?: string; torn?: JournalRecovery }> {
  const segments: Segment[] = [];
  let lastHeader: SegmentHeader | undefined;
  let torn: JournalRecovery | undefined;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    const file = join(dir, name);
    const scan = scanSegment(new Uint8Array(await readFile(file)));
    if (typeof scan === 'string') throw corrupt(file, 0, scan, dir);
    const h = scan.header;
    if (h.firstSeq !== segmentSeq(name)) throw corrupt(file, 0, `header says first seq ${h.firstSeq}, the file name ${segmentSeq(name)}`, dir);
    terminalId ??= h.terminalId;
    if (h.terminalId !== terminalId) throw corrupt(file, 0, `segment of terminal '${h.terminalId}' in the journal of '${terminalId}'`, dir);
    if (prev && h.firstSeq !== lastSeqOf(prev) + 1)
      throw corrupt(file, 0, `sequence gap between segments: expected first seq ${lastSeqOf(prev) + 1}, found ${h.firstSeq}`, dir);
    if (scan.problems.length) throw corrupt(file, scan.problems[0]!.offset, scan.problems[0]!.problem, dir);
    if (scan.torn) {
      if (k !== names.length - 1) throw corrupt(file, scan.torn.offset, `${scan.torn.reason} in a segment that is not the last`, dir);
      torn = { file, ...scan.torn };
    }
    prev = { name, firstSeq: h.firstSeq, offsets: scan.records.map((r) => r.offset), size: scan.end };
    segments.push(prev);
    lastHeader = h;
  }
  return { segments, lastHeader, terminalId, torn };
}

export class Journal implements JournalStore, JournalHistory {
  /** The torn tail `open` discarded, if any (worth a log line: an append was interrupted). */
  readonly recovery: JournalRecovery | undefined;
  readonly dir: string;
  readonly terminalId: string;
  /** fdatasync calls made for appends so far (group commit shows as fewer syncs than appends). */
  syncs = 0;

  private segments: Segment[] = [];
  private fh: FileHandle | undefined;
  private nextSeq = 1;
  private durableSeq = 0;
  private ackedSeq = 0;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private acking: Promise<void> = Promise.resolve();
  /** The writer takes the shipper lock at its first ack (an in-process uplink). */
  private shipping = false;
  private failed: ShanfuError | undefined;
  private closed = false;

  private constructor(
    dir: string,
    terminalId: string,
    private readonly key: Uint8Array | undefined,
    private readonly keyCheck: Uint8Array,
    private readonly opts: { rotateBytes: number; groupCommitMs: number; retainAcknowledged: boolean; mode: Mode },
    recovery: JournalRecovery | undefined,
  ) {
    this.dir = dir;
    this.terminalId = terminalId;
    this.recovery = recovery;
  }

  /** Opens (or creates) the journal in `options.dir`, repairing a torn tail; see README.md. */
  static async open(options: JournalOptions): Promise<Journal> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be JournalOptions');
    if (typeof options.dir !== 'string' || !options.dir) throw new TypeError('options.dir must be a directory path');
    checkKey(options.key, 'options.key');
    if (typeof options.terminalId !== 'string' || !options.terminalId) throw new TypeError('options.terminalId must be a non-empty string');
    const rotateBytes = checkCount(options.rotateBytes ?? DEFAULT_ROTATE_BYTES, 'options.rotateBytes', 1024);
    const groupCommitMs = options.groupCommitMs ?? 0;
    if (typeof groupCommitMs !== 'number' || !(groupCommitMs >= 0 && groupCommitMs <= 1000))
      throw new RangeError(`options.groupCommitMs must be 0 to 1000 ms, got ${String(groupCommitMs)}`);
    const dir = resolve(options.dir);
    await mkdir(dir, { recursive: true });
    return Journal.load(dir, {
      key: options.key,
      terminalId: options.terminalId,
      create: true,
      settings: { rotateBytes, groupCommitMs, retainAcknowledged: options.retainAcknowledged === true, mode: 'writer' },
    });
  }

  /**
   * Opens a journal that must exist, taking the terminal id from its headers: as the shipper
   * (exportPending, read, ack; beside a running writer) or, with `readOnly`, as a snapshot.
   * Appending is for `Journal.open`.
   */
  static async openExisting(dir: string, options: OpenExistingOptions = {}): Promise<Journal> {
    if (typeof dir !== 'string' || !dir) throw new TypeError('dir must be a directory path');
    if (options.key !== undefined) checkKey(options.key, 'options.key');
    return Journal.load(resolve(dir), {
      key: options.key,
      create: false,
      settings: { rotateBytes: DEFAULT_ROTATE_BYTES, groupCommitMs: 0, retainAcknowledged: false, mode: options.readOnly === true ? 'read-only' : 'shipper' },
    });
  }

  private static async load(
    dir: string,
    o: { key: Uint8Array | undefined; terminalId?: string; create: boolean; settings: Journal['opts'] },
  ): Promise<Journal> {
    const mode = o.settings.mode;
    await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new ShanfuError('journal.missing', `no journal directory at ${dir}; check --dir`) : e;
    });
    if (mode !== 'read-only') await acquireLock(dir, mode);
    try {
      let names = await readdir(dir);
      // Leftovers of a crash in the middle of an atomic replace, each role its own: a segment being
      // created (writer), the cursor being replaced (shipper; another process may be writing it now).
      for (const n of names)
        if ((mode === 'writer' && n.endsWith('.sfj' + TEMP_SUFFIX)) || (mode === 'shipper' && n === CURSOR_FILE + TEMP_SUFFIX)) await unlink(join(dir, n));
      const acked = await readCursor(dir);
      // Beside a running writer the oldest segments may be deleted while we read: list them again then.
      let found: Awaited<ReturnType<typeof readSegments>> | undefined;
      for (let attempt = 0; !found; attempt++) {
        const segNames = names.filter((n) => segmentSeq(n) !== undefined).sort();
        try {
          found = await readSegments(dir, segNames, undefined, undefined);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || mode === 'writer' || attempt > 2) throw e;
          names = await readdir(dir);
        }
      }
      const { segments, lastHeader, torn } = found;
      if (o.terminalId !== undefined && found.terminalId !== undefined && found.terminalId !== o.terminalId)
        throw new ShanfuError('journal.terminal', `journal ${dir} belongs to terminal '${found.terminalId}', not '${o.terminalId}'; give each terminal its own directory`);
      const terminalId = found.terminalId ?? o.terminalId;
      let keyCheck = o.key ? keyCheckValue(o.key) : undefined;
      if (keyCheck && lastHeader && !equalBytes(keyCheck, lastHeader.keyCheck))
        throw new ShanfuError('journal.key', `the key given is not the key journal ${dir} was written with (key check value in ${segments[segments.length - 1]!.name}); use the integrator key of terminal '${lastHeader.terminalId}'`);
      keyCheck ??= lastHeader?.keyCheck;
      if (!segments.length && !o.create) throw new ShanfuError('journal.missing', `no journal segments in ${dir}; check --dir`);
      const first = segments[0];
      if (first && first.firstSeq > acked + 1)
        throw corrupt(join(dir, first.name), 0, `records ${acked + 1}..${first.firstSeq - 1} are missing (acknowledged up to ${acked}); were segment files deleted?`, dir);
      const last = segments[segments.length - 1];
      const lastSeq = last ? lastSeqOf(last) : acked;
      if (acked > lastSeq) throw corrupt(join(dir, 'cursor.json'), 0, `acknowledged up to ${acked} but the journal ends at ${lastSeq}`, dir);

      // Every check passed: only now change anything on disk. A torn tail is the writer's to cut;
      // the others just stop before it (beside a running writer it is usually an append in progress).
      if (torn && mode === 'writer') {
        const fh = await open(torn.file, 'r+');
        try {
          await fh.truncate(torn.offset);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }
      // A shipper exports only durable records: sync what a crashed writer may have left unsynced.
      if (last && mode === 'shipper') await syncFile(join(dir, last.name));
      const j = new Journal(dir, terminalId!, o.key, keyCheck!, o.settings, mode === 'writer' ? torn : undefined);
      j.segments = segments;
      j.ackedSeq = acked;
      j.durableSeq = lastSeq;
      j.nextSeq = lastSeq + 1;
      if (mode === 'writer') {
        if (!last) await j.createSegment(acked + 1);
        else j.fh = await open(join(dir, last.name), 'r+');
      }
      return j;
    } catch (e) {
      if (mode !== 'read-only') await releaseLock(dir, mode);
      throw e;
    }
  }

  /** Appends `entry`; resolves with its sequence number once it is on disk (fdatasync). */
  append(entry: JournalEntry): Promise<number> {
    if (this.closed) return Promise.reject(new ShanfuError('journal.closed', 'the journal is closed; open it again to append'));
    if (this.opts.mode !== 'writer')
      return Promise.reject(new ShanfuError('journal.read-only', 'this journal was opened with openExisting (to ship or read); the terminal appends through Journal.open'));
    if (this.failed) return Promise.reject(this.failed);
    let frame: Uint8Array;
    const seq = this.nextSeq;
    try {
      checkEntry(entry, this.terminalId);
      frame = encodeFrame(encodeStoredEntry(storedEntry(entry, seq, this.key)));
    } catch (e) {
      return Promise.reject(e);
    }
    this.nextSeq++;
    return new Promise((resolve, reject) => {
      this.queue.push({ seq, frame, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.timer) return; // the running flush or the armed timer takes the queue
    if (this.opts.groupCommitMs > 0 && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.startFlush();
      }, this.opts.groupCommitMs);
    } else this.startFlush();
  }

  private startFlush(): void {
    if (this.flushing || !this.queue.length) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      // Appends that arrived during the last fsync already waited: take them now.
      if (this.queue.length) this.startFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length && !this.failed) {
      const batch = this.queue.splice(0);
      let i = 0;
      try {
        while (i < batch.length) {
          let seg = this.segments[this.segments.length - 1]!;
          if (seg.offsets.length && seg.size + batch[i]!.frame.length > this.opts.rotateBytes) seg = await this.createSegment(batch[i]!.seq);
          // The frames that fit in this segment (at least one: a record larger than rotateBytes gets a segment of its own).
          let j = i;
          let bytes = 0;
          while (j < batch.length && (j === i || seg.size + bytes + batch[j]!.frame.length <= this.opts.rotateBytes)) bytes += batch[j++]!.frame.length;
          const buf = new Uint8Array(bytes);
          const offsets: number[] = [];
          for (let k = i, at = 0; k < j; k++) {
            buf.set(batch[k]!.frame, at);
            offsets.push(seg.size + at);
            at += batch[k]!.frame.length;
          }
          await this.writeDurably(buf, seg.size);
          for (const o of offsets) seg.offsets.push(o);
          seg.size += bytes;
          this.durableSeq = batch[j - 1]!.seq;
          for (let k = i; k < j; k++) batch[k]!.resolve(batch[k]!.seq);
          i = j;
        }
      } catch (e) {
        this.fail(e, batch.slice(i));
      }
    }
  }

  /** Writes `buf` at `position` of the current segment and fdatasyncs it (covers the new file size too). */
  private async writeDurably(buf: Uint8Array, position: number): Promise<void> {
    const fh = this.fh!;
    for (let done = 0; done < buf.length; ) {
      const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    }
    await fh.datasync();
    this.syncs++;
  }

  /**
   * A failed write or fsync leaves the file's tail unknown (after a failed fsync Linux may drop the
   * dirty pages and report success next time), so the journal stops: every queued append rejects
   * and later ones too, until it is reopened and the tail is scanned again. We still try to cut
   * the file back to its last durable length, so a record whose append rejected does not reappear.
   */
  private fail(e: unknown, rejected: Pending[]): void {
    const seg = this.segments[this.segments.length - 1]!;
    this.failed = new ShanfuError(
      'journal.io',
      `writing ${join(this.dir, seg.name)} failed (${(e as Error).message}); the journal stopped taking appends. ` +
        `Records already reported durable are safe: fix the cause (disk full? removed?) and open the journal again`,
      { cause: e },
    );
    this.fh?.truncate(seg.size).catch(() => undefined);
    for (const p of rejected.concat(this.queue.splice(0))) p.reject(this.failed);
  }

  /** Creates the segment whose first record is `firstSeq` (temp file, fsync, rename, fsync dir) and makes it current. */
  private async createSegment(firstSeq: number): Promise<Segment> {
    const name = segmentName(firstSeq);
    const header = encodeHeader(firstSeq, this.keyCheck, this.terminalId);
    // Atomic: a segment file either does not exist under its name or has a whole header.
    await writeFileAtomic(this.dir, name, header);
    await this.fh?.close();
    this.fh = await open(join(this.dir, name), 'r+');
    const seg: Segment = { name, firstSeq, offsets: [], size: header.length };
    this.segments.push(seg);
    if (!this.opts.retainAcknowledged) await this.dropAcknowledged();
    return seg;
  }

  /**
   * Deletes the oldest segments whose every record is acknowledged (never the current one). The
   * cursor is read from disk: a shipper in another process may have moved it. A cursor that cannot
   * be read keeps every segment (appends must not fail over it; open and verify report it).
   */
  private async dropAcknowledged(): Promise<void> {
    const onDisk = await readCursor(this.dir).catch(() => 0);
    if (onDisk > this.ackedSeq && onDisk <= this.durableSeq) this.ackedSeq = onDisk;
    let n = 0;
    while (n < this.segments.length - 1) {
      const s = this.segments[n]!;
      if (s.firstSeq + s.offsets.length - 1 > this.ackedSeq) break;
      await unlink(join(this.dir, s.name));
      n++;
    }
    if (!n) return;
    this.segments.splice(0, n);
    await fsyncDir(this.dir);
  }

  /** Up to `max` durable entries after the acknowledged cursor, oldest first (sealed data stays sealed). */
  exportPending(max: number): Promise<StoredEntry[]> {
    return this.read(this.ackedSeq + 1, max);
  }

  /**
   * Up to `max` durable entries from `fromSeq` on, acknowledged or not, as far as their segments
   * are still on disk (entries before the oldest retained segment are skipped).
   */
  async read(fromSeq: number, max: number): Promise<StoredEntry[]> {
    checkCount(fromSeq, 'fromSeq', 1);
    checkCount(max, 'max', 1);
    this.checkOpen();
    if (this.opts.mode !== 'shipper') return this.readKnown(fromSeq, max);
    await this.refresh();
    try {
      return await this.readKnown(fromSeq, max);
    } catch (e) {
      // The writer deleted an acknowledged segment under an old read: look again, once.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await this.refresh();
      return this.readKnown(fromSeq, max);
    }
  }

  /**
   * The shipper follows the writer: segments deleted at the front are forgotten, the last known
   * one is read on from where it ended, new ones are read whole; records found are fdatasynced
   * before they count (so nothing exported can vanish in a power cut and have its seq reused).
   * An incomplete record at the very end is an append in progress: it counts once complete.
   */
  private async refresh(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => segmentSeq(n) !== undefined).sort();
    const present = new Set(names);
    while (this.segments.length > 1 && !present.has(this.segments[0]!.name)) this.segments.shift();
    const last = this.segments[this.segments.length - 1]!;
    const newer = names.filter((n) => segmentSeq(n)! > last.firstSeq);
    let grown = false;
    if (present.has(last.name)) grown = await this.extend(last, newer.length > 0);
    else if (newer.length) this.segments = []; // we acknowledged all of it and the writer has moved on
    else throw new ShanfuError('journal.missing', `the journal's last segment ${join(this.dir, last.name)} was removed while being shipped`);
    const found = await readSegments(this.dir, newer, last, this.terminalId);
    for (const seg of found.segments) this.segments.push(seg);
    if (found.segments.length) for (const seg of found.segments) await syncFile(join(this.dir, seg.name));
    else if (grown) await syncFile(join(this.dir, last.name));
    this.durableSeq = lastSeqOf(this.segments[this.segments.length - 1]!);
  }

  /** Reads the records appended to `seg` since we last looked; `final` when a newer segment exists. */
  private async extend(seg: Segment, final: boolean): Promise<boolean> {
    const file = join(this.dir, seg.name);
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size < seg.size) throw corrupt(file, size, `the segment shrank below ${seg.size} bytes while being shipped`, this.dir);
      if (size === seg.size) return false;
      const tail = new Uint8Array(size - seg.size);
      const { bytesRead } = await fh.read(tail, 0, tail.length, seg.size);
      const scan = scanFrames(tail.subarray(0, bytesRead), 0, seg.size, lastSeqOf(seg) + 1, this.terminalId);
      if (scan.problems.length) throw corrupt(file, scan.problems[0]!.offset, scan.problems[0]!.problem, this.dir);
      if (scan.torn && final) throw corrupt(file, scan.torn.offset, `${scan.torn.reason} in a segment that is not the last`, this.dir);
      for (const r of scan.records) seg.offsets.push(r.offset);
      seg.size = scan.end;
      return scan.records.length > 0;
    } finally {
      await fh.close();
    }
  }

  private async readKnown(fromSeq: number, max: number): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    const first = this.segments[0];
    let seq = Math.max(fromSeq, first ? first.firstSeq : 1);
    const to = Math.min(this.durableSeq, seq + max - 1);
    for (const seg of this.segments) {
      const segLast = seg.firstSeq + seg.offsets.length - 1;
      if (seq > to) break;
      if (segLast < seq) continue;
      const lastHere = Math.min(to, segLast);
      const start = seg.offsets[seq - seg.firstSeq]!;
      const end = lastHere === segLast ? seg.size : seg.offsets[lastHere + 1 - seg.firstSeq]!;
      const bytes = await this.readRange(seg, start, end);
      for (let at = 0; seq <= lastHere; seq++) {
        const next = seq === lastHere ? bytes.length : seg.offsets[seq + 1 - seg.firstSeq]! - start;
        out.push(this.decodeFrame(seg, seq, bytes, at, next, start));
        at = next;
      }
    }
    return out;
  }

  private async readRange(seg: Segment, start: number, end: number): Promise<Uint8Array> {
    // A handle of its own: the writer's handle may be closed by a rotation while this read runs.
    const fh = await open(join(this.dir, seg.name), 'r');
    try {
      const buf = new Uint8Array(end - start);
      for (let done = 0; done < buf.length; ) {
        const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done);
        if (!bytesRead) throw corrupt(join(this.dir, seg.name), start + done, 'the file is shorter than when it was opened', this.dir);
        done += bytesRead;
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  /** Re-checks a frame read back (the disk may have changed since open) and decodes it. */
  private decodeFrame(seg: Segment, seq: number, bytes: Uint8Array, at: number, end: number, base: number): StoredEntry {
    const v = new DataView(bytes.buffer, bytes.byteOffset + at, end - at);
    const len = end - at - FRAME_OVERHEAD;
    const ok = len > 0 && v.getUint32(0, true) === len && crc32c(bytes, at, at + 8 + len) === v.getUint32(8 + len, true);
    const entry = ok ? decodeStoredEntry(bytes.subarray(at + 8, at + 8 + len)) : undefined;
    if (!entry || entry.seq !== seq)
      throw corrupt(join(this.dir, seg.name), base + at, 'record changed on disk since the journal was opened (checksum, CBOR or seq wrong)', this.dir);
    return entry;
  }

  /** Moves the acknowledged cursor to `seq` (durably: cursor.json replaced atomically). */
  ack(seq: number): Promise<void> {
    try {
      checkCount(seq, 'seq', 0);
      this.checkOpen();
      if (this.opts.mode === 'read-only') throw new ShanfuError('journal.read-only', 'this journal was opened read-only');
      if (seq > this.durableSeq) throw new RangeError(`seq ${seq} is beyond the last durable record (${this.durableSeq}); acknowledge only what was exported`);
    } catch (e) {
      return Promise.reject(e);
    }
    const run = async () => {
      if (seq <= this.ackedSeq) return;
      if (this.opts.mode === 'writer' && !this.shipping) {
        await acquireLock(this.dir, 'shipper'); // journal.locked when another process ships
        this.shipping = true;
      }
      await writeCursor(this.dir, seq);
      this.ackedSeq = seq;
    };
    const p = this.acking.then(run);
    this.acking = p.catch(() => undefined);
    return p;
  }

  unseal(entry: StoredEntry): SensitiveCardData | undefined {
    return unseal(this.key, entry);
  }

  stats(): JournalStats {
    let bytes = 0;
    for (const s of this.segments) bytes += s.size;
    return { lastSeq: this.durableSeq, ackedSeq: this.ackedSeq, pending: this.durableSeq - this.ackedSeq, segments: this.segments.length, bytes };
  }

  /** Waits for queued appends and acks, then closes the files and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.startFlush();
    }
    while (this.flushing) await this.flushing;
    await this.acking;
    await this.fh?.close();
    this.fh = undefined;
    if (this.opts.mode !== 'read-only') await releaseLock(this.dir, this.opts.mode);
    if (this.shipping) await releaseLock(this.dir, 'shipper');
  }

  private checkOpen(): void {
    if (this.closed) throw new ShanfuError('journal.closed', 'the journal is closed; open it again');
  }
}

/** fdatasync of a file through a handle of our own (it flushes every process's writes to it). */
async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
