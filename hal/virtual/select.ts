/**
 * SELECT (00 A4 04 P2): the PPSE "2PAY.SYS.DDF01" answers its directory; an AID (exact or partial,
 * ISO 7816-4 §7.1.1 — P2 00 first occurrence, 02 next occurrence) answers its FCI. A blocked
 * application still answers its FCI, with 6283 (facts §1.2).
 */
import { SW } from './status-words.js';
import type { Command } from './apdu.js';
import type { ApplicationImage } from './card-image.js';
import type { SessionState } from './card-state.js';
import type { Answer } from './extended-app.js';
import { bytesEqual } from '../../kernels/util/hex.js';

const PPSE = new TextEncoder().encode('2PAY.SYS.DDF01');

export function select(apps: ApplicationImage[], ppse: Uint8Array, session: SessionState, cmd: Command): Answer {
  if (cmd.p1 !== 0x04) return { sw: SW.WRONG_P1P2, data: null }; // only selection by DF name
  if (cmd.p2 !== 0x00 && cmd.p2 !== 0x02) return { sw: SW.WRONG_P1P2, data: null };
  const name = cmd.data;
  const previous = session.selected;
  // Any SELECT ends the current transaction: an uncommitted one is lost.
  session.pending = null;
  session.lastCappRead = null;
  session.selected = -1;
  session.ppseSelected = false;
  if (name.length === PPSE.length && bytesEqual(name, 0, PPSE, 0, PPSE.length)) {
    session.ppseSelected = true;
    return { sw: SW.OK, data: ppse };
  }
  if (name.length < 5) return { sw: SW.FILE_NOT_FOUND, data: null };
  const start = cmd.p2 === 0x02 ? previous + 1 : 0;
  for (let i = start; i < apps.length; i++) {
    const aid = apps[i]!.aid;
    if (name.length <= aid.length && bytesEqual(name, 0, aid, 0, name.length)) {
      session.selected = i;
      return { sw: apps[i]!.spec.blocked ? SW.APP_BLOCKED : SW.OK, data: apps[i]!.fci };
    }
  }
  return { sw: SW.FILE_NOT_FOUND, data: null };
}
