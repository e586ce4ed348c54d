/**
 * The parameter downloader: takes signed parameter sets from retained topics, verifies them, and
 * hands them to the sink of their kind (src/uplink/README.md "Parameter updates").
 *
 * Order of checks for every update (the first failure rejects it, and the set in force stays):
 *   1. envelope decodes and its signature verifies with a trusted key  → `malformed` / `bad-signature`
 *   2. its kind is the topic's kind and a sink takes it              → `wrong-kind` / `unknown-kind`
 *   3. version: full set above the version in force (equal + same hash = already running, a no-op);
 *      delta: based on exactly the version in force                 → `downgrade` / `version-reused` / `base-mismatch`
 *   4. the sink parses and applies it atomically                     → `apply-failed` (with the sink's reason)
 * Updates are processed one at a time, in arrival order. A delta that arrives before the full set
 * it is based on (retained messages of two topics come in either order) is kept and tried again
 * after the next successful update of its kind.
 *
 * What the terminal runs is reported as retained JSON on `{prefix}/terminals/{id}/status` after
 * every change and on every connect, and each applied set is appended to the journal (`params`).
 */
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { ShanfuError } from '../../kernels/util/errors.js';
import type { JournalStore } from '../journal/types.js';
import type { UplinkConnection } from './connection.js';
import { openParameters, peekParameters, type TrustedKey, type VerifiedUpdate } from './envelope.js';
import { checkTopicLevel, DEFAULT_TOPIC_PREFIX, topics } from './records.js';
import type { ParameterSink } from './sinks.js';

export type RejectReason = 'malformed' | 'bad-signature' | 'wrong-kind' | 'unknown-kind' | 'downgrade' | 'version-reused' | 'base-mismatch' | 'apply-failed';

export type OfferResult =
  | { outcome: 'applied'; kind: string; version: number; base: number; sha256: string }
  | { outcome: 'current'; kind: string; version: number }
  | { outcome: 'rejected'; kind: string | null; version: number | null; reason: RejectReason; message: string };

export interface RunningSet {
  kind: string;
  /** 0 = none yet. */
  version: number;
  sha256: string | null;
  /** Epoch ms of the last update applied by this process, or null. */
  appliedAt: number | null;
  issuedAt: number | null;
}

export interface ParameterStatus {
  terminalId: string;
  running: RunningSet[];
  /** The most recent rejections (newest last, at most 20). */
  rejected: { kind: string | null; version: number | null; reason: RejectReason; message: string; at: number }[];
}

export interface DownloaderOptions {
  terminalId: string;
  /** Back-office keys this terminal trusts (from its configuration). */
  trustedKeys: readonly TrustedKey[];
  sinks: readonly ParameterSink[];
  /** Needed for `start()` (MQTT); `offer()` works without it. */
  connection?: UplinkConnection;
  topicPrefix?: string;
  /** Each applied set is journalled as a `params` entry (and so reaches the back office). */
  journal?: JournalStore;
  now?: () => number;
}

type Events = {
  applied: [result: Extract<OfferResult, { outcome: 'applied' }>];
  rejected: [result: Extract<OfferResult, { outcome: 'rejected' }>];
  warning: [message: string];
};

const MAX_REJECTIONS = 20;

export class ParameterDownloader extends EventEmitter<Events> {
  readonly terminalId: string;
  private readonly o: DownloaderOptions;
  private readonly prefix: string;
  private readonly sinks = new Map<string, ParameterSink>();
  private readonly applied = new Map<string, { at: number; issuedAt: number }>();
  private readonly waitingDeltas = new Map<string, Uint8Array>();
  private readonly rejections: ParameterStatus['rejected'] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private started = false;
  private client: MqttClient | null = null;

  constructor(options: DownloaderOptions) {
    super();
    this.o = options;
    this.terminalId = checkTopicLevel(options.terminalId, 'terminalId');
    this.prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    if (!Array.isArray(options.trustedKeys) || !options.trustedKeys.length) throw new TypeError('trustedKeys must list at least one back-office public key');
    for (const s of options.sinks) {
      if (this.sinks.has(s.kind)) throw new TypeError(`sinks: two sinks for kind ${s.kind}`);
      this.sinks.set(checkTopicLevel(s.kind, 'sink kind'), s);
    }
  }

  /** Subscribes on every connection generation (and starts the connection). */
  start(): void {
    const c = this.o.connection;
    if (!c) throw new TypeError('options.connection is needed to start the downloader');
    if (this.started) return;
    this.started = true;
    c.on('up', this.onUp);
    if (c.current) this.onUp(c.current);
    c.start();
  }

  stop(): Promise<void> {
    this.started = false;
    this.o.connection?.off('up', this.onUp);
    this.client?.off('message', this.onMessage);
    this.client = null;
    return this.idle();
  }

  /** Resolves once every update received so far is processed. */
  async idle(): Promise<void> {
    let c;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  status(): ParameterStatus {
    return {
      terminalId: this.terminalId,
      running: [...this.sinks.values()].map((s) => ({
        kind: s.kind,
        version: s.version,
        sha256: s.sha256 ?? null,
        appliedAt: this.applied.get(s.kind)?.at ?? null,
        issuedAt: this.applied.get(s.kind)?.issuedAt ?? null,
      })),
      rejected: [...this.rejections],
    };
  }

  /**
   * Processes one envelope (from MQTT, a file, a USB stick…). `topicKind`: the kind its topic
   * stands for, when it came from one. Updates are applied one at a time in call order.
   */
  offer(bytes: Uint8Array, topicKind?: string): Promise<OfferResult> {
    const r = this.chain.then(() => this.process(bytes, topicKind));
    this.chain = r.catch(() => {});
    return r;
  }

  private onMessage = (topic: string, payload: Buffer) => {
    const kind = this.topicKind(topic);
    // An empty retained message clears the topic; there is nothing to apply.
    if (kind === null || payload.length === 0) return;
    const client = this.client;
    void this.offer(payload, kind).then(() => client && this.publishStatus(client));
  };

  private onUp = (client: MqttClient) => {
    if (!this.started) return;
    this.client?.off('message', this.onMessage);
    this.client = client;
    client.on('message', this.onMessage);
    const kinds = [topics.params(this.prefix, '+'), topics.params(this.prefix, '+') + '/delta', topics.terminalParams(this.prefix, this.terminalId, '+'), topics.terminalParams(this.prefix, this.terminalId, '+') + '/delta'];
    client.subscribe(kinds, { qos: 1 }, (err) => {
      if (err) this.emit('warning', `subscribe to parameter topics: ${err.message}`);
    });
    this.publishStatus(client);
  };

  private topicKind(topic: string): string | null {
    const fleet = this.prefix + '/params/';
    const own = `${this.prefix}/terminals/${this.terminalId}/params/`;
    const rest = topic.startsWith(fleet) ? topic.slice(fleet.length) : topic.startsWith(own) ? topic.slice(own.length) : null;
    if (rest === null) return null;
    return rest.endsWith('/delta') ? rest.slice(0, -'/delta'.length) : rest;
  }

  private publishStatus(client: MqttClient): void {
    if (!client.connected) return;
    client.publish(topics.status(this.prefix, this.terminalId), JSON.stringify(this.status()), { qos: 1, retain: true }, (err) => {
      if (err) this.emit('warning', `status publish: ${err.message}`);
    });
  }

  private reject(kind: string | null, version: number | null, reason: RejectReason, message: string): OfferResult {
    const r = { outcome: 'rejected' as const, kind, version, reason, message };
    this.rejections.push({ kind, version, reason, message, at: (this.o.now ?? Date.now)() });
    if (this.rejections.length > MAX_REJECTIONS) this.rejections.shift();
    this.emit('rejected', r);
    return r;
  }

  private async process(bytes: Uint8Array, topicKind?: string): Promise<OfferResult> {
    let u: VerifiedUpdate;
    try {
      u = openParameters(bytes, this.o.trustedKeys);
    } catch (e) {
      const code = e instanceof ShanfuError ? e.code.replace(/^params\./, '') : 'malformed';
      // Name the update by what it claims to be (unverified) so the back office can find it.
      let claimed: { kind: string | null; version: number | null } = { kind: topicKind ?? null, version: null };
      try {
        claimed = peekParameters(bytes);
      } catch {}
      return this.reject(claimed.kind ?? topicKind ?? null, claimed.version, code as RejectReason, (e as Error).message);
    }
    const tag = `${u.kind} v${u.version}${u.base ? ` (delta on v${u.base})` : ''}`;
    if (topicKind !== undefined && topicKind !== u.kind)
      return this.reject(u.kind, u.version, 'wrong-kind', `${tag} arrived on the ${topicKind} topic; a set signed for one kind is never applied as another`);
    const sink = this.sinks.get(u.kind);
    if (!sink) return this.reject(u.kind, u.version, 'unknown-kind', `${tag}: this terminal has no sink for kind ${u.kind}`);
    const current = sink.version;
    if (u.version === current && (u.base !== 0 || !sink.sha256 || sink.sha256 === u.sha256)) return { outcome: 'current', kind: u.kind, version: u.version };
    if (u.version === current) return this.reject(u.kind, u.version, 'version-reused', `${tag} differs from the set in force under the same version; the back office must issue a version above ${current}`);
    if (u.version < current) return this.reject(u.kind, u.version, 'downgrade', `${tag} is older than v${current} in force; kept v${current}`);
    if (u.base !== 0) {
      if (!sink.acceptsDeltas) return this.reject(u.kind, u.version, 'apply-failed', `${tag}: ${u.kind} takes full sets only`);
      if (u.base !== current) {
        this.waitingDeltas.set(u.kind, bytes);
        return this.reject(u.kind, u.version, 'base-mismatch', `${tag} needs v${u.base} but this terminal runs v${current}; waiting for a full set (kept v${current})`);
      }
    }
    try {
      await sink.apply(u);
    } catch (e) {
      return this.reject(u.kind, u.version, 'apply-failed', `${tag}: ${(e as Error).message}; kept v${current}`);
    }
    const now = (this.o.now ?? Date.now)();
    this.applied.set(u.kind, { at: now, issuedAt: u.issuedAt });
    const r = { outcome: 'applied' as const, kind: u.kind, version: u.version, base: u.base, sha256: u.sha256 };
    this.emit('applied', r);
    if (this.o.journal) {
      await this.o.journal
        .append({ kind: 'params', time: now, terminalId: this.terminalId, details: { kind: u.kind, version: u.version, base: u.base, sha256: u.sha256, issuedAt: u.issuedAt, key: u.keyName } })
        .catch((e: Error) => this.emit('warning', `journal append for ${tag}: ${e.message}`));
    }
    // A delta that came before its base: try it now (it is processed next, before newer arrivals).
    const waiting = this.waitingDeltas.get(u.kind);
    if (waiting && waiting !== bytes) {
      this.waitingDeltas.delete(u.kind);
      void this.offer(waiting, u.kind);
    }
    return r;
  }
}
