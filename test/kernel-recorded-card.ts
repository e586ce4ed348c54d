/**
 * A pre-recorded in-memory card for the allocation test and the kernel benchmark: the responses of
 * the default scripted card (PPSE, SELECT, GPO TC with AFL, three records) served without allocating.
 * With `NullOda` the tap measures the kernel alone (no ODA).
 */
import { fromHex } from '../kernels/util/hex.js';
import { Action, QuickPassKernel, type DenyList, type OdaProvider, type OdaRequest } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { AID_DEBIT, REC_1_1, REC_2_1, REC_2_2, fci, gpo, ppse } from './kernel-fixtures.js';

export class RecordedCard {
  readonly ppse = fromHex(ppse({ aid: AID_DEBIT, priority: 1 }));
  readonly fci = fromHex(fci(AID_DEBIT));
  readonly gpo = fromHex(gpo());
  readonly rec11 = fromHex(REC_1_1 + '9000');
  readonly rec21 = fromHex(REC_2_1 + '9000');
  readonly rec22 = fromHex(REC_2_2 + '9000');
  readonly notFound = fromHex('6A83');

  /** Answers the command in `tx` into `rx`; returns the response length. Allocation-free. */
  respond(tx: Uint8Array, rx: Uint8Array): number {
    let r: Uint8Array;
    const ins = tx[1];
    if (ins === 0xa4) r = tx[4] === 14 ? this.ppse : this.fci;
    else if (ins === 0xa8) r = this.gpo;
    else if (ins === 0xb2) {
      const sfi = tx[3]! >> 3;
      const rec = tx[2];
      r = sfi === 1 ? this.rec11 : rec === 1 ? this.rec21 : sfi === 2 && rec === 2 ? this.rec22 : this.notFound;
    } else r = this.notFound;
    rx.set(r);
    return r.length;
  }
}

/** ODA that always succeeds, without allocating: isolates the kernel's own cost. */
export class NullOda implements OdaProvider {
  authenticate(_req: OdaRequest): number {
    return 0;
  }
  reasonText(code: number): string {
    return 'null ' + code;
  }
}

/** The bench/allocation kernel; `denyList` puts a deny list in its path (test/denylist-alloc-child.ts). */
export function benchKernel(denyList?: DenyList): QuickPassKernel {
  const config = validateConfig({
    ttq: '28000080',
    offlineOnly: true,
    aids: [{ aid: AID_DEBIT, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 }],
  });
  if (denyList) config.denyList = denyList;
  let un = 0;
  return new QuickPassKernel(config, {
    oda: new NullOda(),
    clock: () => 1795737600000,
    random: (out, off, len) => {
      for (let i = 0; i < len; i++) out[off + i] = (un + i) & 0xff;
      un = (un + 1) & 0xff;
    },
  });
}

/** One complete tap; returns the outcome code. */
export function tap(k: QuickPassKernel, card: RecordedCard, txn: { amount: number }): number {
  k.begin(txn);
  while (k.action === Action.Transmit) k.receive(card.respond(k.tx, k.rx));
  return k.outcome;
}

/**
 * A recorded tap of a virtual-card personality (hal/virtual), replayed in order: with the same clock,
 * unpredictable number and amount the kernel sends the same commands, so the recorded SDAD verifies.
 * Used to measure the kernel with the real ODA engine in the loop (bench/kernel.bench.ts).
 */
export class SequenceCard {
  private i = 0;
  constructor(readonly responses: Uint8Array[]) {}
  reset(): void {
    this.i = 0;
  }
  respond(_tx: Uint8Array, rx: Uint8Array): number {
    const r = this.responses[this.i++ % this.responses.length]!;
    rx.set(r);
    return r.length;
  }
}

export const FIXED_CLOCK_MS = 1795737600000;
/** Deterministic 9F37 source (A1 A2 A3 A4). */
export function fixedRandom(out: Uint8Array, off: number, len: number): void {
  for (let i = 0; i < len; i++) out[off + i] = 0xa1 + i;
}

/** One tap against a SequenceCard. */
export function tapSequence(k: QuickPassKernel, card: SequenceCard, txn: { amount: number }): number {
  card.reset();
  k.begin(txn);
  while (k.action === Action.Transmit) k.receive(card.respond(k.tx, k.rx));
  return k.outcome;
}
