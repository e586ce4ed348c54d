/**
 * A small reference back office: subscribes to every terminal's journal topic, removes re-sent
 * records by idempotency key (terminal id + journal seq) and appends each new record to a clearing
 * file (JSON lines) before acknowledging the message to the broker.
 *
 * Run: node --import tsx examples/backoffice.ts --url mqtt://127.0.0.1:1883 --out clearing.jsonl
 *      [--client-id backoffice-1] [--prefix shanfu] [--username U --password P]
 * Stops on Ctrl-C and prints the counts.
 *
 * Delivery: QoS 1 with a persistent session (clean: false, fixed client id), so messages published
 * while the back office is away or the broker restarts are queued for it; the PUBACK is sent only
 * after the records are written, so a crash re-delivers instead of losing. On start the clearing
 * file is read back to rebuild the set of keys already cleared.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { UplinkConnection, type ConnectionOptions } from '../src/uplink/connection.js';
import { decodeBatch, DEFAULT_TOPIC_PREFIX, idempotencyKey, topics } from '../src/uplink/records.js';

export interface BackofficeOptions extends Omit<ConnectionOptions, 'persistentSession' | 'extra'> {
  /** Clearing file (JSON lines, appended). */
  clearingFile: string;
  topicPrefix?: string;
}

export interface BackofficeCounts {
  /** Messages received (re-deliveries included). */
  messages: number;
  /** Records received (re-sends included). */
  records: number;
  /** Records written to the clearing file (distinct keys). */
  unique: number;
  /** Records dropped because their key was already cleared. */
  duplicates: number;
  /** Messages that were not journal batches, or whose terminal id did not match the topic. */
  rejected: number;
}

export interface Backoffice {
  readonly counts: BackofficeCounts;
  /** True once `terminalId/seq` is in the clearing file. */
  has(terminalId: string, seq: number): boolean;
  stop(): Promise<void>;
  connection: UplinkConnection;
}

export async function startBackoffice(o: BackofficeOptions): Promise<Backoffice> {
  const prefix = o.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const seen = new Set<string>();
  const counts: BackofficeCounts = { messages: 0, records: 0, unique: 0, duplicates: 0, rejected: 0 };
  if (existsSync(o.clearingFile)) {
    for (const line of readFileSync(o.clearingFile, 'utf8').split('\n')) if (line) seen.add((JSON.parse(line) as { key: string }).key);
    counts.unique = seen.size;
  }
  const fd = openSync(o.clearingFile, 'a');
  const topicRe = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/terminals/([^/]+)/journal$`);

  const onMessage = (topic: string, message: Buffer): void => {
    counts.messages++;
    let batch;
    try {
      batch = decodeBatch(message);
    } catch {
      counts.rejected++;
      return;
    }
    // A terminal publishes only as itself (the broker's ACL should enforce it too).
    if (topicRe.exec(topic)?.[1] !== batch.terminalId) {
      counts.rejected++;
      return;
    }
    const lines: string[] = [];
    for (const r of batch.records) {
      counts.records++;
      const key = idempotencyKey(batch.terminalId, r.seq);
      if (seen.has(key)) {
        counts.duplicates++;
        continue;
      }
      seen.add(key);
      const { sealed: _sealed, ...clear } = r;
      lines.push(JSON.stringify({ key, ...clear }));
    }
    if (lines.length) writeSync(fd, lines.join('\n') + '\n');
    counts.unique = seen.size;
  };

  const connection = new UplinkConnection({ clientId: 'shanfu-backoffice', ...o, persistentSession: true });
  connection.on('up', (client) => {
    // mqtt.js emits 'message' synchronously and sends the PUBACK after the listeners return
    // (handlers/publish.js), so a record is in the clearing file before the broker forgets it.
    // Attached on CONNACK, before any queued message of the session is read.
    client.on('message', onMessage);
    client.subscribe(topics.allJournals(prefix), { qos: 1 });
  });
  connection.start();
  await connection.waitUp();
  return {
    counts,
    connection,
    has: (terminalId, seq) => seen.has(idempotencyKey(terminalId, seq)),
    async stop() {
      await connection.stop();
      closeSync(fd);
    },
  };
}

// Runnable: node --import tsx examples/backoffice.ts --url URL --out FILE
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const url = arg('url') ?? 'mqtt://127.0.0.1:1883';
  const bo = await startBackoffice({
    url,
    clearingFile: arg('out') ?? 'clearing.jsonl',
    clientId: arg('client-id') ?? 'shanfu-backoffice',
    topicPrefix: arg('prefix'),
    username: arg('username'),
    password: arg('password'),
  });
  console.log(`back office on ${url}: ${bo.counts.unique} records already cleared; Ctrl-C to stop`);
  const timer = setInterval(() => console.log(JSON.stringify(bo.counts)), 5000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    void bo.stop().then(() => console.log(JSON.stringify(bo.counts)));
  });
}
