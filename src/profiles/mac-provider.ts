/**
 * MAC providers for UPDATE CAPP DATA CACHE (qpboc-facts §4.4: the per-record key lives in a PSAM in
 * the field, so the terminal computes the MAC through a provider). A SAM or HSM adapter implements
 * `CappMacProvider` (types.ts) synchronously — e.g. over a PSAM already opened by the terminal.
 *
 * `createTestMacProvider` holds plain record keys in memory: FOR TESTS AND DEMOS ONLY. It computes
 * the MAC of the virtual card (hal/virtual/README.md "Extended application (§4) and its MAC":
 * AES-CMAC, a documented simplification of the 3DES retail MAC of facts §4.4).
 */
import { cappReadMac, cappUpdateMac } from '../../hal/virtual/extended-app.js';
import { fromHex } from '../../kernels/util/hex.js';
import type { Personality } from '../../hal/virtual/personality.js';
import type { CappMacProvider } from './types.js';

export interface RecordKey {
  sfi: number;
  /** Record ID (2 bytes), e.g. 0x2701. */
  recordId: number;
  /** 16-byte record-management key. */
  key: Uint8Array;
}

/** A MAC provider over plain keys (TEST KEYS ONLY), update MAC and read RMAC. Unknown SFI/ID → null (an update then ends the tap uncharged). */
export function createTestMacProvider(keys: readonly RecordKey[]): CappMacProvider {
  const map = new Map<number, Uint8Array>();
  for (const k of keys) {
    if (!Number.isInteger(k.sfi) || k.sfi < 1 || k.sfi > 30) throw new RangeError('keys[].sfi must be an integer in 1..30');
    if (!Number.isInteger(k.recordId) || k.recordId < 0 || k.recordId > 0xffff) throw new RangeError('keys[].recordId must be an integer in 0..65535');
    if (!(k.key instanceof Uint8Array) || k.key.length !== 16) throw new TypeError('keys[].key must be 16 bytes');
    map.set((k.sfi << 16) | k.recordId, k.key);
  }
  return {
    updateMac(sfi, recordId, atc, header, record) {
      const key = map.get((sfi << 16) | recordId);
      return key ? cappUpdateMac(key, atc, header, record) : null;
    },
    readMac(sfi, recordId, record, terminalRandom) {
      const key = map.get((sfi << 16) | recordId);
      return key ? cappReadMac(key, record, terminalRandom) : null;
    },
  };
}

/** The record keys personalised into a virtual card (all its applications' extended-app files). */
export function recordKeysOf(p: Personality): RecordKey[] {
  const out: RecordKey[] = [];
  for (const app of p.applications)
    for (const f of app.extendedApp?.files ?? []) for (const r of f.records) out.push({ sfi: f.sfi, recordId: parseInt(r.id, 16), key: fromHex(r.key) });
  return out;
}
