import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu trace`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu trace …',
  async run() {
    throw new UsageError('shanfu trace is not built yet');
  },
};
