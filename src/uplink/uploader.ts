/**
 * The journal uploader: drains the journal's store-and-forward cursor to the broker.
 *
 * Guarantee: at least once, in order, nothing lost. An entry is acknowledged in the journal
 * (`journal.ack`) only after the broker's PUBACK for the message carrying it *and* for every
 * earlier message, so a crash, kill, broker restart or network loss can only cause re-sends,
 * never gaps; the back office removes the re-sends by idempotency key (terminal id + seq).
 *
 * Throughput (measured in bench/uplink.bench.ts): entries travel in batches (`batchRecords` per
 * QoS 1 message), up to `inflightBatches` messages are in flight at once (a PUBACK round trip per
 * message would cap a local broker at a few thousand messages/s), and the journal cursor moves in
 * ranges: one `ack` (one fsync) covers every batch confirmed while the previous ack was running.
 */
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { JournalHistory, JournalStore, StoredEntry } from '../journal/types.js';
import { ShanfuError } from '../../kernels/util/errors.js';
import type { UplinkConnection } from './connection.js';
import { checkTopicLevel, DEFAULT_TOPIC_PREFIX, encodeBatch, topics } from './records.js';

export interface UploaderOptions {
  journal: JournalStore;
  /** This terminal's id (its topic level and half of every idempotency key). */
  terminalId: string;
  connection: UplinkConnection;
  /** Topic prefix (default `shanfu`). */
  topicPrefix?: string;
  /** Entries per MQTT message (default 200; a tap entry is ~200–400 bytes of CBOR). */
  batchRecords?: number;
  /** Messages awaiting PUBACK at once (default 16; never more than the broker's MQTT 5 Receive Maximum). */
  inflightBatches?: number;
  /** Entries read from the journal per read beyond those in flight (default 4000). */
  readAhead?: number;
  /** How often to look for new entries when everything is sent, ms (default 500; `notify()` wakes it at once). */
  idlePollMs?: number;
  /** Send the sealed (AES-GCM) PAN / track 2 blob to the back office (default true). */
  includeSealed?: boolean;
}

export interface UploaderStatus {
  running: boolean;
  connected: boolean;
  /** Highest seq such that it and everything before it got a PUBACK (this process). */
  confirmedSeq: number;
  /** The journal's acknowledged cursor and backlog. */
  journalAckedSeq: number;
  journalLastSeq: number;
  pending: number;
  /** Entries in messages awaiting PUBACK. */
  inflightRecords: number;
  /** Messages / entries published by this process (re-sends included). */
  sentBatches: number;
  sentRecords: number;
  /** Connection generations this uploader has worked on. */
  sessions: number;
  lastError: string | null;
}

type Events = {
  /** The journal cursor moved to `seq`. */
  acked: [seq: number];
  /** A non-fatal fault (journal ack failed, publish refused); the uploader carries on. */
  warning: [message: string];
};

interface InFlight {
  last: number;
  count: number;
  done: boolean;
}

export class JournalUploader extends EventEmitter<Events> {
  private readonly o: Required<Omit<UploaderOptions, 'journal' | 'connection' | 'terminalId'>>;
  private readonly journal: JournalStore;
  private readonly connection: UplinkConnection;
  readonly terminalId: string;
  readonly topic: string;
  private running = false;
  /** stop() was called: send nothing new, let the messages in flight get their PUBACK. */
  private closing = false;
  private confirmed = 0;
  private journalAcked = 0;
  private acking: Promise<void> | null = null;
  private inflightRecords = 0;
  private activeSession: symbol | null = null;
  private sentBatches = 0;
  private sentRecords = 0;
  private sessions = 0;
  private lastError: string | null = null;
  private wakers: (() => void)[] = [];

  constructor(options: UploaderOptions) {
    super();
    const { journal, connection, terminalId, ...rest } = options;
    if (!journal || typeof journal.exportPending !== 'function' || typeof journal.ack !== 'function') throw new TypeError('journal must be a JournalStore (exportPending, ack, stats)');
    if (!connection || typeof connection.start !== 'function') throw new TypeError('connection must be an UplinkConnection');
    this.journal = journal;
    this.connection = connection;
    this.terminalId = checkTopicLevel(terminalId, 'terminalId');
    const positive = (v: number | undefined, name: string, dflt: number) => {
      if (v === undefined) return dflt;
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
      return v;
    };
    this.o = {
      topicPrefix: rest.topicPrefix ?? DEFAULT_TOPIC_PREFIX,
      batchRecords: positive(rest.batchRecords, 'batchRecords', 200),
      inflightBatches: positive(rest.inflightBatches, 'inflightBatches', 16),
      readAhead: positive(rest.readAhead, 'readAhead', 4000),
      idlePollMs: positive(rest.idlePollMs, 'idlePollMs', 500),
      includeSealed: rest.includeSealed ?? true,
    };
    this.topic = topics.journal(this.o.topicPrefix, this.terminalId);
  }

  /** Starts uploading on every connection generation (starts the connection if needed). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const s = this.journal.stats();
    this.confirmed = Math.max(this.confirmed, s.ackedSeq);
    this.journalAcked = s.ackedSeq;
    this.connection.on('up', this.onUp);
    this.connection.on('down', this.onDown);
    const c = this.connection.current;
    if (c) this.onUp(c, this.connection.currentGeneration);
    this.connection.start();
  }

  /**
   * Stops sending, waits up to `graceMs` (default 2000) for the PUBACKs of messages in flight, and
   * moves the journal cursor over everything confirmed. Later PUBACKs are ignored: those entries
   * stay pending and are sent again next time (duplicates, not loss).
   */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.closing = true;
    this.wake();
    const until = Date.now() + graceMs;
    while (this.inflightRecords > 0 && this.connection.current && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    this.running = false;
    this.closing = false;
    this.connection.off('up', this.onUp);
    this.connection.off('down', this.onDown);
    this.wake();
    await this.flushAcks();
  }

  /** Tells the uploader the journal has new entries (after `append`), so it need not wait for its poll. */
  notify(): void {
    this.wake();
  }

  status(): UploaderStatus {
    const s = this.journal.stats();
    return {
      running: this.running,
      connected: this.connection.current !== null,
      confirmedSeq: this.confirmed,
      journalAckedSeq: s.ackedSeq,
      journalLastSeq: s.lastSeq,
      pending: s.pending,
      inflightRecords: this.inflightRecords,
      sentBatches: this.sentBatches,
      sentRecords: this.sentRecords,
      sessions: this.sessions,
      lastError: this.lastError,
    };
  }

  /**
   * Resolves once the journal has no pending entries (checked every `pollMs`); rejects after
   * `timeoutMs`, or when the uploader is stopped first.
   */
  async waitDrained(timeoutMs = Infinity, pollMs = 50): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.journal.stats().pending > 0) {
      if (!this.running) throw new ShanfuError('uplink.stopped', `the uploader was stopped with ${this.journal.stats().pending} entries pending`);
      if (Date.now() > until) throw new ShanfuError('uplink.timeout', `journal not drained within ${timeoutMs} ms: ${JSON.stringify(this.status())}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Waits until every confirmed entry is acknowledged in the journal. */
  async flushAcks(): Promise<void> {
    while (this.acking || this.confirmed > this.journalAcked) {
      if (!this.acking) this.kickAck();
      const a = this.acking;
      if (!a) break;
      await a;
      // A failing ack is reported by kickAck; don't spin on it.
      if (this.lastError?.startsWith('journal ack')) break;
    }
  }

  private onUp = (client: MqttClient, gen: number) => {
    if (!this.running) return;
    this.sessions++;
    void this.session(client, gen).catch((e: Error) => {
      // A journal read failure: report, drop this connection generation, retry on the next.
      this.fault(`uplink session: ${e.message}`);
      client.end(true);
    });
  };

  private onDown = () => this.wake();

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  private fault(message: string): void {
    this.lastError = message;
    this.emit('warning', message);
  }

  /** Publishes on one connection generation until it ends. */
  private async session(client: MqttClient, gen: number): Promise<void> {
    const live = () => this.running && this.connection.currentGeneration === gen && this.connection.current === client;
    const window: InFlight[] = [];
    // The loop of an ended generation may still be finishing a journal read: it must not touch the new count.
    const me = Symbol(gen);
    this.activeSession = me;
    this.inflightRecords = 0;
    // Everything not confirmed is (re)sent on a new generation: the broker may have lost it.
    let sentUpTo = this.confirmed;
    let buffer: StoredEntry[] = [];
    let next = 0;
    const { batchRecords, readAhead, idlePollMs, includeSealed } = this.o;
    const inflightBatches = Math.min(this.o.inflightBatches, this.connection.receiveMaximum);
    while (live()) {
      if (this.closing) {
        if (!window.length) break;
        await this.sleep(idlePollMs);
        continue;
      }
      if (window.length >= inflightBatches) {
        await this.sleep(idlePollMs);
        continue;
      }
      if (next >= buffer.length) {
        // A journal with random access (JournalHistory.read) reads from the first unsent entry;
        // otherwise exportPending starts at the journal's cursor, which may trail what is sent: skip those.
        const history = this.journal as Partial<JournalHistory>;
        buffer = typeof history.read === 'function'
          ? await history.read(sentUpTo + 1, readAhead)
          : await this.journal.exportPending(readAhead + Math.max(0, sentUpTo - this.journalAcked));
        next = 0;
        while (next < buffer.length && buffer[next]!.seq <= sentUpTo) next++;
        if (next >= buffer.length) {
          await this.sleep(idlePollMs);
          continue;
        }
        if (!live()) break;
      }
      const n = Math.min(batchRecords, buffer.length - next);
      const batch = buffer.slice(next, next + n);
      next += n;
      const item: InFlight = { last: batch[n - 1]!.seq, count: n, done: false };
      window.push(item);
      this.inflightRecords += n;
      sentUpTo = item.last;
      this.sentBatches++;
      this.sentRecords += n;
      client.publish(this.topic, Buffer.from(encodeBatch(this.terminalId, batch, includeSealed)), { qos: 1 }, (err) => {
        // An ended generation (its window is gone), or a stopped uploader: the entries stay pending.
        if (this.connection.currentGeneration !== gen || !this.running) return;
        if (err) {
          // The broker refused it (MQTT 5 reason code) or the link broke: end this generation; the next re-sends.
          this.fault(`publish ${this.topic} (seq ${item.last - n + 1}..${item.last}): ${err.message}`);
          client.end(true);
          this.wake();
          return;
        }
        item.done = true;
        while (window.length && window[0]!.done) {
          const b = window.shift()!;
          this.inflightRecords -= b.count;
          if (b.last > this.confirmed) this.confirmed = b.last;
        }
        this.kickAck();
        this.wake();
      });
    }
    if (this.activeSession === me) this.inflightRecords = 0;
  }

  /** One journal ack at a time, each covering everything confirmed when it starts. */
  private kickAck(): void {
    if (this.acking || this.confirmed <= this.journalAcked) return;
    const target = this.confirmed;
    this.acking = this.journal.ack(target).then(
      () => {
        this.journalAcked = Math.max(this.journalAcked, target);
        if (this.lastError?.startsWith('journal ack')) this.lastError = null;
        this.acking = null;
        this.emit('acked', target);
        this.kickAck();
      },
      (e: Error) => {
        // The entries stay pending in the journal and are re-sent after a restart (duplicates, not loss).
        this.acking = null;
        this.fault(`journal ack ${target}: ${e.message}`);
      },
    );
  }
}
