import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu replay`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu replay …',
  async run() {
    throw new UsageError('shanfu replay is not built yet');
  },
};
