/**
 * Imports CA public keys from the acquirer's "IC card public key download" TLV format (Chinese POS
 * parameter download, qpboc-facts §6): one record per key, a sequence of
 *   9F06 RID · 9F22 index · DF05 expiry · DF06 hash algorithm · DF07 key algorithm · DF02 modulus ·
 *   DF04 exponent · DF03 checksum = SHA-1(RID ‖ index ‖ modulus ‖ exponent)
 * with records simply concatenated (each starts with 9F06). UnionPay's CA keys reach terminals this
 * way; the project ships none of them (their published lists carry no licence), so an integrator
 * imports the list their acquirer gives them into the terminal configuration's `capks`.
 */
import { decodeTlv, TlvParseError } from '../../kernels/tlv/index.js';
import { capkChecksum } from '../../kernels/oda/capk.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import { ShanfuError } from '../../kernels/util/errors.js';

/** A key as the configuration file writes it (src/config/README.md `capks[]`). */
export interface CapkJson {
  rid: string;
  index: string;
  modulus: string;
  exponent: string;
  /** YYYYMMDD, when the record had DF05. */
  expiry?: string;
}

const RSA_ALGORITHM = '01';
const SHA1_ALGORITHM = '01';

function bad(record: number, what: string): never {
  throw new ShanfuError('config.capk-download', `CAPK record ${record + 1}: ${what}`);
}

/** DF05: 8 ASCII digits YYYYMMDD ("3230333031323331") or 4 BCD bytes (20301231). */
function expiryOf(hex: string, record: number): string {
  const bytes = fromHex(hex, 'DF05');
  let s: string;
  if (bytes.length === 8 && bytes.every((b) => b >= 0x30 && b <= 0x39)) s = String.fromCharCode(...bytes);
  else if (bytes.length === 4 && /^\d{8}$/.test(hex)) s = hex;
  else if (bytes.length === 3 && /^\d{6}$/.test(hex)) s = '20' + hex;
  else bad(record, `DF05 expiry ${hex} is neither 8 ASCII digits, 4 BCD bytes (YYYYMMDD) nor 3 BCD bytes (YYMMDD)`);
  const mm = Number(s.slice(4, 6));
  const dd = Number(s.slice(6, 8));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) bad(record, `DF05 expiry ${s} is not a date`);
  return s;
}

/**
 * Parses CAPK-download TLV records (binary, or hex text with optional whitespace) into configuration
 * entries. Every record must be an RSA key (DF07 = 01) with SHA-1 (DF06 = 01) and a DF03 checksum
 * that matches — a key whose checksum fails is refused, never imported. Throws ShanfuError
 * `config.capk-download` naming the record and the field.
 */
export function parseCapkDownload(input: Uint8Array | string): CapkJson[] {
  const bytes = typeof input === 'string' ? fromHex(input.replace(/\s+/g, ''), 'CAPK download') : input;
  let nodes;
  try {
    nodes = decodeTlv(bytes);
  } catch (e) {
    if (e instanceof TlvParseError) throw new ShanfuError('config.capk-download', `not BER-TLV: ${e.message}`);
    throw e;
  }
  // Split the flat sequence into records at each 9F06.
  const records: Map<string, string>[] = [];
  for (const n of nodes) {
    if (n.tag === '9F06') records.push(new Map());
    const r = records[records.length - 1];
    if (!r) throw new ShanfuError('config.capk-download', `the data must start with 9F06 (RID), found ${n.tag}`);
    if (n.value === undefined) bad(records.length - 1, `${n.tag} is constructed; CAPK records are flat`);
    if (r.has(n.tag)) bad(records.length - 1, `${n.tag} appears twice`);
    r.set(n.tag, n.value);
  }
  if (!records.length) throw new ShanfuError('config.capk-download', 'no CAPK record (9F06) found');
  return records.map((r, i) => {
    const need = (tag: string, name: string) => r.get(tag) ?? bad(i, `${tag} (${name}) is missing`);
    const rid = need('9F06', 'RID');
    const index = need('9F22', 'CA public key index');
    const modulus = need('DF02', 'modulus');
    const exponent = need('DF04', 'exponent');
    const checksum = need('DF03', 'checksum');
    if (rid.length !== 10) bad(i, `9F06 RID must be 5 bytes, got ${rid.length / 2}`);
    if (index.length !== 2) bad(i, `9F22 index must be 1 byte, got ${index.length / 2}`);
    const alg = r.get('DF07') ?? RSA_ALGORITHM;
    if (alg !== RSA_ALGORITHM) bad(i, `DF07 key algorithm ${alg} is not RSA (01); SM2 CA keys go in smCapks as x‖y`);
    const hash = r.get('DF06') ?? SHA1_ALGORITHM;
    if (hash !== SHA1_ALGORITHM) bad(i, `DF06 hash algorithm ${hash} is not SHA-1 (01)`);
    if (exponent !== '03' && exponent !== '010001') bad(i, `DF04 exponent ${exponent} must be 03 or 010001`);
    const expected = toHex(capkChecksum(fromHex(rid), parseInt(index, 16), fromHex(modulus), fromHex(exponent)));
    if (expected !== checksum.toUpperCase()) bad(i, `DF03 checksum ${checksum} does not match SHA-1(RID ‖ index ‖ modulus ‖ exponent) = ${expected} (RID ${rid} index ${index})`);
    const key: CapkJson = { rid, index, modulus, exponent };
    const exp = r.get('DF05');
    if (exp !== undefined) key.expiry = expiryOf(exp, i);
    return key;
  });
}
