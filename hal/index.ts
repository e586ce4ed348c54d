/**
 * shanfu/hal: readers and card sessions. Hardware adapters (PC/SC, USB-HID) are loaded lazily so
 * this module works on a machine with neither installed.
 */
export { TransportError, hasLed, hasBuzzer, hasDisplay } from './transport.js';
export type { Reader, CardSession, ReaderEvent, TransportErrorCode, LedCapability, BuzzerCapability, DisplayCapability } from './transport.js';
export type { CardEmulator } from './virtual/emulator.js';
// The virtual QuickPass card and its shipped personalities (test-vectors/cards).
export { QuickPassCard, createCard, loadPersonality, listPersonalities, validatePersonality, FaultInjector, cappUpdateMac, cappReadMac } from './virtual/index.js';
export type { Personality, ApplicationSpec, CardState, CardOptions, FaultSpec, FaultAction } from './virtual/index.js';
export type { ReaderMonitor } from './transport.js';
export { transceiveChained, withLe } from './apdu-chaining.js';
export type { RawExchange } from './apdu-chaining.js';
export { VirtualReader } from './virtual/reader.js';
export type { VirtualReaderOptions } from './virtual/reader.js';
export { VpcdBridge, VPCD_PORT } from './virtual/vpcd.js';
export type { VpcdBridgeOptions, VpcdBridgeState, VpcdBridgeEvent } from './virtual/vpcd.js';
export { ensureQuickackRoute, hasQuickackRoute, QUICKACK_HOST } from './virtual/quickack.js';
// The PC/SC adapter: importing it does not load pcsclite (openPcsc does, lazily).
export { openPcsc, PcscService, PcscReader, PcscSession, readerKind } from './pcsc/index.js';
export type { PcscOptions, PcscReaderInfo, PcscReaderKind, ReaderMatch, PcscConnectOptions, PcscDisposition } from './pcsc/index.js';
// The USB-HID adapter: importing it does not load node-hid (openHidReader does, lazily).
export { openHidReader, HidReader, HidSession, shanfuFraming, HidFramingError, HidFirmwareEmulator, emulatorBackend, loadNodeHid, udevRule, probeHidDevices } from './hid/index.js';
export type { HidDeviceAccess } from './hid/index.js';
export type { HidReaderOptions, HidFraming, HidDecoder, HidRequest, HidResponse, HidCommand, HidStatus, LedColor, BuzzerPattern, HidDevice, HidDeviceInfo, HidBackend, HidFirmwareOptions } from './hid/index.js';
// Traces (DESIGN.md "One trace format"): the format, masking, the recording and replaying readers.
export { parseTrace, serializeTrace, TraceFormatError, TRACE_FORMAT, TRACE_VERSION, maskResponse, RecordingReader, ReplayReader } from './trace/index.js';
export type { Trace, TraceExchange, TraceInputs, RecordingReaderOptions, ReplayReaderOptions } from './trace/index.js';
