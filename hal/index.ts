/**
 * shanfu/hal: readers and card sessions. Hardware adapters (PC/SC, USB-HID) are loaded lazily so
 * this module works on a machine with neither installed.
 */
export { TransportError, hasLed, hasBuzzer, hasDisplay } from './transport.js';
export type { Reader, CardSession, ReaderEvent, TransportErrorCode, LedCapability, BuzzerCapability, DisplayCapability } from './transport.js';
export type { CardEmulator } from './virtual/emulator.js';
