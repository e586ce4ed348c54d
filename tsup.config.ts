import { defineConfig } from 'tsup';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    // The library: ESM + CJS + declarations, one entry per public subpath.
    entry: { index: 'src/index.ts', kernels: 'kernels/index.ts', hal: 'hal/index.ts', qa: 'src/qa/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
    // import.meta.url in the CJS build (test-vectors lookup).
    shims: true,
    splitting: true,
    external: ['pcsclite', 'node-hid', 'mqtt', 'playwright-core'],
  },
  {
    // The CLI: ESM only, loaded by bin/shanfu.js.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    splitting: true,
    external: ['pcsclite', 'node-hid', 'mqtt', 'playwright-core'],
    define: { __SHANFU_VERSION__: JSON.stringify(pkg.version) },
  },
]);
