import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu denylist`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu denylist …',
  async run() {
    throw new UsageError('shanfu denylist is not built yet');
  },
};
