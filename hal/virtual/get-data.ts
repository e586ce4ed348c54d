/**
 * GET DATA (80 CA P1 P2): EC amounts (facts §1.10), counters, the log format, and the extended
 * app's offset limit / used offset (DF62 / DF63, §4.2). Answers the TLV; 6A88 when absent.
 */
import { TlvWriter } from '../../kernels/tlv/writer.js';
import { SW } from './status-words.js';
import { amountToBcd, uintBytes } from './codec.js';
import { LOG_FORMAT } from './transaction-log.js';
import type { Command } from './apdu.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState } from './card-state.js';
import type { Answer } from './extended-app.js';

function value(img: ApplicationImage, st: ApplicationState, tag: number): Uint8Array | null {
  const ec = img.spec.ec;
  const x = img.spec.extendedApp;
  switch (tag) {
    case 0x9f79:
      return ec ? amountToBcd(st.ecBalance) : null;
    case 0x9f77:
      return ec ? amountToBcd(ec.balanceLimit) : null;
    case 0x9f78:
      return ec ? amountToBcd(ec.singleLimit) : null;
    case 0x9f6d:
      return ec ? amountToBcd(ec.resetThreshold) : null;
    case 0x9f36:
      return uintBytes(st.atc, 2);
    case 0x9f13:
      return uintBytes(st.lastOnlineAtc, 2);
    case 0x9f4f:
      return img.logSfi ? LOG_FORMAT : null;
    case 0x9f51:
      return uintBytes(parseInt(img.spec.currency, 16), 2);
    case 0xdf62:
      return x ? amountToBcd(x.offsetLimit) : null;
    case 0xdf63:
      return x ? amountToBcd(st.offsetUsed) : null;
    default:
      return null;
  }
}

export function getData(img: ApplicationImage | null, st: ApplicationState | null, cmd: Command): Answer {
  if (!img || !st) return { sw: SW.CONDITIONS_NOT_SATISFIED, data: null };
  const tag = cmd.p1 === 0 ? cmd.p2 : (cmd.p1 << 8) | cmd.p2;
  const v = value(img, st, tag);
  if (!v) return { sw: SW.REFERENCED_DATA_NOT_FOUND, data: null };
  const w = new TlvWriter(64, 1).put(tag, v);
  return { sw: SW.OK, data: w.toBytes() };
}
