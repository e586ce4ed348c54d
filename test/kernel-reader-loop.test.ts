/**
 * The DESIGN.md drive loop end to end: VirtualReader (hal/virtual) → CardSession.transceive →
 * kernel, with TransportError mapped by kernelFailureOf. Also shows 61xx chaining in the HAL
 * is invisible to the kernel.
 */
import { describe, expect, it } from 'vitest';
import { createCard } from '../hal/virtual/personalities.js';
import { VirtualReader } from '../hal/virtual/reader.js';
import { TransportError } from '../hal/transport.js';
import { Action, QuickPassKernel, kernelFailureOf, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import type { FaultSpec } from '../hal/virtual/faults.js';
import { odaKernel } from './kernel-oda-setup.js';

async function pay(reader: VirtualReader, k: QuickPassKernel, amount: number): Promise<void> {
  const session = await reader.waitForCard();
  k.begin({ amount });
  while (k.action === Action.Transmit) {
    let n: number;
    try {
      n = await session.transceive(k.tx, k.txLen, k.rx);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      k.fail(kernelFailureOf(e.code));
      break;
    }
    k.receive(n);
  }
  await session.disconnect();
}

describe('kernel driven through the virtual reader (async HAL loop)', () => {
  it('approves debit-ec offline with RSA fDDA, GET RESPONSE chaining handled by the HAL', async () => {
    const reader = new VirtualReader();
    const card = createCard('debit-ec', { faults: [{ ins: 'B2', action: 'chain61', chunk: 32, times: 10 } as FaultSpec] });
    reader.present(card);
    const k = odaKernel();
    await pay(reader, k, 1000);
    expect(`${outcomeName(k.outcome)} ${reasonName(k.reason)}`).toBe('approved approved-offline');
    expect(k.balanceAfter).toBe(49000);
    await reader.close();
  });

  it('card removal mid-records → TransportError card-removed → TryAgain, torn', async () => {
    const reader = new VirtualReader();
    reader.present(createCard('debit-ec', { faults: [{ command: 6, action: 'leaveField' }] }));
    const k = odaKernel();
    await pay(reader, k, 1000);
    expect(`${outcomeName(k.outcome)} ${reasonName(k.reason)}`).toBe('try-again card-removed');
    expect(k.torn).toBe(true);
    await reader.close();
  });
});
