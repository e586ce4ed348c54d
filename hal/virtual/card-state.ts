/**
 * The card's state. Persistent state (counters, EC balance, transaction log, extended-app records,
 * commit proofs) survives taps of the same card object and exports to JSON (`card.state`).
 * Session state (selection, the GPO decision awaiting commit) is volatile: powerOff clears it,
 * as a real card loses its RAM when it leaves the field (facts §7.2).
 */
export type PreAuth = { atc: number; amount: number };

export type ApplicationState = {
  atc: number;
  lastOnlineAtc: number;
  /** EC balance 9F79, minor units (0 when the application has no EC). */
  ecBalance: number;
  /** DF63: amount already offset beyond the balance (extended app, facts §4.5). */
  offsetUsed: number;
  /** Transaction log records (hex), most recent first (9F4D). */
  log: string[];
  /** Extended-app records, key `${sfi}:${idHex}` → record hex. */
  capp: Record<string, string>;
  /** Committed extended-app transactions: GET TRANS PROVE answers from here. */
  proofs: { atc: number; tc: string }[];
  /** Outstanding offline pre-authorisations (DF60 = 02). */
  preauths: PreAuth[];
};

export type CardState = {
  version: 1;
  personality: string;
  phoneLocked: boolean;
  apps: Record<string, ApplicationState>;
};

/** What GPO decided and what the last-record read will commit. */
export type PendingTransaction = {
  decision: 'TC' | 'ARQC' | 'AAC';
  atc: number;
  amount: number;
  /** DF60 (facts §4.2): 0 normal, 1 segmented, 2 pre-auth, 3 completion. */
  cappIndicator: number;
  cryptogram: Uint8Array;
  /** PDOL values, for the log. */
  pdol: Map<number, Uint8Array>;
  /** UPDATE CAPP DATA CACHE data waiting for the commit. */
  cappCache: { sfi: number; id: string; record: Uint8Array } | null;
  committed: boolean;
  /** The last AFL record's response as sent at commit; a re-read returns it unchanged. */
  lastRecordResponse: Uint8Array | null;
};

export type SessionState = {
  /** Index into the card's applications, or -1. */
  selected: number;
  ppseSelected: boolean;
  pending: PendingTransaction | null;
  /** The last READ CAPP DATA (SFI + ID) since selection, checked against the cache at commit (6974). */
  lastCappRead: { sfi: number; id: string } | null;
  /** Data awaiting GET RESPONSE (61xx chain). */
  chained: Uint8Array | null;
  chainedSw: number;
  chainChunk: number;
  /** A response held back by a 6Cxx fault: the header it belongs to and the response. */
  heldForLe: { header: number; response: Uint8Array } | null;
};

export function newSession(): SessionState {
  return { selected: -1, ppseSelected: false, pending: null, lastCappRead: null, chained: null, chainedSw: 0x9000, chainChunk: 256, heldForLe: null };
}
