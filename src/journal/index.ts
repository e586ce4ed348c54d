/** The durable transaction journal (README.md in this directory). */
export type {
  JournalEntry,
  JournalEntryKind,
  JournalHistory,
  JournalOptions,
  JournalStats,
  JournalStore,
  JournalVerifyReport,
  SensitiveCardData,
  StoredEntry,
} from './types.js';
export { Journal, type JournalRecovery, type OpenExistingOptions } from './journal.js';
export { MemoryJournal } from './memory.js';
export { verifyJournal } from './verify.js';
export { parseJournalKey, loadJournalKey } from './key.js';
