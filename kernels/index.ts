/**
 * shanfu/kernels: sans-I/O, synchronous building blocks — TLV, EMV data, offline data
 * authentication and the QuickPass kernel. Nothing here touches hardware.
 */
export * from './tlv/index.js';
export * from './emv/index.js';
export * from './qpboc/index.js';
export { toHex, fromHex, bytesEqual, concatBytes } from './util/hex.js';
export { ShanfuError } from './util/errors.js';
