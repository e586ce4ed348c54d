/**
 * Where the shipped test vectors live: test-vectors/ next to the sources (hal/virtual/ → ../../)
 * or next to the bundle (dist/ → ../). The first that exists wins.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ShanfuError } from '../../kernels/util/errors.js';

let cached: string | undefined;

export function testVectorsDir(): string {
  if (cached) return cached;
  const candidates = ['../../test-vectors', '../test-vectors', './test-vectors'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  for (const dir of candidates) if (existsSync(join(dir, 'cards'))) return (cached = dir);
  throw new ShanfuError('config.missing', `test-vectors/ not found (looked in ${candidates.join(', ')}); install the package with its test-vectors`);
}
