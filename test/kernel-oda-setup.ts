/**
 * A kernel with the real RSA + SM2 ODA engines and the test PKI, plus a recording of one approved tap
 * of a virtual-card personality — for the ODA-in-the-loop benchmark and allocation figures.
 */
import { createCard } from '../hal/virtual/personalities.js';
import { Action, Outcome, QuickPassKernel } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';
import { FIXED_CLOCK_MS, SequenceCard, fixedRandom } from './kernel-recorded-card.js';

export function odaKernel(): QuickPassKernel {
  // The test PKI's CA keys and revocation list, loaded the way the terminal configuration does it.
  const config = withTestPki(validateConfig({
    ttq: '28000080',
    offlineOnly: true,
    aids: ['A000000333010101', 'A000000333010102', 'A000000333010103', 'A000000333010106'].map((aid) => ({ aid, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 })),
  }));
  return new QuickPassKernel(config, { oda: createOdaProvider(config), clock: () => FIXED_CLOCK_MS, random: fixedRandom });
}

/** Records the responses of one approved tap of `personality` with the kernel's fixed clock/UN. */
export function recordTap(k: QuickPassKernel, personality: string, amount: number): SequenceCard {
  const card = createCard(personality);
  card.powerOn();
  const responses: Uint8Array[] = [];
  k.begin({ amount });
  while (k.action === Action.Transmit) {
    const r = card.transmit(k.tx.slice(0, k.txLen))!;
    responses.push(r);
    k.rx.set(r);
    k.receive(r.length);
  }
  if (k.outcome !== Outcome.Approved) throw new Error(`${personality}: recording did not approve`);
  return new SequenceCard(responses);
}
