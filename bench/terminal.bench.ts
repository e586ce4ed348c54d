/**
 * Terminal overhead (`npm run bench -- terminal`):
 * - terminal-loop (description): whole taps, measured once at registration because they are async
 *   (VirtualReader sessions resolve through promises; the harness is synchronous): a bare kernel +
 *   driveTap, the Terminal with MemoryJournal, and the Terminal with the real Journal (an fdatasync
 *   per tap entry) — taps/s and ms/tap over TAPS taps of debit-ec with the real RSA fDDA engine.
 * - terminal-guards: the synchronous per-tap CPU the Terminal adds inside the kernel's hook: the card
 *   id (HMAC-SHA-256 of PAN + PSN) and the anti-passback lookup; and a torn resolution over a full
 *   10-record transaction log (TornResolver alone, scripted responses).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { QuickPassKernel } from '../kernels/qpboc/index.js';
import { defaultConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { Journal, MemoryJournal } from '../src/journal/index.js';
import type { JournalStore } from '../src/journal/types.js';
import type { SectorProfile } from '../src/profiles/types.js';
import { AntiPassback, cardIdOf, driveTap, Terminal, TornResolver, type TornRecord } from '../src/terminal/index.js';
import type { Suite } from './harness.js';

const TAPS = 2000;
const FARE = 1; // fen: a fresh card pays 50 000 taps
const config = withTestPki(defaultConfig());
const oda = createOdaProvider(config);
const flat: SectorProfile = {
  name: 'bench',
  hook: null,
  startTap: () => ({ amount: FARE, cappIndicator: 0 }),
  finishTap: (k) => ({ fare: k.amount, rule: 'flat', details: {}, display: '' }),
};

async function bare(): Promise<number> {
  const reader = new VirtualReader();
  const k = new QuickPassKernel(config, { oda });
  reader.present(createCard('debit-ec'));
  const t0 = performance.now();
  for (let i = 0; i < TAPS; i++) {
    const s = await reader.waitForCard();
    await driveTap(k, s, { amount: FARE });
    await s.disconnect();
  }
  return performance.now() - t0;
}

async function viaTerminal(journal: JournalStore): Promise<number> {
  const reader = new VirtualReader();
  const t = new Terminal({ reader, config, oda, profile: flat, journal, terminalId: 'BENCH-1', antiPassbackMs: 0 });
  reader.present(createCard('debit-ec'));
  const t0 = performance.now();
  for (let i = 0; i < TAPS; i++) await t.tapOnce();
  return performance.now() - t0;
}

const fmt = (ms: number) => `${Math.round((TAPS * 1000) / ms)} taps/s (${(ms / TAPS).toFixed(3)} ms/tap)`;

export async function register(add: (s: Suite) => void): Promise<void> {
  const key = new Uint8Array(randomBytes(32));
  const dir = mkdtempSync(join(tmpdir(), 'shanfu-terminal-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  await bare(); // warm-up (JIT, ODA caches)
  const bareMs = await bare();
  const memMs = await viaTerminal(new MemoryJournal({ key, terminalId: 'BENCH-1' }));
  const journal = await Journal.open({ dir, key, terminalId: 'BENCH-1' });
  const fileMs = await viaTerminal(journal);
  await journal.close();
  const loop =
    `${TAPS} taps of debit-ec (RSA fDDA, 8 APDUs, VirtualReader without latency): kernel + driveTap ${fmt(bareMs)}; ` +
    `Terminal + MemoryJournal ${fmt(memMs)}; Terminal + Journal (fdatasync per tap) ${fmt(fileMs)}`;
  console.log(`terminal-loop: ${loop}`);

  // Guards: the card id and anti-passback of one tap.
  const passback = new AntiPassback(60_000);
  const pans = Array.from({ length: 64 }, (_, i) => `62284800000${String(100000 + i)}`);
  // Resolver: a torn ATC that is not in a full 10-record log (the longest resolution: 9F4F, 10 records, 9F79).
  const record = { atc: 5 } as TornRecord;
  const logFormat = Uint8Array.from([0x9f, 0x4f, 0x03, 0x9f, 0x36, 0x02, 0x90, 0x00]);
  const logRecords = Array.from({ length: 10 }, (_, i) => Uint8Array.from([0x00, 100 - i, 0x90, 0x00]));
  const balance = Uint8Array.from([0x9f, 0x79, 0x06, 0, 0, 0, 0, 0x10, 0, 0x90, 0x00]);
  const resolver = new TornResolver();
  const tx = new Uint8Array(261);
  const rx = new Uint8Array(260);
  const resolve = (): number => {
    resolver.begin([record], { sfi: 11, records: 10 }, 101);
    let n = -1;
    let step = 0;
    for (;;) {
      const len = resolver.step(tx, rx, n);
      if (len === 0) break;
      const r = step === 0 ? logFormat : step <= 10 ? logRecords[step - 1]! : balance;
      rx.set(r);
      n = r.length;
      step++;
    }
    return resolver.commands;
  };
  add({
    name: 'terminal-guards',
    description: `per-tap CPU of the Terminal's hook; ${loop}`,
    reference: 'card id (HMAC-SHA-256) + anti-passback',
    cases: [
      {
        name: 'card id (HMAC-SHA-256) + anti-passback',
        cycle: pans.length,
        fn: (i) => {
          const id = cardIdOf(pans[i % pans.length]!, 1, key);
          return passback.recent(id, i) ? 1 : id.length;
        },
      },
      { name: 'torn resolution, full log, not found (12 commands)', fn: resolve },
    ],
  });
}
