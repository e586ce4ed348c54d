import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { intOption, parseArgs, readJsonFile, stringOption } from '../args.js';
import { toHex } from '../../../kernels/util/hex.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import type { Reader } from '../../../hal/transport.js';
import type { VirtualReader } from '../../../hal/virtual/reader.js';
import type { QuickPassCard } from '../../../hal/virtual/card.js';
import { DEFAULT_CONFIG_JSON, validateConfig, type TerminalConfig } from '../../config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../../config/oda-provider.js';
import { testVectorsDir } from '../../../hal/virtual/vector-paths.js';
import type { JournalHistory, JournalStore } from '../../journal/types.js';
import type { SectorProfile } from '../../profiles/types.js';
import { Terminal, type TerminalEvent } from '../../terminal/index.js';
import { formatMoney } from '../amount.js';
import { openHidReaderNamed } from '../hid-reader-name.js';
import { createCardForOption } from '../virtual-card.js';

const PROFILES = ['bus', 'metro-entry', 'metro-exit', 'toll-entry', 'toll-exit'] as const;

const usage = `usage: shanfu validate --profile ${PROFILES.join('|')} --reader NAME
                       [--fares FILE] [--route N] [--zone N] [--station ID] [--vehicle-class N] [--test-keys]
                       [--journal DIR --key-file F] [--torn-file F] [--config FILE] [--denylist FILE]
                       [--terminal-id ID] [--taps N] [--anti-passback SECONDS] [--latency] [--json]

Runs the validator loop (src/terminal): wait for a card, tap, journal, feedback, wait for removal;
one line per event. Ctrl-C stops cleanly.
  --profile P        the sector profile (src/profiles)
  --reader NAME      a PC/SC reader (name or part of it; see 'shanfu readers'), a USB-HID reader
                     hid:VVVV:PPPP[:/dev/hidrawN] (see 'shanfu readers --hid'), or
                     virtual:CARD[,CARD…] — virtual cards (test-vectors/cards) tapped in turn
  --fares FILE       fare table (default: the sample in test-vectors/fares: bus-line, metro-line, toll-road)
  --route N, --zone N   bus route (default: the table's first) and zone (zoned routes)
  --station ID       metro/toll station (required there); --vehicle-class N for toll lanes
  --test-keys        MAC the card's transit record with the TEST keys (default with virtual:…);
                     metro/toll need a MAC key, bus without one charges without writing its record
  --journal DIR      durable journal (src/journal); --key-file F or SHANFU_JOURNAL_KEY: 32-byte key.
                     Without --journal the journal is in memory (nothing is kept)
  --torn-file F      torn records (default DIR/torn.json with --journal, else memory)
  --config FILE      terminal parameters (default: built-in, zero amounts allowed, + the TEST PKI)
  --denylist FILE    deny list file (shanfu denylist build); a newer list renamed over it (e.g. by
                     'shanfu uplink run --params-dir DIR': DIR/denylist.bin) applies between taps
  --terminal-id ID   default VALIDATOR1
  --taps N           stop after N taps (default: until Ctrl-C; virtual: one per card)
  --anti-passback S  window in seconds (default 60)
  --latency          virtual cards take their simulated time on the air (ISO 14443 + processing)
  --json             one JSON object per event
Exit status: 0 after a clean stop, 2 unusable input or a halted terminal (journal not writable).`;

const DEFAULT_FARES: Record<string, string> = { bus: 'bus-line.json', metro: 'metro-line.json', toll: 'toll-road.json' };

/**
 * The sector profile named by --profile. MAC keys for UPDATE CAPP DATA CACHE: the test keys of the
 * virtual cards (test-vectors/cards/metro-transit.json) with virtual:… or --test-keys; a field
 * validator needs its SAM through the API (src/profiles README).
 */
async function makeProfile(name: string, options: Record<string, string | true>, testKeys: boolean): Promise<SectorProfile> {
  if (!(PROFILES as readonly string[]).includes(name)) throw new UsageError(`--profile: '${name}' is not one of ${PROFILES.join(', ')}`);
  const profiles = await import('../../profiles/index.js');
  const sector = name.split('-')[0]!;
  const faresPath = stringOption(options, 'fares') ?? join(testVectorsDir(), 'fares', DEFAULT_FARES[sector]!);
  let table;
  try {
    table = profiles.loadFareTable(faresPath);
  } catch (e) {
    throw new UsageError(`--fares ${faresPath}: ${(e as Error).message}`);
  }
  if (table.kind !== sector) throw new UsageError(`--fares ${faresPath}: a ${table.kind} table, not a ${sector} table`);
  let mac = null;
  if (testKeys) {
    const { loadPersonality } = await import('../../../hal/virtual/personalities.js');
    mac = profiles.createTestMacProvider(profiles.recordKeysOf(loadPersonality('metro-transit')));
  } else if (sector !== 'bus') throw new UsageError(`--profile ${name} writes the card's transit record and needs its MAC keys: a SAM through the API, or --test-keys for test cards`);
  const station = intOption(options, 'station', 0);
  const vehicleClass = intOption(options, 'vehicle-class', 1);
  const route = intOption(options, 'route', 0);
  const zone = intOption(options, 'zone', 0);
  if (sector === 'bus') {
    const t = table as Extract<typeof table, { kind: 'bus' }>;
    return profiles.createProfile('bus', t, { route: route ?? [...t.routes.keys()][0]!, mac, ...(zone !== undefined ? { zone } : {}) });
  }
  if (station === undefined) throw new UsageError(`--profile ${name} needs --station ID (a station of ${faresPath})`);
  return profiles.createProfile(name as 'metro-entry', table, { station, mac: mac!, ...(vehicleClass !== undefined ? { vehicleClass } : {}) });
}

type OpenedReader = { reader: Reader; virtualCards: QuickPassCard[] | null; close: () => Promise<void> };

async function openReader(name: string, latency: boolean): Promise<OpenedReader> {
  if (name.startsWith('virtual:')) {
    const { VirtualReader } = await import('../../../hal/virtual/reader.js');
    const cards: QuickPassCard[] = [];
    for (const c of name.slice(8).split(',').filter(Boolean)) cards.push(await createCardForOption(c, `--reader ${name}`));
    if (cards.length === 0) throw new UsageError('--reader virtual:CARD[,CARD…] needs at least one card personality');
    const reader = new VirtualReader({ simulateLatency: latency });
    return { reader, virtualCards: cards, close: () => reader.close() };
  }
  const hid = await openHidReaderNamed(name);
  if (hid) return { reader: hid, virtualCards: null, close: () => hid.close() };
  const { openPcsc } = await import('../../../hal/pcsc/index.js');
  const service = await openPcsc();
  try {
    const reader = await service.waitForReader({ name }, AbortSignal.timeout(10_000));
    return { reader, virtualCards: null, close: async () => { await reader.close(); await service.close(); } };
  } catch (e) {
    await service.close();
    throw new ShanfuError('validate.no-reader', `no PC/SC reader matching '${name}' within 10 s (see 'shanfu readers'): ${(e as Error).message}`);
  }
}

async function openJournal(dir: string | undefined, keyFile: string | undefined, terminalId: string): Promise<{ journal: JournalStore & JournalHistory; key: Uint8Array }> {
  const { Journal, MemoryJournal, loadJournalKey } = await import('../../journal/index.js');
  if (dir === undefined) {
    if (keyFile !== undefined) throw new UsageError('--key-file needs --journal DIR');
    const key = new Uint8Array(randomBytes(32));
    return { journal: new MemoryJournal({ key, terminalId }), key };
  }
  const key = loadJournalKey(keyFile);
  if (!key) throw new UsageError('--journal needs the journal key: --key-file F or SHANFU_JOURNAL_KEY (64 hex digits)');
  return { journal: await Journal.open({ dir, key, terminalId }), key };
}

/**
 * The built-in configuration with zero amounts allowed: a metro/toll entry with segmented deduction
 * authorises 0 (qpboc-facts §1.6 rule 4; src/profiles README "kernel needs").
 */
function transitDefaultConfig(): TerminalConfig {
  const json = JSON.parse(JSON.stringify(DEFAULT_CONFIG_JSON)) as { aids: { zeroAmount?: string }[] };
  for (const a of json.aids) a.zeroAmount = 'allow';
  return validateConfig(json);
}

const money = (minor: number) => formatMoney(minor) ?? '-';

/** One line for a terminal event. */
function line(e: TerminalEvent): string {
  switch (e.type) {
    case 'waiting':
      return 'waiting for a card';
    case 'card-present':
      return `card present, ATR ${toHex(e.atr)}`;
    case 'tap': {
      const t = e.tap;
      return `tap ${t.outcomeName} (${t.reason}) fare ${money(t.fare)} charged ${money(t.charged)} balance ${money(t.balance)} card ${t.maskedPan || '-'} ATC ${t.atc} rule ${t.rule || '-'} #${t.seq}`;
    }
    case 'feedback':
      return `feedback ${e.feedback.led} ${e.feedback.beep}: ${e.feedback.lines.join(' / ')}`;
    case 'card-removed':
      return 'card removed';
    case 'torn-open':
    case 'torn-expired':
      return `${e.type} card ${e.torn.maskedPan} ATC ${e.torn.atc} amount ${money(e.torn.amount)}`;
    case 'torn-resolved':
      return `torn-resolved ${e.resolution} card ${e.torn.maskedPan} ATC ${e.torn.atc} amount ${money(e.torn.amount)}`;
    case 'error':
      return `error (${e.kind}${e.fatal ? ', fatal' : ''}): ${e.error.message}`;
    case 'stopped':
      return `stopped (${e.reason})`;
  }
}

function jsonOf(e: TerminalEvent): string {
  return JSON.stringify(e, (k, v) => (v instanceof Uint8Array ? toHex(v) : v instanceof Error ? { message: v.message, code: (v as ShanfuError).code } : v));
}

export const command: Command = {
  summary: 'run the validator loop (bus/metro/toll) on a reader: one line per event',
  usage,
  async run(args) {
    const { options, positionals } = parseArgs(args, ['json', 'latency', 'test-keys']);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const profileName = stringOption(options, 'profile');
    if (!profileName) throw new UsageError('missing --profile');
    const readerName = stringOption(options, 'reader');
    if (!readerName) throw new UsageError('missing --reader NAME (or virtual:CARD)');
    const terminalId = stringOption(options, 'terminal-id') ?? 'VALIDATOR1';
    const taps = intOption(options, 'taps', 1);
    const antiPassback = intOption(options, 'anti-passback', 0);
    const configPath = stringOption(options, 'config');
    let config: TerminalConfig;
    try {
      config = configPath ? validateConfig(readJsonFile(configPath, `--config ${configPath}`)) : withTestPki(transitDefaultConfig());
    } catch (e) {
      if (e instanceof ShanfuError) throw new UsageError(`--config: ${e.message}`);
      throw e;
    }
    const denyPath = stringOption(options, 'denylist');
    let denyStore: import('../../denylist/index.js').DenyListStore | null = null;
    if (denyPath) {
      const { DenyListStore } = await import('../../denylist/index.js');
      try {
        config.denyList = denyStore = DenyListStore.fromFile(denyPath);
      } catch (e) {
        throw new UsageError(`--denylist ${denyPath}: ${(e as Error).message}`);
      }
    }
    const virtual = readerName.startsWith('virtual:');
    // Everything that can be wrong with the input is checked before a reader or journal is opened.
    const profile = await makeProfile(profileName, options, virtual || !!options['test-keys']);
    const journalDir = stringOption(options, 'journal');
    const { journal, key } = await openJournal(journalDir, stringOption(options, 'key-file'), terminalId);
    const tornFile = stringOption(options, 'torn-file') ?? (journalDir ? join(journalDir, 'torn.json') : null);
    let opened: OpenedReader;
    try {
      opened = await openReader(readerName, !!options.latency);
    } catch (e) {
      await journal.close();
      throw e;
    }
    const { reader, virtualCards } = opened;
    const terminal = new Terminal({
      reader, config, oda: createOdaProvider(config), profile, journal, terminalId, tornFile, cardKey: key,
      ...(antiPassback !== undefined ? { antiPassbackMs: antiPassback * 1000 } : {}),
    });
    const print = options.json ? (e: TerminalEvent) => console.log(jsonOf(e)) : (e: TerminalEvent) => console.log(`${new Date().toISOString().slice(11, 23)} ${line(e)}`);
    terminal.on('*', print);
    if (!journalDir && !options.json) console.log('journal in memory: nothing is kept (give --journal DIR --key-file F)');
    if (virtualCards) {
      // Virtual cards: present the next card when the loop waits, take it away after the feedback.
      const queue = virtualCards.slice();
      const vr = reader as VirtualReader;
      terminal.on('waiting', () => {
        const next = queue.shift();
        if (next) setImmediate(() => vr.present(next));
      });
      terminal.on('feedback', () => setImmediate(() => vr.remove()));
    }
    // A newer deny list written over the file (by `shanfu uplink run --params-dir`, or by hand) applies between taps.
    let unwatch = () => {};
    if (denyStore && denyPath) {
      const { watchDenyListFile } = await import('../../denylist/index.js');
      const say = (text: string) => (options.json ? console.log(JSON.stringify({ type: 'denylist', message: text })) : console.log(`${new Date().toISOString().slice(11, 23)} ${text}`));
      unwatch = watchDenyListFile(denyStore, denyPath, {
        onApplied: (r) => say(`deny list version ${r.version} applied (${r.size} entries, +${r.added} −${r.removed})`),
        onRejected: (e) => say(`deny list file not applied, version ${denyStore!.version} stays: ${e.message}`),
      });
    }
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await terminal.run({ signal: ac.signal, taps: taps ?? virtualCards?.length });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      unwatch();
      await opened.close();
      await journal.close().catch(() => undefined);
    }
    return 0;
  },
};
