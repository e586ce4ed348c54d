// Runs the CLI from source (for development): node --import tsx src/cli/dev.ts ARGS
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
