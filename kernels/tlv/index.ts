export { TlvCursor, TlvError, tlvErrorText, tagHex, tagByteLength, isConstructedTag, parseTag, DEFAULT_MAX_DEPTH } from './cursor.js';
export type { TlvErrorCode } from './cursor.js';
export { TlvWriter, lengthFieldSize } from './writer.js';
export { decodeTlv, TlvParseError } from './tree.js';
export type { TlvNode } from './tree.js';
export { tagInfo, tagName, tagFormat, tagFormatCode, TagFormatCode, knownTags } from './tags.js';
export type { TagInfo, TagFormat, TagContext } from './tags.js';
export { describeValue, describeBits, TTQ_BITS, CTQ_BITS, AIP_BITS, AUC_BITS, CVR_BITS } from './describe.js';
