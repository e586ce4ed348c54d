/**
 * The commit at the last AFL record read (facts §7.2, §4.5 step 5): the EC debit, the cached
 * extended-app record, the proof for GET TRANS PROVE and the log record are applied together, or
 * not at all. A card pulled away before the last record is read commits nothing.
 */
import { toHex } from '../../kernels/util/hex.js';
import { SW } from './status-words.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState, SessionState } from './card-state.js';
import { appendLog, buildLogRecord } from './transaction-log.js';

/** Max outstanding offline pre-authorisations (facts §4.3, 6971). */
export const MAX_PREAUTHS = 3;

/** Debits `amount`, spending the balance first and then the deposit offset (DF63, facts §4.5). */
function debit(st: ApplicationState, amount: number): void {
  if (amount <= st.ecBalance) st.ecBalance -= amount;
  else {
    st.offsetUsed += amount - st.ecBalance;
    st.ecBalance = 0;
  }
}

/** Committed extended transactions whose GET TRANS PROVE answer the card keeps. */
const MAX_PROOFS = 16;

/** Applies the pending TC transaction. Returns 9000, or 6974 when the cache does not match the last READ CAPP DATA. */
export function commitPending(img: ApplicationImage, st: ApplicationState, session: SessionState): number {
  const p = session.pending!;
  const cache = p.cappCache;
  if (cache) {
    const read = session.lastCappRead;
    if (!read || read.sfi !== cache.sfi || read.id !== cache.id) return SW.CAPP_MISMATCH;
  }
  let proofTc = toHex(p.cryptogram);
  switch (p.cappIndicator) {
    case 2: // offline pre-authorisation: hold the amount; the proof is all zero (facts §4.3)
      debit(st, p.amount);
      st.preauths.push({ atc: p.atc, amount: p.amount });
      proofTc = '0000000000000000';
      break;
    case 3: {
      // completion: release the oldest hold, then spend the real amount
      const held = st.preauths.shift();
      st.ecBalance += held ? held.amount : 0;
      debit(st, p.amount);
      break;
    }
    default:
      debit(st, p.amount);
  }
  if (cache) st.capp[`${cache.sfi}:${cache.id}`] = toHex(cache.record);
  if (img.spec.extendedApp && p.cappIndicator !== 0) {
    st.proofs.push({ atc: p.atc, tc: proofTc });
    // A card keeps a bounded number of proofs (like its cyclic log); GET TRANS PROVE serves recent ATCs.
    if (st.proofs.length > MAX_PROOFS) st.proofs.shift();
  }
  if (img.logSfi) appendLog(st.log, buildLogRecord(p.pdol, p.atc), img.logRecords);
  p.committed = true;
  return SW.OK;
}
