/**
 * Maps PC/SC failures (pcsclite reports "SCardX error: text(0x8010…)") to TransportError codes.
 * Card faults (tap again) are kept apart from reader and service faults.
 */
import { TransportError, type TransportErrorCode } from '../transport.js';

const CODES: Record<number, TransportErrorCode> = {
  0x80100069: 'card-removed', // SCARD_W_REMOVED_CARD
  0x8010000c: 'card-removed', // SCARD_E_NO_SMARTCARD
  0x80100067: 'card-removed', // SCARD_W_UNPOWERED_CARD
  0x80100068: 'card-removed', // SCARD_W_RESET_CARD: someone reset it; the tap's state is gone
  0x80100066: 'timeout', // SCARD_W_UNRESPONSIVE_CARD
  0x8010000a: 'timeout', // SCARD_E_TIMEOUT
  0x80100016: 'protocol', // SCARD_E_NOT_TRANSACTED (refined by the caller from the reader state)
  0x8010000f: 'protocol', // SCARD_E_PROTO_MISMATCH
  0x8010002f: 'protocol', // SCARD_E_COMM_DATA_LOST
  0x80100008: 'response-too-long', // SCARD_E_INSUFFICIENT_BUFFER
  0x80100009: 'reader-removed', // SCARD_E_UNKNOWN_READER
  0x80100017: 'reader-removed', // SCARD_E_READER_UNAVAILABLE
  0x8010002e: 'reader-removed', // SCARD_E_NO_READERS_AVAILABLE
  0x8010001d: 'service-unavailable', // SCARD_E_NO_SERVICE
  0x8010001e: 'service-unavailable', // SCARD_E_SERVICE_STOPPED
  0x80100013: 'service-unavailable', // SCARD_F_COMM_ERROR (socket to pcscd broken)
  0x80100003: 'service-unavailable', // SCARD_E_INVALID_HANDLE (context died with pcscd)
  0x8010000b: 'access-denied', // SCARD_E_SHARING_VIOLATION
  0x80100027: 'access-denied', // SCARD_E_NO_ACCESS
  0x8010006a: 'access-denied', // SCARD_W_SECURITY_VIOLATION
  0x80100002: 'closed', // SCARD_E_CANCELLED
};

const NEXT: Record<TransportErrorCode, string> = {
  'card-removed': 'ask for the card to be presented again',
  timeout: 'the card did not answer in time; ask for the card to be presented again',
  protocol: 'the exchange failed on the air; ask for the card to be presented again',
  'response-too-long': 'pass a larger rx buffer',
  'reader-removed': 'check the reader cable; shanfu picks it up again when it is plugged in',
  'service-unavailable': 'start pcscd (e.g. `pcscd` or `systemctl start pcscd`); shanfu reconnects when it is back',
  'access-denied': 'another program holds the reader exclusively, or this user may not use it',
  closed: 'the session or reader was closed',
};

/** The PC/SC return code in a pcsclite error message, or undefined. */
export function pcscCode(e: unknown): number | undefined {
  const m = /\(0x([0-9a-f]{8})\)/i.exec(String((e as Error)?.message ?? e));
  return m ? parseInt(m[1]!, 16) : undefined;
}

export function toTransportError(e: unknown, what: string, override?: TransportErrorCode): TransportError {
  if (e instanceof TransportError) return e;
  const rc = pcscCode(e);
  const code = override ?? (rc !== undefined ? CODES[rc] : undefined) ?? 'protocol';
  return new TransportError(code, `${what}: ${(e as Error)?.message ?? String(e)}; ${NEXT[code]}`, { cause: e });
}
