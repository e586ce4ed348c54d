/**
 * Personalisation: turns one application of a personality into the card's static image: FCI,
 * PDOL, records and AFL, static data to be authenticated, RSA certificates, keys. Records are
 * generated from data elements (never hand-written hex); certificates are built from the test PKI
 * at load time.
 *
 * Record layout (AFL 08 01 01 00 | 10 01 01 01 | 18 01 0n 00):
 *   SFI 1 rec 1  70{57, 5F20, 9F51, 9F63}                  track 2 etc., not signed
 *   SFI 2 rec 1  70{5F24, 5F25, 5A, 5F34, 9F07, 5F28, 9F08, 9F4A, extraData…}  signed (ODA count 1)
 *   SFI 3 rec 1  70{90}                                    issuer certificate (alone: up to 248 bytes)
 *   SFI 3 rec 2  70{8F, 92, 9F32, [93 for SDA]}
 *   SFI 3 rec 3  70{9F46, 9F47, 9F48, [9F49 for DDA]}      fDDA / DDA only
 * The last AFL record is the commit point (facts §7.2). SFI 1–10 contribute the template-70 value
 * to the static data; 9F4A = 82 appends the AIP (facts §2.6).
 */
import { TlvWriter } from '../../kernels/tlv/writer.js';
import { fromHex } from '../../kernels/util/hex.js';
import { concatBytes } from '../../kernels/util/hex.js';
import type { ApplicationSpec } from './personality.js';
import { loadRsaKey, capkIndexOf, loadSm2Key, smCapkIndexOf, type Sm2TestKey } from './pki-store.js';
import { buildSmIccCertificate, buildSmIssuerCertificate, buildSmSsad } from '../../kernels/oda/sm-cert-builder.js';
import { buildIccCert, buildIssuerCert, buildSsad, publicParts } from './rsa-signing.js';
import type { RsaPrivateKey } from './card-crypto.js';
import { sha1 } from './card-crypto.js';
import { panToCn } from './codec.js';
import { LOG_FORMAT, parseDol } from './transaction-log.js';

/** The contactless PDOL (facts §1.3, CP perso rule): TTQ, amounts, country, TVR, currency, date, type, UN, DF60. */
export const QPBOC_PDOL = fromHex('9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001');
/** The same plus DF69 (SM algorithm support indicator), for cards that support SM (facts §1.3, §1.4). */
export const QPBOC_SM_PDOL = fromHex('9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001DF6901');

export type CappFile = { sfi: number; recordLength: number; keys: Map<string, Uint8Array> };

export type ApplicationImage = {
  spec: ApplicationSpec;
  aid: Uint8Array;
  fci: Uint8Array;
  pdol: { tag: number; len: number }[];
  pdolLength: number;
  /** records.get(sfi)[n-1] = the full record (70 template). */
  records: Map<number, Uint8Array[]>;
  afl: Uint8Array;
  lastRecord: { sfi: number; record: number };
  staticData: Uint8Array;
  aip: Uint8Array;
  track2: Uint8Array;
  psn: Uint8Array;
  ctq: Uint8Array;
  productId: Uint8Array;
  acKey: Uint8Array;
  iccKey: RsaPrivateKey | null;
  /** SM2 cards (oda.algorithm "sm2"): the ICC SM2 key; fDDA/DDA sign with it (facts §3.1 format 15). */
  iccSm2Key: Sm2TestKey | null;
  logSfi: number;
  logRecords: number;
  capp: Map<number, CappFile>;
};

const T = (n: number) => new TlvWriter(n, 8);

function track2(spec: ApplicationSpec): Uint8Array {
  // PAN ‖ D ‖ YYMM ‖ service code ‖ discretionary data, F-padded (EMV Book 3 Annex A, tag 57).
  let s = `${spec.pan}D${spec.expiry.slice(0, 4)}${spec.serviceCode ?? '220'}00000000`;
  if (s.length % 2) s += 'F';
  return fromHex(s);
}

/** AIP: byte 1 = SDA 40 / DDA 20 / cardholder verification 10 / terminal risk management 08; CDA 01. */
function defaultAip(spec: ApplicationSpec): Uint8Array {
  const oda = spec.oda.method === 'sda' ? 0x40 : spec.oda.method === 'fdda' || spec.oda.method === 'dda' ? 0x20 : 0;
  return new Uint8Array([0x18 | oda, 0x00]);
}

function fci(spec: ApplicationSpec, aid: Uint8Array): Uint8Array {
  const w = T(256);
  w.open(0x6f).put(0x84, aid).open(0xa5);
  w.put(0x50, new TextEncoder().encode(spec.label));
  w.putByte(0x87, spec.priority);
  w.put(0x9f38, pdolOf(spec));
  w.put(0x5f2d, new TextEncoder().encode('zh'));
  w.open(0xbf0c);
  if (spec.log) w.put(0x9f4d, new Uint8Array([spec.log.sfi, spec.log.records]));
  if (spec.extendedApp) w.put(0xdf61, fromHex(spec.extendedApp.df61));
  w.close().close().close();
  return w.toBytes();
}

function pdolOf(spec: ApplicationSpec): Uint8Array {
  return spec.oda.algorithm === 'sm2' ? QPBOC_SM_PDOL : QPBOC_PDOL;
}

function record(build: (w: TlvWriter) => void): Uint8Array {
  const w = T(600);
  w.open(0x70);
  build(w);
  w.close();
  return w.toBytes();
}

/** Value of a record's 70 template (the SFI 1–10 static-data contribution, facts §2.6). */
function templateValue(rec: Uint8Array): Uint8Array {
  let p = 1;
  let len = rec[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | rec[p++]!;
  }
  return rec.slice(p, p + len);
}

function tagNumber(hex: string): number {
  return parseInt(hex, 16);
}

export function buildApplicationImage(spec: ApplicationSpec): ApplicationImage {
  const aid = fromHex(spec.aid);
  const aip = spec.aip ? fromHex(spec.aip) : defaultAip(spec);
  const t2 = track2(spec);
  const psn = fromHex(spec.psn);
  const odaOn = spec.oda.method !== 'none';

  const sfi1 = record((w) => {
    w.put(0x57, t2);
    if (spec.cardholderName) w.put(0x5f20, new TextEncoder().encode(spec.cardholderName));
    w.put(0x9f51, fromHex(spec.currency));
  });
  const sfi2 = record((w) => {
    w.put(0x5f24, fromHex(spec.expiry));
    w.put(0x5f25, fromHex(spec.effective));
    w.put(0x5a, panToCn(spec.pan));
    w.put(0x5f34, psn);
    w.put(0x9f07, fromHex('FF00'));
    w.put(0x5f28, fromHex(spec.country));
    w.put(0x9f08, fromHex('0030'));
    if (odaOn) w.put(0x9f4a, new Uint8Array([0x82]));
    for (const [tag, v] of Object.entries(spec.extraData ?? {})) w.put(tagNumber(tag), fromHex(v));
  });
  const staticData = odaOn ? concatBytes(templateValue(sfi2), aip) : new Uint8Array(0);

  const records = new Map<number, Uint8Array[]>([
    [1, [sfi1]],
    [2, [sfi2]],
  ]);
  let iccKey: RsaPrivateKey | null = null;
  let iccSm2Key: Sm2TestKey | null = null;
  if (odaOn && spec.oda.algorithm === 'sm2') {
    const sm = buildSmRecords(spec, staticData);
    records.set(3, sm.records);
    iccSm2Key = sm.iccKey;
  } else if (odaOn) {
    const oda = spec.oda;
    const ca = loadRsaKey(oda.ca!);
    const issuer = loadRsaKey(oda.issuerKey!);
    const issuerCert = buildIssuerCert({
      ca,
      issuer: publicParts(issuer),
      issuerId: panToCn(spec.pan.slice(0, 6), 4),
      expiry: fromHex(oda.issuerCert!.expiry),
      serial: fromHex(oda.issuerCert!.serial),
      corruptHash: spec.defects?.corruptIssuerCertHash ?? false,
    });
    const issuerPub = publicParts(issuer);
    const sfi3: Uint8Array[] = [record((w) => w.put(0x90, issuerCert.cert))];
    sfi3.push(
      record((w) => {
        w.putByte(0x8f, capkIndexOf(oda.ca!));
        if (issuerCert.remainder.length) w.put(0x92, issuerCert.remainder);
        w.put(0x9f32, issuerPub.exponent);
        if (oda.method === 'sda') w.put(0x93, buildSsad(issuer, sha1(staticData).subarray(0, 2), staticData));
      }),
    );
    if (oda.method === 'fdda' || oda.method === 'dda') {
      iccKey = loadRsaKey(oda.iccKey!);
      const iccPub = publicParts(iccKey);
      const iccCert = buildIccCert({
        issuer,
        icc: iccPub,
        pan: panToCn(spec.defects?.iccCertPan ?? spec.pan, 10),
        expiry: fromHex(oda.iccCert!.expiry),
        serial: fromHex(oda.iccCert!.serial),
        staticData,
      });
      sfi3.push(
        record((w) => {
          w.put(0x9f46, iccCert.cert);
          w.put(0x9f47, iccPub.exponent);
          if (iccCert.remainder.length) w.put(0x9f48, iccCert.remainder);
          if (oda.method === 'dda') w.put(0x9f49, fromHex('9F3704'));
        }),
      );
    }
    records.set(3, sfi3);
  }

  const aflEntries: number[] = [0x08, 1, 1, 0, 0x10, 1, 1, odaOn ? 1 : 0];
  if (records.has(3)) aflEntries.push(0x18, 1, records.get(3)!.length, 0);
  if (spec.defects?.extraAflRecord) aflEntries.push(0x10, 2, 2, 0); // SFI 2 has no record 2 → 6A83 on read
  const afl = new Uint8Array(aflEntries);
  const last = afl.length - 4;

  const capp = new Map<number, CappFile>();
  for (const f of spec.extendedApp?.files ?? []) {
    const keys = new Map<string, Uint8Array>();
    for (const r of f.records) keys.set(r.id.toUpperCase(), fromHex(r.key));
    capp.set(f.sfi, { sfi: f.sfi, recordLength: f.recordLength, keys });
  }

  const pdol = parseDol(pdolOf(spec));
  return {
    spec,
    aid,
    fci: fci(spec, aid),
    pdol,
    pdolLength: pdol.reduce((n, e) => n + e.len, 0),
    records,
    afl,
    lastRecord: { sfi: afl[last]! >> 3, record: afl[last + 2]! },
    staticData,
    aip,
    track2: t2,
    psn,
    ctq: fromHex(spec.ctq),
    productId: new Uint8Array(16),
    acKey: fromHex(spec.keys.ac),
    iccKey,
    iccSm2Key,
    logSfi: spec.log?.sfi ?? 0,
    logRecords: spec.log?.records ?? 0,
    capp,
  };
}

/**
 * SM2 ODA records (facts §3.1, built with kernels/oda/sm-cert-builder): SFI 3 rec 1 70{90 (format 12)},
 * rec 2 70{8F [93 (format 13)]}, rec 3 70{9F46 (format 14)} for fDDA/DDA. No exponents or remainders.
 */
function buildSmRecords(spec: ApplicationSpec, staticData: Uint8Array): { records: Uint8Array[]; iccKey: Sm2TestKey | null } {
  const oda = spec.oda;
  const ca = loadSm2Key(oda.ca!);
  const issuer = loadSm2Key(oda.issuerKey!);
  const issuerCert = buildSmIssuerCertificate({
    caPrivateKey: ca.privateKey,
    issuerId: spec.pan.slice(0, 6),
    expiry: oda.issuerCert!.expiry,
    serial: oda.issuerCert!.serial,
    issuerPublicKey: issuer.publicKey,
  });
  // corruptIssuerCertHash (RSA's name) and corruptIssuerCertSignature both alter the signature (s, last byte).
  if (spec.defects?.corruptIssuerCertHash || spec.defects?.corruptIssuerCertSignature) issuerCert[issuerCert.length - 1]! ^= 0x01;
  const records = [record((w) => w.put(0x90, issuerCert))];
  records.push(
    record((w) => {
      w.putByte(0x8f, smCapkIndexOf(oda.ca!));
      if (oda.method === 'sda') w.put(0x93, buildSmSsad({ issuerPrivateKey: issuer.privateKey, dac: sha1(staticData).subarray(0, 2), staticData }));
    }),
  );
  let iccKey: Sm2TestKey | null = null;
  if (oda.method === 'fdda' || oda.method === 'dda') {
    iccKey = loadSm2Key(oda.iccKey!);
    const cert = buildSmIccCertificate({
      issuerPrivateKey: issuer.privateKey,
      pan: spec.defects?.iccCertPan ?? spec.pan,
      expiry: oda.iccCert!.expiry,
      serial: oda.iccCert!.serial,
      iccPublicKey: iccKey.publicKey,
      staticData,
    });
    records.push(
      record((w) => {
        w.put(0x9f46, cert);
        if (oda.method === 'dda') w.put(0x9f49, fromHex('9F3704'));
      }),
    );
    // sdadSigningKey defect: the certificate above certifies oda.iccKey, but the card signs its SDAD
    // (GPO fDDA, INTERNAL AUTHENTICATE) with another key, so the dynamic signature does not verify.
    const wrong = spec.defects?.sdadSigningKey;
    if (wrong !== undefined) iccKey = { privateKey: loadSm2Key(wrong).privateKey, publicKey: iccKey.publicKey };
  }
  return { records, iccKey };
}

/** The PPSE directory (facts §1.2): 6F{84 "2PAY.SYS.DDF01", A5{BF0C{61{4F, 50, 87}…}}}. */
export function buildPpse(apps: ApplicationSpec[]): Uint8Array {
  const w = T(1024);
  w.open(0x6f).put(0x84, new TextEncoder().encode('2PAY.SYS.DDF01')).open(0xa5).open(0xbf0c);
  for (const a of apps) {
    w.open(0x61).put(0x4f, fromHex(a.aid)).put(0x50, new TextEncoder().encode(a.label)).putByte(0x87, a.priority).close();
  }
  w.close().close().close();
  return w.toBytes();
}

export { LOG_FORMAT };
