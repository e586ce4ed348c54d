/**
 * The uplink (README.md in this directory): journal uploader and signed parameter downloader over
 * MQTT. `mqtt` itself is loaded lazily on the first connection, so importing this module is cheap.
 */
export { UplinkConnection, type ConnectionOptions, type ConnectionStatus } from './connection.js';
export { JournalUploader, type UploaderOptions, type UploaderStatus } from './uploader.js';
export {
  ParameterDownloader,
  type DownloaderOptions,
  type OfferResult,
  type ParameterStatus,
  type RejectReason,
  type RunningSet,
} from './downloader.js';
export { DenyListSink, FileParameterSink, PARAMETER_PARSERS, type ParameterSink, type FileSinkOptions, type CaKeySet } from './sinks.js';
export {
  sealParameters,
  openParameters,
  peekParameters,
  signedBytes,
  generateSigningKey,
  publicKeyOf,
  parseTrustedKey,
  ENVELOPE_FORMAT,
  PARAMETER_KINDS,
  type ParameterKind,
  type ParameterUpdate,
  type VerifiedUpdate,
  type SigningKey,
  type TrustedKey,
  type SignatureAlgorithm,
} from './envelope.js';
export { parameterTopic, publishParameters } from './publish.js';
export { topics, encodeBatch, decodeBatch, idempotencyKey, DEFAULT_TOPIC_PREFIX, RECORD_FORMAT_VERSION, type JournalBatch } from './records.js';
