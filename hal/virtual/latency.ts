/**
 * Latency model for `lastExchangeMicros`: time on the air (ISO/IEC 14443 bit rates, facts §5)
 * plus the card's processing time per command.
 *
 * Air time: 10 bit times per byte (start + 8 data + parity/stop, as ISO 14443-B counts it; type A
 * uses 9, we round up), each I-block framed with PCB + CRC (3 bytes) plus SOF/EOF (~2 byte times),
 * and a frame delay time of ~86 µs (1172/fc) before each answer. APDUs longer than the frame size
 * are chained, each extra block acknowledged by a 3-byte R-block.
 */
export type BitRate = 106 | 212 | 424 | 848;

/** Command classes that get their own processing time. */
export type CommandClass =
  | 'SELECT'
  | 'GPO'
  | 'GPO_SIGN'
  | 'READ_RECORD'
  | 'GET_DATA'
  | 'INTERNAL_AUTHENTICATE'
  | 'READ_CAPP_DATA'
  | 'UPDATE_CAPP_DATA_CACHE'
  | 'GET_TRANS_PROVE'
  | 'GET_RESPONSE'
  | 'OTHER';

/**
 * Default processing times of a contactless CPU card, in µs. GPO_SIGN is the extra time of the
 * fDDA RSA-1024 private-key operation at GPO ("tens of ms" on real cards; our estimate).
 */
export const CARD_PROCESSING_MICROS: Record<CommandClass, number> = {
  SELECT: 3_000,
  GPO: 8_000,
  GPO_SIGN: 35_000,
  READ_RECORD: 2_000,
  GET_DATA: 1_500,
  INTERNAL_AUTHENTICATE: 40_000,
  READ_CAPP_DATA: 3_000,
  UPDATE_CAPP_DATA_CACHE: 6_000,
  GET_TRANS_PROVE: 2_500,
  GET_RESPONSE: 500,
  OTHER: 1_000,
};

/** A phone wallet (HCE): every command crosses the OS and the wallet app; slower than a card. */
export const PHONE_PROCESSING_MICROS: Record<CommandClass, number> = {
  SELECT: 15_000,
  GPO: 40_000,
  GPO_SIGN: 10_000,
  READ_RECORD: 10_000,
  GET_DATA: 10_000,
  INTERNAL_AUTHENTICATE: 30_000,
  READ_CAPP_DATA: 12_000,
  UPDATE_CAPP_DATA_CACHE: 15_000,
  GET_TRANS_PROVE: 10_000,
  GET_RESPONSE: 8_000,
  OTHER: 8_000,
};

/** Frame size (FSC/FSD) assumed for chaining; 128 bytes is common for contactless CPU cards. */
const FRAME_BYTES = 128;
const BLOCK_OVERHEAD = 3; // PCB + CRC
const SOF_EOF_BYTES = 2;
const FDT_MICROS = 86;

/** Air time in µs to carry one APDU of `len` bytes in one direction. */
export function airMicros(len: number, bitRate: BitRate): number {
  const payload = FRAME_BYTES - BLOCK_OVERHEAD;
  const blocks = Math.max(1, Math.ceil(len / payload));
  const bytes = len + blocks * (BLOCK_OVERHEAD + SOF_EOF_BYTES) + (blocks - 1) * (BLOCK_OVERHEAD + SOF_EOF_BYTES); // + R(ACK)s
  const bitMicros = 1000 / bitRate; // µs per bit at `bitRate` kbit/s
  return bytes * 10 * bitMicros + blocks * FDT_MICROS;
}

export class LatencyModel {
  constructor(
    readonly bitRate: BitRate,
    private readonly processing: Record<CommandClass, number>,
  ) {}

  /** µs for one exchange: command + response on the air, plus processing, plus injected delay. */
  exchange(commandLen: number, responseLen: number, cls: CommandClass, extraMicros = 0): number {
    return Math.round(airMicros(commandLen, this.bitRate) + airMicros(responseLen, this.bitRate) + this.processing[cls] + extraMicros);
  }

  processingOf(cls: CommandClass): number {
    return this.processing[cls];
  }
}

/** Builds the model from a personality's `timing` block. */
export function latencyFor(phone: boolean, timing?: { bitRateKbps?: number; processingMicros?: Record<string, number> }): LatencyModel {
  const base = { ...(phone ? PHONE_PROCESSING_MICROS : CARD_PROCESSING_MICROS) };
  for (const [k, v] of Object.entries(timing?.processingMicros ?? {})) {
    if (!(k in base)) throw new RangeError(`timing.processingMicros.${k}: unknown command class (one of ${Object.keys(base).join(', ')})`);
    base[k as CommandClass] = v;
  }
  return new LatencyModel((timing?.bitRateKbps ?? 106) as BitRate, base);
}
