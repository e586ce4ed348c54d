/**
 * The shipped card personalities (test-vectors/cards/*.json), by name — for the CLI
 * (`shanfu pay --card NAME`, `shanfu sim --card NAME`) and the kernel tests.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';
import { validatePersonality, type Personality } from './personality.js';
import { QuickPassCard, type CardOptions } from './card.js';
import type { CardState } from './card-state.js';
import { testVectorsDir } from './vector-paths.js';

function cardsDir(): string {
  return join(testVectorsDir(), 'cards');
}

/** Names of the shipped personalities, sorted. */
export function listPersonalities(): string[] {
  return readdirSync(cardsDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads and validates a shipped personality. Throws ShanfuError('config.invalid') naming the bad field. */
export function loadPersonality(name: string): Personality {
  if (typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name)) throw new TypeError(`name: expected a personality name such as "debit-ec", got ${JSON.stringify(name)}`);
  const file = join(cardsDir(), `${name}.json`);
  if (!existsSync(file))
    throw new ShanfuError('config.invalid', `no card personality ${JSON.stringify(name)}; available: ${listPersonalities().join(', ')}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ShanfuError('config.invalid', `${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const p = validatePersonality(raw, name);
  if (p.name !== name) throw new ShanfuError('config.invalid', `personality ${name}: name: file says ${JSON.stringify(p.name)}, expected ${JSON.stringify(name)}`);
  return p;
}

/** A fresh card (or one restored from `options.state`) for a shipped personality. */
export function createCard(name: string, options: CardOptions & { state?: CardState } = {}): QuickPassCard {
  return QuickPassCard.fromPersonality(loadPersonality(name), options.state, options);
}
