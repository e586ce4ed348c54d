/**
 * READ RECORD (00 B2 rec (SFI<<3)|04): application records, the transaction log file, and the
 * commit point — reading the last AFL record after a TC commits the transaction (commit.ts); the
 * response is cached so a re-read returns the same bytes without a second debit (facts §7.2).
 */
import { SW } from './status-words.js';
import { fromHex } from '../../kernels/util/hex.js';
import type { Command } from './apdu.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState, SessionState } from './card-state.js';
import type { Answer } from './extended-app.js';
import { commitPending } from './commit.js';

export function readRecord(img: ApplicationImage | null, st: ApplicationState | null, session: SessionState, cmd: Command): Answer {
  if ((cmd.p2 & 0x07) !== 0x04 || cmd.p1 === 0) return { sw: SW.WRONG_P1P2, data: null };
  if (!img || !st) return { sw: session.ppseSelected ? SW.FILE_NOT_FOUND : SW.CONDITIONS_NOT_SATISFIED, data: null };
  const sfi = cmd.p2 >> 3;
  const rec = cmd.p1;
  if (img.logSfi && sfi === img.logSfi) {
    const entry = st.log[rec - 1];
    return entry ? { sw: SW.OK, data: fromHex(entry) } : { sw: SW.RECORD_NOT_FOUND, data: null };
  }
  const file = img.records.get(sfi);
  if (!file) return { sw: SW.FILE_NOT_FOUND, data: null };
  const data = file[rec - 1];
  if (!data) return { sw: SW.RECORD_NOT_FOUND, data: null };
  const p = session.pending;
  if (p && p.decision === 'TC' && sfi === img.lastRecord.sfi && rec === img.lastRecord.record) {
    if (p.committed) return { sw: SW.OK, data: p.lastRecordResponse! };
    const sw = commitPending(img, st, session);
    if (sw !== SW.OK) return { sw, data: null };
    p.lastRecordResponse = data;
  }
  return { sw: SW.OK, data };
}
