/**
 * USB-HID adapter (npm `node-hid`, loaded lazily by openHidReader), its framing codec and the
 * reader-firmware emulator the tests drive it with.
 */
export { openHidReader, HidReader, HidSession } from './reader.js';
export type { HidReaderOptions } from './reader.js';
export { shanfuFraming, HidFramingError, packetize, REPORT_SIZE, PACKET_PAYLOAD, MAX_MESSAGE } from './framing.js';
export type { HidFraming, HidDecoder, HidRequest, HidResponse, HidCommand, HidStatus, LedColor, BuzzerPattern } from './framing.js';
export { loadNodeHid, udevRule } from './device.js';
export type { HidDevice, HidDeviceInfo, HidBackend } from './device.js';
export { probeHidDevices, NO_HID_HINT } from './probe.js';
export type { HidDeviceAccess } from './probe.js';
export { HidFirmwareEmulator, emulatorBackend } from './firmware-emulator.js';
export type { HidFirmwareOptions } from './firmware-emulator.js';
