/**
 * One MQTT connection to the back office's broker, kept up with exponential backoff and jitter.
 *
 * Each successful connection is a fresh `mqtt` client (a new *session generation*): when it drops,
 * the client is ended at once and whatever was in flight on it is forgotten by the users of this
 * connection (the uploader re-sends from its last confirmed record; the downloader re-subscribes and
 * the broker re-delivers the retained parameter sets). We never rely on mqtt.js's own in-memory
 * resend queue, so a restart of the process and a reconnect follow the same path.
 *
 * `mqtt` is imported lazily on the first connect: `import 'shanfu'` does not load it.
 */
import { EventEmitter } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { ShanfuError } from '../../kernels/util/errors.js';

export interface ConnectionOptions {
  /** Broker URL: `mqtt://host:1883`, `mqtts://host:8883` (TLS), `ws(s)://…`. */
  url: string;
  /** Client id; default `shanfu-<random>`. The uploader's session is clean (the journal is its queue). */
  clientId?: string;
  username?: string;
  password?: string;
  /** TLS: CA certificate(s) to trust (PEM), client certificate and key (PEM) for mutual TLS. */
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  /** TLS: verify the broker's certificate (default true; false only for lab brokers). */
  rejectUnauthorized?: boolean;
  /** Keep-alive in seconds (default 30): a dead link is noticed within ~1.5× this. */
  keepalive?: number;
  /** Connect timeout in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** First retry delay after a failed or lost connection, ms (default 250). */
  backoffMinMs?: number;
  /** Longest retry delay, ms (default 30 000): doubling from min, with ±50% jitter so a fleet does not reconnect in lockstep. */
  backoffMaxMs?: number;
  /**
   * A connection that stayed up this long (ms, default 5000) resets the delay to min when it drops;
   * one dropped sooner (a broker that accepts and then refuses) keeps doubling it.
   */
  stableAfterMs?: number;
  /** Persistent session (clean: false) — for subscribers that must not miss QoS 1 messages while away. Default false. */
  persistentSession?: boolean;
  /**
   * MQTT 5, persistent session: how long the broker keeps it (and queues for it) after a
   * disconnect, seconds (default 7 days). MQTT 5's own default is 0 — the session would end with
   * the connection, and messages published while away would be lost to this subscriber.
   */
  sessionExpirySeconds?: number;
  /**
   * MQTT protocol version: 5 (default) or 4 (3.1.1). Measured with mosquitto 2.0 and an ACL that
   * denies the journal topic: under 3.1.1 the broker PUBACKs the denied publish and drops it (the
   * uploader would acknowledge entries nobody received); under 5 the PUBACK carries "Not
   * authorized" and nothing is acknowledged. Use 4 only for a broker without MQTT 5.
   */
  protocolVersion?: 4 | 5;
  /** Any further mqtt.js options (passed through last; tests and special transports). */
  extra?: IClientOptions;
}

export interface ConnectionStatus {
  connected: boolean;
  /** Successful connections so far. */
  connects: number;
  /** Lost or failed connection attempts so far. */
  failures: number;
  /** Delay before the next attempt (ms), when waiting. */
  retryInMs: number | null;
  lastError: string | null;
}

type Events = {
  /** A new session generation is up: subscribe / start publishing on `client`. */
  up: [client: MqttClient, generation: number];
  /** The session generation ended (connection lost or failed); a retry is scheduled. */
  down: [generation: number, error: string | null];
};

/** Keeps one broker connection up; emits `up`/`down` per session generation. */
export class UplinkConnection extends EventEmitter<Events> {
  readonly options: ConnectionOptions;
  private client: MqttClient | null = null;
  private generation = 0;
  private up = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private upSince = 0;
  private stats = { connects: 0, failures: 0, retryInMs: null as number | null, lastError: null as string | null };

  constructor(options: ConnectionOptions) {
    super();
    if (typeof options?.url !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\//.test(options.url))
      throw new TypeError(`url must be a broker URL such as mqtt://127.0.0.1:1883 or mqtts://broker:8883, got ${JSON.stringify(options?.url)}`);
    this.options = options;
    this.delay = options.backoffMinMs ?? 250;
  }

  /** The client of the current session generation, or null while down. */
  get current(): MqttClient | null {
    return this.up ? this.client : null;
  }

  /** The broker's Receive Maximum for the current connection (65535 when it sets none). */
  receiveMaximum = 65535;

  get currentGeneration(): number {
    return this.generation;
  }

  status(): ConnectionStatus {
    return { connected: this.up, ...this.stats };
  }

  /** Starts connecting (returns at once; listen for `up`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  /** Resolves with the client once connected (or rejects after `timeoutMs`). */
  waitUp(timeoutMs = 30_000): Promise<MqttClient> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('up', onUp);
        reject(new ShanfuError('uplink.connect-timeout', `no connection to ${this.options.url} within ${timeoutMs} ms (last error: ${this.stats.lastError ?? 'none'}); check the URL, credentials and that the broker runs`));
      }, timeoutMs);
      const onUp = (c: MqttClient) => {
        clearTimeout(t);
        resolve(c);
      };
      this.once('up', onUp);
    });
  }

  /** Ends the connection and stops retrying. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    if (c) {
      const wasUp = this.up;
      this.up = false;
      // Not forced: pending PUBACKs get a moment to arrive; end() resolves once the socket is closed.
      await Promise.race([c.endAsync(false), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => {});
      c.end(true);
      if (wasUp) this.emit('down', this.generation, null);
    }
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    let mqtt: typeof import('mqtt');
    try {
      mqtt = await import('mqtt');
    } catch (e) {
      this.stats.lastError = `cannot load the mqtt package: ${(e as Error).message}`;
      this.stopped = true;
      return;
    }
    if (this.stopped) return;
    const o = this.options;
    const gen = ++this.generation;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId ?? `shanfu-${randomBytes(4).toString('hex')}`,
      clean: !o.persistentSession,
      username: o.username,
      password: o.password,
      ca: o.ca as IClientOptions['ca'],
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      keepalive: o.keepalive ?? 30,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      protocolVersion: o.protocolVersion ?? 5,
      ...(o.persistentSession && (o.protocolVersion ?? 5) === 5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds ?? 7 * 24 * 3600 } } : {}),
      // Reconnects are ours (backoff + jitter, fresh client per generation).
      reconnectPeriod: 0,
      ...o.extra,
    });
    this.client = client;
    let ended = false;
    const end = (why: string | null) => {
      if (ended) return;
      ended = true;
      const wasUp = this.up && this.client === client;
      if (wasUp && Date.now() - this.upSince >= (o.stableAfterMs ?? 5000)) this.delay = o.backoffMinMs ?? 250;
      if (this.client === client) {
        this.client = null;
        this.up = false;
      }
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      if (this.stopped) return;
      this.stats.failures++;
      if (why) this.stats.lastError = why;
      if (wasUp) this.emit('down', gen, why);
      this.scheduleRetry();
    };
    client.on('connect', (connack) => {
      if (this.client !== client || this.stopped) return;
      // MQTT 5 §3.2.2.3.3: the broker's Receive Maximum caps our QoS 1 publishes awaiting PUBACK
      // (mosquitto sends its max_inflight_messages, 20 by default); mqtt.js does not enforce it.
      this.receiveMaximum = connack.properties?.receiveMaximum ?? 65535;
      this.up = true;
      this.stats.connects++;
      this.stats.retryInMs = null;
      this.upSince = Date.now();
      this.emit('up', client, gen);
    });
    client.on('error', (e) => {
      this.stats.lastError = e.message;
      // A refused CONNACK (bad credentials, not authorised) or a socket error: this generation is over.
      end(e.message);
    });
    client.on('close', () => end(this.up ? 'connection closed' : (this.stats.lastError ?? 'connection failed')));
    client.on('offline', () => end('broker unreachable'));
    // Ended by a user of this generation (the uploader after a refused publish): retry as for a loss.
    client.on('end', () => end(this.stats.lastError ?? 'client ended'));
  }

  private scheduleRetry(): void {
    if (this.stopped || this.timer) return;
    const max = this.options.backoffMaxMs ?? 30_000;
    const d = Math.min(max, this.delay);
    // ±50% jitter from node:crypto (the project keeps Math.random out of product code).
    const wait = Math.round(d / 2) + randomInt(0, Math.max(1, Math.round(d)) + 1);
    this.delay = Math.min(max, this.delay * 2);
    this.stats.retryInMs = wait;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, wait);
  }
}
