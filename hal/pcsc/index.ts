/**
 * PC/SC adapter (npm `pcsclite`, loaded lazily by PcscService.open / openPcsc).
 */
export { PcscService, readerKind, CONTACTLESS_NAME } from './service.js';
export type { PcscOptions, PcscReaderInfo, PcscReaderKind, ReaderMatch } from './service.js';
export { PcscReader, PcscSession } from './reader.js';
export type { PcscConnectOptions, PcscDisposition } from './reader.js';
export { loadPcsclite } from './binding.js';
export { toTransportError as pcscToTransportError } from './errors.js';

import { PcscService, type PcscOptions } from './service.js';
/** Connects to pcscd (ShanfuError 'pcsc.unavailable' without pcsclite; TransportError 'service-unavailable' without pcscd). */
export function openPcsc(options: PcscOptions = {}): Promise<PcscService> {
  return PcscService.open(options);
}
