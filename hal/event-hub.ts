/**
 * A minimal listener set for ReaderMonitor implementations. A throwing listener is reported as a
 * process warning and never stops the other listeners or the adapter that emits.
 */
import type { ReaderEvent, ReaderMonitor } from './transport.js';

export class EventHub implements ReaderMonitor {
  private readonly listeners = new Set<(event: ReaderEvent) => void>();

  subscribe(listener: (event: ReaderEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener: expected a function');
    // A wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
    const entry = (e: ReaderEvent) => listener(e);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: ReaderEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        process.emitWarning(`shanfu: a reader event listener threw on ${event.type}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
