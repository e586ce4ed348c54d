import { UsageError } from './main.js';
import type { QuickPassCard } from '../../hal/virtual/card.js';
import type { VirtualReader } from '../../hal/virtual/reader.js';

/**
 * A fresh virtual card of personality `cardName`; an unknown one is a usage error naming `option`
 * (e.g. `--card debit-ec`) and listing the available personalities.
 */
export async function createCardForOption(cardName: string, option: string): Promise<QuickPassCard> {
  const { createCard } = await import('../../hal/virtual/personalities.js');
  try {
    return createCard(cardName);
  } catch (e) {
    throw new UsageError(`${option}: ${(e as Error).message}`);
  }
}

/** The in-process virtual reader with a fresh card of personality `cardName` in its field (for `--card`). */
export async function virtualReaderWithCard(cardName: string, options: { name?: string; simulateLatency?: boolean } = {}): Promise<VirtualReader> {
  const card = await createCardForOption(cardName, `--card ${cardName}`);
  const { VirtualReader } = await import('../../hal/virtual/reader.js');
  const reader = new VirtualReader(options);
  reader.present(card);
  return reader;
}
