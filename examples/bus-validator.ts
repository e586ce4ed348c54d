/**
 * A bus validator in one script: the Terminal loop with the bus profile, a durable journal and a
 * deny list, on the virtual reader. Three passengers tap; one is on the deny list; the first taps
 * twice (the anti-passback guard); then the journal is read back.
 * Run: node --import tsx examples/bus-validator.ts
 *
 * On hardware, replace the VirtualReader with `(await openPcsc()).waitForReader()` (shanfu/hal) and the test MAC
 * provider with your SAM adapter; everything else stays.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { VirtualReader } from '../hal/virtual/reader.js';
import { createCard, loadPersonality } from '../hal/virtual/personalities.js';
import { testVectorsDir } from '../hal/virtual/vector-paths.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { DenyListStore, buildDenyListFile } from '../src/denylist/index.js';
import { Journal } from '../src/journal/index.js';
import { createBusProfile, createTestMacProvider, loadFareTable, recordKeysOf, type BusTable } from '../src/profiles/index.js';
import { Terminal } from '../src/terminal/index.js';

const key = randomBytes(32); // the integrator's journal key (keep it in a key store, not in code)
const dir = mkdtempSync(join(tmpdir(), 'bus-validator-'));
const journal = await Journal.open({ dir, key, terminalId: 'BUS-0042' });

// The back office's deny list file (hashed PAN + PSN), loaded into the kernel's exception check.
const denyList = DenyListStore.fromBytes(buildDenyListFile({ version: 1, add: [{ pan: loadPersonality('sda-debit').applications[0]!.pan }] }));
const config = { ...withTestPki(defaultConfig()), denyList }; // test CA keys: TEST ONLY

const table = loadFareTable(join(testVectorsDir(), 'fares', 'bus-line.json')) as BusTable;
const mac = createTestMacProvider(recordKeysOf(loadPersonality('metro-transit'))); // TEST keys; a SAM in the field
const reader = new VirtualReader({ name: 'bus 12 front door' });
const terminal = new Terminal({
  reader, config, oda: createOdaProvider(config), journal, terminalId: 'BUS-0042', cardKey: key,
  profile: createBusProfile(table, { route: 12, mac }),
});
// 'feedback' comes after the tap's journal entry is durable: what the passenger sees and hears.
terminal.on('feedback', ({ tap, feedback }) =>
  console.log(`${tap.maskedPan}  ${tap.outcomeName} ${tap.reason}  charged ${tap.charged} fen  [${feedback.led}] ${feedback.lines.join(' · ')}`));

const tap = async (card: ReturnType<typeof createCard>) => {
  reader.present(card);
  await terminal.tapOnce();
  reader.remove();
};
const first = createCard('metro-transit');
await tap(first);
await tap(first); // the same card again at once: not charged twice
await tap(createCard('sda-debit')); // on the deny list
await tap(createCard('debit-ec'));

const entries = await journal.read(1, 100);
console.log(`journal: ${entries.length} entries, ${entries.reduce((s, e) => s + (e.charged ?? 0), 0)} fen charged, in ${dir}`);
await journal.close();
await reader.close();
