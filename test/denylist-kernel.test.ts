/**
 * The deny list in a real tap: QuickPassKernel (real RSA ODA, test PKI) + VirtualReader + the virtual
 * debit-ec card (PAN 6228480000000000018, PSN 01; hal/virtual), driven by driveTap. A listed card is
 * declined with reason deny-list right after its GPO (which carries track 2 + 5F34), before the READ
 * RECORD that commits the EC debit: the card's balance is unchanged. Updates to the store apply to the
 * next tap without rebuilding the kernel.
 */
import { describe, expect, it } from 'vitest';
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { QuickPassKernel, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { DenyListStore, buildDenyListFile, type DenyEntry } from '../src/denylist/index.js';
import { driveTap, type Exchange } from '../src/terminal/drive.js';
import { FIXED_CLOCK_MS, fixedRandom } from './kernel-recorded-card.js';

const CARD_PAN = '6228480000000000018';
const salt = new Uint8Array(16).fill(0x33);
const store = DenyListStore.empty();
const config = withTestPki(validateConfig({
  ttq: '28000080',
  offlineOnly: true,
  aids: ['A000000333010101'].map((aid) => ({ aid, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 })),
}));
config.denyList = store;
const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config), clock: () => FIXED_CLOCK_MS, random: fixedRandom });

async function tap(amount = 1000) {
  const reader = new VirtualReader();
  const card = createCard('debit-ec');
  reader.present(card);
  const session = await reader.waitForCard();
  const exchanges: Exchange[] = [];
  await driveTap(kernel, session, { amount }, { exchanges });
  await session.disconnect();
  await reader.close();
  const ins = exchanges.map((e) => e.capdu[1]!.toString(16).toUpperCase());
  return { result: `${outcomeName(kernel.outcome)} ${reasonName(kernel.reason)}`, balance: card.balance(), ins };
}

let version = 0;
function publish(add: DenyEntry[], remove: DenyEntry[] = []): void {
  const next = version + 1;
  store.apply(version === 0
    ? buildDenyListFile({ version: next, salt, add })
    : buildDenyListFile({ kind: 'delta', version: next, baseVersion: version, salt, add, remove }));
  version = next;
}

describe('deny list in the kernel (virtual card, VirtualReader, driveTap)', () => {
  it('an unlisted card is approved and debited', async () => {
    publish([{ pan: '6212345678901234', psn: 1 }]);
    const t = await tap();
    expect(t.result).toBe('approved approved-offline');
    expect(t.balance).toBe(49000);
  });

  it('the card listed with its PSN (01) is declined deny-list before any READ RECORD: balance unchanged', async () => {
    publish([{ pan: CARD_PAN, psn: 1 }]);
    const t = await tap();
    expect(t.result).toBe('declined deny-list');
    expect(t.ins).toEqual(['A4', 'A4', 'A8']); // SELECT PPSE, SELECT AID, GPO — no B2 (READ RECORD)
    expect(t.balance).toBe(50000);
    expect(kernel.tvr[0]! & 0x10).toBe(0x10); // TVR byte 1 b5: card appears on terminal exception file
  });

  it('listed under another PSN only: approved; listed for any PSN: declined', async () => {
    publish([{ pan: CARD_PAN, psn: 2 }], [{ pan: CARD_PAN, psn: 1 }]);
    expect((await tap()).result).toBe('approved approved-offline');
    publish([{ pan: CARD_PAN }]);
    const t = await tap();
    expect(t.result).toBe('declined deny-list');
    expect(t.balance).toBe(50000);
  });

  it('taken off the list by a delta: approved again on the next tap', async () => {
    publish([], [{ pan: CARD_PAN }]);
    const t = await tap();
    expect(t.result).toBe('approved approved-offline');
    expect(t.balance).toBe(49000);
  });
});
