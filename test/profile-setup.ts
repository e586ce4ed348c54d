/**
 * The real tap loop for the profile scenario tests: a validated terminal configuration with the test
 * PKI (RSA + SM2 ODA engines), a QuickPassKernel per validator with the profile's hook, the
 * VirtualReader and virtual cards, and driveTap (src/terminal/drive.ts).
 */
import { join } from 'node:path';
import { createCard, loadPersonality } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import type { QuickPassCard } from '../hal/virtual/card.js';
import { testVectorsDir } from '../hal/virtual/vector-paths.js';
import { fromHex, toHex } from '../kernels/util/hex.js';
import { QuickPassKernel, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import { validateConfig, type TerminalConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { driveTap } from '../src/terminal/drive.js';
import { defaultRecordCodec, emptyRecord, type RecordState, type TransitRecord } from '../src/profiles/record-codec.js';
import { createTestMacProvider, recordKeysOf } from '../src/profiles/mac-provider.js';
import type { ProfileTapResult, SectorProfile, TapContext } from '../src/profiles/types.js';

export const AID = 'A000000333010101';
export const FARES_DIR = join(testVectorsDir(), 'fares');

/**
 * Offline-only validator; `zeroAmount: 'allow'` because a metro/toll entry with segmented deduction
 * (and a bus transfer discounted to 0) authorises amount 0 (qpboc-facts §1.6 rule 4).
 */
export const CONFIG: TerminalConfig = withTestPki(validateConfig({
  ttq: '28000080',
  offlineOnly: true,
  aids: [{ aid: AID, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000, zeroAmount: 'allow' }],
}));
const ODA = createOdaProvider(CONFIG);

/** The MAC provider of the metro-transit personality's record keys (test keys). */
export const TEST_MAC = createTestMacProvider(recordKeysOf(loadPersonality('metro-transit')));

/** 2026-03-02 08:00:00 +08:00. */
export const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);
export const MIN = 60_000;

export type Tap = { result: ProfileTapResult; outcome: string; kernel: QuickPassKernel };

/** One validator: a reader with a kernel whose hook is the profile's, as the Terminal wires it. */
export class Validator {
  readonly reader = new VirtualReader();
  private now = 0;
  readonly kernel: QuickPassKernel;
  constructor(readonly profile: SectorProfile, readonly terminalId = 'GATE0001', config: TerminalConfig = CONFIG) {
    this.kernel = new QuickPassKernel(config, { oda: ODA, hook: profile.hook, clock: () => this.now });
  }

  async tap(card: QuickPassCard, time: number, ctx: Partial<TapContext> = {}): Promise<Tap> {
    this.now = time;
    this.reader.present(card);
    const session = await this.reader.waitForCard();
    const plan = this.profile.startTap({ time, terminalId: this.terminalId, ...ctx });
    await driveTap(this.kernel, session, { amount: plan.amount, cappIndicator: plan.cappIndicator });
    await session.disconnect();
    this.reader.remove();
    const result = this.profile.finishTap(this.kernel);
    return { result, outcome: `${outcomeName(this.kernel.outcome)} ${reasonName(this.kernel.reason)}`, kernel: this.kernel };
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

export function transitCard(): QuickPassCard {
  return createCard('metro-transit');
}

/** The card's stored record `sfi:id` decoded with the default codec (blank when never written). */
export function cardRecord(card: QuickPassCard, recordId: number, sfi = 21): { state: RecordState; rec: TransitRecord } {
  const hex = card.state.apps[AID]!.capp[`${sfi}:${recordId.toString(16).toUpperCase().padStart(4, '0')}`];
  const rec = emptyRecord();
  if (!hex) return { state: 'blank', rec };
  return { state: defaultRecordCodec.decode(fromHex(hex), 0, rec), rec };
}

/** A metro-transit card whose record `id` holds `bytes` (e.g. a record with a wrong CRC). */
export function transitCardWithRecord(recordId: number, bytes: Uint8Array, sfi = 21): QuickPassCard {
  const base = createCard('metro-transit');
  const state = base.state;
  state.apps[AID]!.capp[`${sfi}:${recordId.toString(16).toUpperCase().padStart(4, '0')}`] = toHex(bytes);
  return createCard('metro-transit', { state });
}
