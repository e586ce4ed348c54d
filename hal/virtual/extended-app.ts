/**
 * The transit extended application (JR/T 0025.14; facts §4): READ CAPP DATA (80 B4), UPDATE CAPP
 * DATA CACHE (84 DE), GET TRANS PROVE (80 5A). The cached update is committed together with the EC
 * debit when the last AFL record is read (commit.ts).
 *
 * MACs — a documented simplification of facts §4.4 (which uses a 3DES retail MAC): this card uses
 * AES-CMAC (RFC 4493) under the 16-byte record-management key of the record, leftmost 4 bytes:
 *   UPDATE MAC = CMAC(key, 00×6 ‖ ATC(2) ‖ CLA INS P1 P2 Lc ‖ record)[0..4]   (Lc counts the MAC)
 *   READ RMAC  = CMAC(key, record ‖ terminal random(8))[0..4]
 * `cappUpdateMac` / `cappReadMac` are exported so a test MAC provider computes the same values.
 */
import { aesCmac } from './card-crypto.js';
import { concatBytes, toHex, fromHex } from '../../kernels/util/hex.js';
import { uintBytes } from './codec.js';
import { SW } from './status-words.js';
import type { Command } from './apdu.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState, SessionState } from './card-state.js';

export type Answer = { sw: number; data: Uint8Array | null };

export function cappUpdateMac(key: Uint8Array, atc: number, header: Uint8Array, record: Uint8Array): Uint8Array {
  return aesCmac(key, concatBytes(new Uint8Array(6), uintBytes(atc, 2), header, record), 4);
}

export function cappReadMac(key: Uint8Array, record: Uint8Array, terminalRandom: Uint8Array): Uint8Array {
  return aesCmac(key, concatBytes(record, terminalRandom), 4);
}

/** The stored record, or its initial value (personalised `data`, else ID ‖ zeros). */
export function cappRecord(img: ApplicationImage, st: ApplicationState, sfi: number, id: string): Uint8Array {
  const stored = st.capp[`${sfi}:${id}`];
  if (stored) return fromHex(stored);
  const file = img.spec.extendedApp!.files.find((f) => f.sfi === sfi)!;
  const spec = file.records.find((r) => r.id.toUpperCase() === id)!;
  if (spec.data) return fromHex(spec.data);
  const rec = new Uint8Array(file.recordLength);
  rec.set(fromHex(id), 0);
  return rec;
}

/** READ CAPP DATA: 80 B4 00 (SFI<<3)|b, data = ID(2) [‖ terminal random(8) → + RMAC]. */
export function readCappData(img: ApplicationImage, st: ApplicationState, session: SessionState, cmd: Command): Answer {
  if (cmd.p1 !== 0x00) return { sw: SW.WRONG_P1P2, data: null };
  const sfi = cmd.p2 >> 3;
  if ((cmd.p2 & 7) !== 0) return { sw: SW.RECORD_NOT_FOUND, data: null }; // b=1 (next same ID): one record per ID here
  if (cmd.data.length !== 2 && cmd.data.length !== 10) return { sw: SW.WRONG_LENGTH, data: null };
  const file = img.capp.get(sfi);
  if (!file) return { sw: SW.FILE_NOT_FOUND, data: null };
  const id = toHex(cmd.data, 0, 2);
  const key = file.keys.get(id);
  if (!key) return { sw: SW.RECORD_NOT_FOUND, data: null };
  const rec = cappRecord(img, st, sfi, id);
  session.lastCappRead = { sfi, id };
  if (cmd.data.length === 10) return { sw: SW.OK, data: concatBytes(rec, cappReadMac(key, rec, cmd.data.subarray(2))) };
  return { sw: SW.OK, data: rec };
}

/** UPDATE CAPP DATA CACHE: 84 DE 00 (SFI<<3)|b, data = record ‖ MAC(4). Caches; commit.ts applies. */
export function updateCappDataCache(img: ApplicationImage, session: SessionState, cmd: Command): Answer {
  const pending = session.pending;
  // Only after a GPO that returned TC (facts §4.3), and before the commit.
  if (!pending || pending.decision !== 'TC' || pending.committed) return { sw: SW.CONDITIONS_NOT_SATISFIED, data: null };
  if (cmd.p1 !== 0x00) return { sw: SW.WRONG_P1P2, data: null };
  const sfi = cmd.p2 >> 3;
  const file = img.capp.get(sfi);
  if (!file) return { sw: SW.FILE_NOT_FOUND, data: null };
  const recLen = cmd.data.length - 4;
  if (recLen > file.recordLength) return { sw: SW.NOT_ENOUGH_SPACE, data: null }; // 6A84: longer than the record
  if (recLen < file.recordLength) return { sw: SW.WRONG_DATA, data: null }; // 6A80: shorter
  const record = cmd.data.slice(0, recLen);
  const id = toHex(record, 0, 2);
  const key = file.keys.get(id);
  if (!key) return { sw: SW.RECORD_NOT_FOUND, data: null };
  const header = new Uint8Array([cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data.length]);
  const mac = cappUpdateMac(key, pending.atc, header, record);
  for (let i = 0; i < 4; i++) if (mac[i] !== cmd.data[recLen + i]) return { sw: SW.MAC_ERROR, data: null };
  pending.cappCache = { sfi, id, record };
  return { sw: SW.OK, data: null };
}

/** GET TRANS PROVE: 80 5A 00 00 02 ATC → the 8-byte TC of that committed extended transaction; 9406 if unknown. */
export function getTransProve(st: ApplicationState, cmd: Command): Answer {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2, data: null };
  if (cmd.data.length !== 2) return { sw: SW.WRONG_LENGTH, data: null };
  const atc = (cmd.data[0]! << 8) | cmd.data[1]!;
  const proof = st.proofs.find((p) => p.atc === atc);
  if (!proof) return { sw: SW.UNKNOWN_ATC, data: null };
  return { sw: SW.OK, data: fromHex(proof.tc) };
}
