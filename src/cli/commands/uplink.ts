import type { Command } from '../main.js';
import { UsageError } from '../main.js';

/** Placeholder: being built (see the issue that owns `shanfu uplink`). */
export const command: Command = {
  summary: '(not built yet)',
  usage: 'usage: shanfu uplink …',
  async run() {
    throw new UsageError('shanfu uplink is not built yet');
  },
};
