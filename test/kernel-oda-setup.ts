/**
 * A kernel with the real RSA + SM2 ODA engines and the test PKI, plus a recording of one approved tap
 * of a virtual-card personality — for the ODA-in-the-loop benchmark and allocation figures.
 */
import { readFileSync } from 'node:fs';
import { createCard } from '../hal/virtual/personalities.js';
import { CapkStore, RevocationList } from '../kernels/oda/index.js';
import { SmCapkStore } from '../kernels/oda/sm-capk.js';
import { Action, Outcome, QuickPassKernel, RsaOdaProvider, SmOdaProvider } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { FIXED_CLOCK_MS, SequenceCard, fixedRandom } from './kernel-recorded-card.js';

export function odaKernel(): QuickPassKernel {
  const capks = new CapkStore();
  capks.loadJson(readFileSync('test-vectors/pki/capk-test.json', 'utf8'));
  const revocations = new RevocationList();
  for (const r of JSON.parse(readFileSync('test-vectors/pki/revoked-test.json', 'utf8')) as { rid: string; index: string; serial: string }[])
    revocations.add(r.rid, r.index, r.serial);
  const smCapks = new SmCapkStore();
  for (const k of JSON.parse(readFileSync('test-vectors/pki/capk-sm-test.json', 'utf8')) as { rid: string; index: string; publicKey: string; expiry?: string }[])
    smCapks.add({ rid: k.rid, index: k.index, publicKey: k.publicKey, expiry: k.expiry });
  const config = validateConfig({
    ttq: '28000080',
    offlineOnly: true,
    aids: ['A000000333010101', 'A000000333010102', 'A000000333010103', 'A000000333010106'].map((aid) => ({ aid, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 })),
  });
  return new QuickPassKernel(config, {
    oda: new RsaOdaProvider(capks, { revocations, sm: new SmOdaProvider(smCapks) }),
    clock: () => FIXED_CLOCK_MS,
    random: fixedRandom,
  });
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
