import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu validate`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu validate …',
  async run() {
    throw new UsageError('shanfu validate is not built yet');
  },
};
