import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu journal`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu journal …',
  async run() {
    throw new UsageError('shanfu journal is not built yet');
  },
};
