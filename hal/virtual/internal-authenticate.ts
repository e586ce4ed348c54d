/**
 * INTERNAL AUTHENTICATE (00 88 00 00 Lc DDOL-data): DDA for cards with an ICC key (facts §2.4).
 * Response format 1: 80 L SDAD. ICC dynamic data = 08 ‖ 8-byte ICC dynamic number.
 */
import { TlvWriter } from '../../kernels/tlv/writer.js';
import { SW } from './status-words.js';
import { sha1 } from './card-crypto.js';
import { uintBytes } from './codec.js';
import { concatBytes } from '../../kernels/util/hex.js';
import { buildSdad } from './rsa-signing.js';
import { buildSmSdad } from '../../kernels/oda/sm-cert-builder.js';
import type { Command } from './apdu.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState } from './card-state.js';
import type { Answer } from './extended-app.js';

export function internalAuthenticate(img: ApplicationImage | null, st: ApplicationState | null, cmd: Command): Answer {
  if (!img || !st) return { sw: SW.CONDITIONS_NOT_SATISFIED, data: null };
  if (!img.iccKey && !img.iccSm2Key) return { sw: SW.INS_NOT_SUPPORTED, data: null };
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2, data: null };
  if (cmd.data.length === 0) return { sw: SW.WRONG_LENGTH, data: null };
  const idn = sha1(img.acKey, uintBytes(st.atc, 2), cmd.data).slice(0, 8);
  const sdad = img.iccKey
    ? buildSdad(img.iccKey, concatBytes(new Uint8Array([0x08]), idn), cmd.data)
    : buildSmSdad({ iccPrivateKey: img.iccSm2Key!.privateKey, iccDynamicNumber: idn, terminalDynamicData: cmd.data });
  return { sw: SW.OK, data: new TlvWriter(sdad.length + 8, 1).put(0x80, sdad).toBytes() };
}
