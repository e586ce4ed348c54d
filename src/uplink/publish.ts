/**
 * Publishing parameter sets (the back office's side; `shanfu params publish`, tests, demos).
 * Full sets go to `{prefix}/params/{kind}`, deltas to `{prefix}/params/{kind}/delta` (so the
 * retained delta never replaces the retained full set a new terminal starts from); with a
 * terminal id, to `{prefix}/terminals/{id}/params/{kind}[/delta]`. All retained, QoS 1.
 */
import { UplinkConnection, type ConnectionOptions } from './connection.js';
import { peekParameters } from './envelope.js';
import { DEFAULT_TOPIC_PREFIX, topics } from './records.js';

/** The topic for an envelope (read from the envelope itself: kind, and base for deltas). */
export function parameterTopic(envelope: Uint8Array, options: { topicPrefix?: string; terminalId?: string } = {}): string {
  const e = peekParameters(envelope);
  if (e.kind === null) throw new TypeError('envelope: has no kind; build it with sealParameters()');
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const base = options.terminalId ? topics.terminalParams(prefix, options.terminalId, e.kind) : topics.params(prefix, e.kind);
  return e.base > 0 ? `${base}/delta` : base;
}

/** Publishes a signed envelope retained (QoS 1) and resolves with its topic once the broker has it (PUBACK). */
export async function publishParameters(
  envelope: Uint8Array,
  options: ConnectionOptions & { topicPrefix?: string; terminalId?: string; timeoutMs?: number },
): Promise<string> {
  const topic = parameterTopic(envelope, options);
  const conn = new UplinkConnection(options);
  conn.start();
  try {
    const client = await conn.waitUp(options.timeoutMs ?? 10_000);
    await client.publishAsync(topic, Buffer.from(envelope), { qos: 1, retain: true });
    return topic;
  } finally {
    await conn.stop();
  }
}
