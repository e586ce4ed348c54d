/**
 * Sector profile overhead: one metro-exit tap (READ CAPP DATA before GPO, fare lookup, UPDATE CAPP
 * DATA CACHE with its MAC after GPO, the record codec, finishTap's journal details) against the same
 * card's plain tap, both replayed from recorded virtual-card taps without ODA (NullOda) so the
 * difference is the profile's own cost.
 *
 *   npm run bench -- profiles        (node --expose-gc --import tsx bench/run.ts profiles)
 */
import { join } from 'node:path';
import { createCard, loadPersonality } from '../hal/virtual/personalities.js';
import { testVectorsDir } from '../hal/virtual/vector-paths.js';
import { Action, Outcome, QuickPassKernel, type KernelHook } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { NullOda, SequenceCard, FIXED_CLOCK_MS, fixedRandom } from '../test/kernel-recorded-card.js';
import { loadFareTable, type MetroTable } from '../src/profiles/fare-tables.js';
import { createMetroEntryProfile, createMetroExitProfile } from '../src/profiles/metro.js';
import { createTestMacProvider, recordKeysOf } from '../src/profiles/mac-provider.js';
import type { CappMacProvider, SectorProfile } from '../src/profiles/types.js';
import type { Suite } from './harness.js';

const config = validateConfig({
  ttq: '28000080',
  offlineOnly: true,
  aids: [{ aid: 'A000000333010101', contactlessTransactionLimit: 100000, floorLimit: 50000, zeroAmount: 'allow' }],
});
const table = loadFareTable(join(testVectorsDir(), 'fares', 'metro-line.json')) as MetroTable;
const keys = recordKeysOf(loadPersonality('metro-transit'));
/** Update MAC only (plain reads: a replayed RMAC could not match a fresh terminal random). */
const testMac = createTestMacProvider(keys);
const updateOnly: CappMacProvider = { updateMac: testMac.updateMac.bind(testMac) };
/** A SAM stand-in that answers instantly with a preallocated MAC: isolates the profile from AES-CMAC. */
const fixedMacBytes = new Uint8Array(4);
const instantMac: CappMacProvider = { updateMac: () => fixedMacBytes };

function kernel(hook: KernelHook | null): QuickPassKernel {
  return new QuickPassKernel(config, { oda: new NullOda(), hook, clock: () => FIXED_CLOCK_MS, random: fixedRandom });
}

/** Runs one tap on the virtual card synchronously, recording its responses. */
function record(k: QuickPassKernel, card: ReturnType<typeof createCard>, profile: SectorProfile | null, time: number, amount: number): SequenceCard {
  card.powerOn();
  const plan = profile ? profile.startTap({ time, terminalId: 'BENCH001' }) : { amount, cappIndicator: 0 };
  const responses: Uint8Array[] = [];
  k.begin(plan);
  while (k.action === Action.Transmit) {
    const r = card.transmit(k.tx.slice(0, k.txLen))!;
    responses.push(r);
    k.rx.set(r);
    k.receive(r.length);
  }
  card.powerOff();
  if (k.outcome !== Outcome.Approved) throw new Error('profiles bench: the recorded tap was not approved');
  profile?.finishTap(k);
  return new SequenceCard(responses);
}

export function register(add: (s: Suite) => void): void {
  const plainK = kernel(null);
  const plain = record(plainK, createCard('metro-transit'), null, FIXED_CLOCK_MS, 300);
  const txn = { amount: 300, cappIndicator: 0 };

  const card = createCard('metro-transit');
  const entry = createMetroEntryProfile(table, { station: 201, mac: updateOnly });
  record(kernel(entry.hook), card, entry, FIXED_CLOCK_MS - 20 * 60_000, 0);
  const exit = createMetroExitProfile(table, { station: 205, mac: updateOnly });
  const exitK = kernel(exit.hook);
  const exitTap = record(exitK, card, exit, FIXED_CLOCK_MS, 0);
  const instant = createMetroExitProfile(table, { station: 205, mac: instantMac });
  const instantK = kernel(instant.hook);
  const ctx = { time: FIXED_CLOCK_MS, terminalId: 'BENCH001' };

  const profileTap = (p: SectorProfile, k: QuickPassKernel, withFinish: boolean) => () => {
    exitTap.reset();
    const plan = p.startTap(ctx);
    k.begin(plan);
    while (k.action === Action.Transmit) k.receive(exitTap.respond(k.tx, k.rx));
    return withFinish ? p.finishTap(k).fare : k.outcome;
  };
  add({
    name: 'profiles',
    description: 'metro-exit tap (READ CAPP + UPDATE CAPP) vs the same card plain; recorded taps, no ODA',
    reference: 'plain tap, no profile (reference)',
    cases: [
      { name: 'plain tap, no profile (reference)', fn: () => { plain.reset(); plainK.begin(txn); while (plainK.action === Action.Transmit) plainK.receive(plain.respond(plainK.tx, plainK.rx)); return plainK.outcome; } },
      { name: 'metro exit, instant MAC, hook only', fn: profileTap(instant, instantK, false) },
      { name: 'metro exit, instant MAC + finishTap', fn: profileTap(instant, instantK, true) },
      { name: 'metro exit, test AES-CMAC provider + finishTap', fn: profileTap(exit, exitK, true) },
    ],
  });
}
