#!/usr/bin/env node
// The shanfu command. Runs the built CLI (dist/, made by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('shanfu: dist/cli.js is missing; run `npm install` (or `npm run build`) in the checkout first.');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
