import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu record`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu record …',
  async run() {
    throw new UsageError('shanfu record is not built yet');
  },
};
