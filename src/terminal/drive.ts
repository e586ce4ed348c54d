/**
 * The async drive loop: runs one tap of a sans-I/O kernel over a card session (DESIGN.md "The
 * kernel is sans-I/O"). The only place where the kernel meets a Promise.
 */
import type { CardSession } from '../../hal/transport.js';
import { TransportError } from '../../hal/transport.js';
import { Action, KernelFailure, type QuickPassKernel, type Transaction } from '../../kernels/qpboc/index.js';

/** One exchange as seen by the terminal, for traces and displays (filled only when asked). */
export type Exchange = {
  capdu: Uint8Array;
  rapdu: Uint8Array | null;
  /** Wall time of the transceive call, microseconds. */
  micros: number;
  /** The transport fault that ended the exchange, if any. */
  error?: string;
};

export type DriveOptions = {
  /** Collects every exchange (allocates: for CLI, traces and tests, not the validator hot loop). */
  exchanges?: Exchange[];
};

/**
 * Runs `kernel` from `begin(txn)` to its outcome over `session`. Card faults (removed, timeout)
 * become `kernel.fail(CardRemoved)`, reader faults `kernel.fail(ReaderFault)`; nothing is thrown
 * for card or reader behaviour. Returns the kernel for chaining.
 */
export async function driveTap(kernel: QuickPassKernel, session: CardSession, txn: Transaction, options: DriveOptions = {}): Promise<QuickPassKernel> {
  const log = options.exchanges;
  kernel.begin(txn);
  while (kernel.action === Action.Transmit) {
    const t0 = log ? process.hrtime.bigint() : 0n;
    let n: number;
    try {
      n = await session.transceive(kernel.tx, kernel.txLen, kernel.rx);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      if (log) log.push({ capdu: kernel.tx.slice(0, kernel.txLen), rapdu: null, micros: Number(process.hrtime.bigint() - t0) / 1000, error: e.code });
      kernel.fail(e.isCardFault ? KernelFailure.CardRemoved : KernelFailure.ReaderFault);
      break;
    }
    if (log) log.push({ capdu: kernel.tx.slice(0, kernel.txLen), rapdu: kernel.rx.slice(0, n), micros: Number(process.hrtime.bigint() - t0) / 1000 });
    kernel.receive(n);
  }
  return kernel;
}
