import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu params`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu params …',
  async run() {
    throw new UsageError('shanfu params is not built yet');
  },
};
