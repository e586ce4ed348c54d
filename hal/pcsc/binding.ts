/**
 * Lazy loading of the optional `pcsclite` package, and the slice of its API the adapter uses.
 * Nothing else in shanfu imports pcsclite, so `import 'shanfu'` works without it.
 */
import { ShanfuError } from '../../kernels/util/errors.js';

export interface PcscliteReader {
  readonly name: string;
  readonly connected: boolean;
  state?: number;
  on(event: 'status', l: (s: { state: number; atr?: Buffer }) => void): this;
  on(event: 'error', l: (e: Error) => void): this;
  on(event: 'end', l: () => void): this;
  removeAllListeners(event?: string): this;
  connect(options: { share_mode: number; protocol: number }, cb: (err: Error | null, protocol?: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null, data?: Buffer) => void): void;
  close(): void;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  SCARD_EJECT_CARD: number;
}

export interface PcscliteContext {
  on(event: 'reader', l: (r: PcscliteReader) => void): this;
  on(event: 'error', l: (e: Error) => void): this;
  removeAllListeners(event?: string): this;
  readers: Record<string, PcscliteReader>;
  close(): void;
}

export type PcscliteFactory = () => PcscliteContext;

let cached: PcscliteFactory | undefined;

/** Loads `pcsclite` once; ShanfuError 'pcsc.unavailable' when it is not installed or not built. */
export async function loadPcsclite(): Promise<PcscliteFactory> {
  if (cached) return cached;
  try {
    const m = (await import('pcsclite' as string)) as { default?: PcscliteFactory } & PcscliteFactory;
    cached = (typeof m.default === 'function' ? m.default : m) as PcscliteFactory;
    return cached;
  } catch (e) {
    throw new ShanfuError(
      'pcsc.unavailable',
      'PC/SC support needs the optional package pcsclite, which is not installed or did not build. ' +
        'Install the PC/SC headers and daemon (Debian/Ubuntu: apt-get install pcscd libpcsclite-dev), then run `npm rebuild pcsclite` ' +
        `(or \`npm install pcsclite@1.0.1\`). Cause: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
