import { UsageError } from './main.js';
import type { VirtualReader } from '../../hal/virtual/reader.js';

/**
 * The in-process virtual reader with a fresh card of personality `cardName` in its field (for
 * `--card`); an unknown personality is a usage error naming the option and the available ones.
 */
export async function virtualReaderWithCard(cardName: string, options: { name?: string; simulateLatency?: boolean } = {}): Promise<VirtualReader> {
  const { createCard } = await import('../../hal/virtual/personalities.js');
  const { VirtualReader } = await import('../../hal/virtual/reader.js');
  let card;
  try {
    card = createCard(cardName);
  } catch (e) {
    throw new UsageError(`--card ${cardName}: ${(e as Error).message}`);
  }
  const reader = new VirtualReader(options);
  reader.present(card);
  return reader;
}
