/**
 * shanfu/hal: readers and card sessions. Hardware adapters (PC/SC, USB-HID) are loaded lazily so
 * this module works on a machine with neither installed.
 */
export {};
