/** What a deny-list file says about itself, for `shanfu denylist info` and the back office. */
import { toHex } from '../../kernels/util/hex.js';
import { CHECKSUM_LENGTH, checksumMatches, readHeader, type DenyListKind } from './file-format.js';

export type DenyListFileInfo = {
  formatVersion: number;
  kind: DenyListKind;
  version: number;
  /** Delta: the version it applies to; full: 0. */
  baseVersion: number;
  /** Hex; a delta must carry the salt of its base. */
  salt: string;
  added: number;
  removed: number;
  /** The stored SHA-256, hex. */
  checksum: string;
  checksumOk: boolean;
};

/**
 * Reads the header and verifies the checksum. A file that is not a deny list at all, or whose length
 * does not match its header (truncated), throws ShanfuError `denylist.corrupt` / `denylist.format`.
 */
export function inspectDenyListFile(bytes: Uint8Array): DenyListFileInfo {
  const h = readHeader(bytes);
  return {
    formatVersion: h.formatVersion,
    kind: h.kind,
    version: h.version,
    baseVersion: h.baseVersion,
    salt: toHex(h.salt),
    added: h.addedCount,
    removed: h.removedCount,
    checksum: toHex(bytes, bytes.length - CHECKSUM_LENGTH, bytes.length),
    checksumOk: checksumMatches(bytes),
  };
}
