/**
 * RSA ODA against a test PKI generated here (node:crypto keys; certificates from
 * rsa-cert-builder.ts): CA 1984-bit e=3, issuer 1408-bit e=3, ICC 1024-bit e=3 and e=65537, plus a
 * small 1024-bit chain whose keys need the 92 / 9F48 remainders. Every OdaReason is reached (the
 * last test checks that).
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { CapkStore, RevocationList, type CapkEntry } from './capk.js';
import { RsaOda, SdadKind, bcdDateToNumber, issuerIdMatchesPan, panEquals } from './cert.js';
import { OdaMethod, OdaReason, OdaStage, odaReasonText, odaStageText, odaTvrByte1 } from './cert-reasons.js';
import { buildIccCertificate, buildIssuerCertificate, buildSdad, buildSsad, cdaDynamicData, dynamicDataWithIdn, rsaPrivateKeyFromJwk, type RsaPrivateKey, type Tamper } from './rsa-cert-builder.js';
import { RsaKey } from './rsa.js';
import { fromHex, toHex } from '../util/hex.js';

function genKey(bits: number, e: number): RsaPrivateKey {
  return rsaPrivateKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }).privateKey.export({ format: 'jwk' }));
}

const CA = genKey(1984, 3);
const ISSUER = genKey(1408, 3);
const ICC3 = genKey(1024, 3);
const ICC65537 = genKey(1024, 65537);
const CA_SMALL = genKey(1024, 3);
const ISSUER_1024 = genKey(1024, 3);

const RID = 'A000000333';
const PAN = '6212345678901234';
const STATIC = '5A0862123456789012345F24032812319F0702FF00' + '7C00';
const TXN = 20261127;
const UN = '1A2B3C4D';

const store = new CapkStore();
const capk = store.add({ rid: RID, index: 0x0b, modulus: CA.modulus, exponent: CA.exponent, expiry: '20301231' });
const capkSmall = store.add({ rid: RID, index: 0x0a, modulus: CA_SMALL.modulus, exponent: CA_SMALL.exponent });

type Card = {
  capk: CapkEntry;
  pan: string;
  staticData: string;
  cert90?: Uint8Array;
  rem92?: Uint8Array;
  exp9F32?: Uint8Array;
  cert9F46?: Uint8Array;
  rem9F48?: Uint8Array;
  exp9F47?: Uint8Array;
  ssad93?: Uint8Array;
  sdad9F4B?: Uint8Array;
};

type CardOptions = {
  issuerTamper?: Tamper;
  iccTamper?: Tamper;
  issuerExpiry?: string;
  iccExpiry?: string;
  issuerId?: string;
  issuerExponent?: string;
  certPan?: string;
  small?: boolean;
  icc?: RsaPrivateKey;
};

function issuerCert(o: CardOptions) {
  return buildIssuerCertificate({
    ca: o.small ? CA_SMALL : CA,
    issuerModulus: (o.small ? ISSUER_1024 : ISSUER).modulus,
    issuerExponent: o.issuerExponent ?? '03',
    issuerId: o.issuerId ?? '621234',
    expiry: o.issuerExpiry ?? '1229',
    serial: '00A1B2',
    tamper: o.issuerTamper,
  });
}

function makeCard(o: CardOptions = {}): Card {
  const iss = issuerCert(o);
  const icc = o.icc ?? ICC3;
  const ic = buildIccCertificate({
    issuer: o.small ? ISSUER_1024 : ISSUER,
    iccModulus: icc.modulus,
    iccExponent: icc.exponent,
    pan: o.certPan ?? PAN,
    expiry: o.iccExpiry ?? '1228',
    serial: '000777',
    staticData: STATIC,
    tamper: o.iccTamper,
  });
  return { capk: o.small ? capkSmall : capk, pan: PAN, staticData: STATIC, cert90: iss.cert, rem92: iss.remainder, exp9F32: iss.exponent, cert9F46: ic.cert, rem9F48: ic.remainder, exp9F47: ic.exponent };
}

const oda = new RsaOda({ issuerCacheSize: 0 });
const seen = new Set<number>();

function load(card: Card, o: RsaOda = oda): RsaOda {
  o.reset();
  o.transactionDate = TXN;
  o.pan.set(fromHex(card.pan));
  o.staticData.set(fromHex(card.staticData));
  const set = (s: { set(b: Uint8Array): void; clear(): void }, v?: Uint8Array) => (v ? s.set(v) : s.clear());
  set(o.issuerCert, card.cert90);
  set(o.issuerRemainder, card.rem92);
  set(o.issuerExponent, card.exp9F32);
  set(o.iccCert, card.cert9F46);
  set(o.iccRemainder, card.rem9F48);
  set(o.iccExponent, card.exp9F47);
  set(o.ssad, card.ssad93);
  set(o.sdad, card.sdad9F4B);
  return o;
}

/** Runs `step`, records the reason, and checks reason + stage. */
function expectReason(r: number, reason: number, stage: number, o: RsaOda = oda): void {
  seen.add(r);
  expect(`${odaStageText(o.stage)}:${odaReasonText(r)}`).toBe(`${odaStageText(stage)}:${odaReasonText(reason)}`);
}

describe('SDA (Book 2 §5)', () => {
  const ssad = buildSsad({ issuer: ISSUER, dac: 'DAC1', staticData: STATIC });

  it('verifies the chain and returns the DAC and issuer certificate fields', () => {
    const o = load({ ...makeCard(), ssad93: ssad });
    expectReason(o.authenticate(OdaMethod.SDA, capk), OdaReason.Ok, OdaStage.Ssad);
    expect(toHex(o.dac)).toBe('DAC1');
    expect(toHex(o.issuerId)).toBe('621234FF');
    expect(toHex(o.issuerExpiry)).toBe('1229');
    expect(toHex(o.issuerSerial)).toBe('00A1B2');
    expect(toHex(o.issuerKey.modulus, 0, o.issuerKey.byteLength)).toBe(toHex(ISSUER.modulus));
    expect(o.issuerKey.exponent).toBe(3);
  });

  it('SSAD failures: altered static data, tampered header/trailer/format/hash indicator, wrong length, absent 93', () => {
    const card = makeCard();
    const run = (c: Card) => load(c).authenticate(OdaMethod.SDA, capk);
    expectReason(run({ ...card, ssad93: ssad, staticData: STATIC.replace(/00$/, '01') }), OdaReason.HashMismatch, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: buildSsad({ issuer: ISSUER, dac: '0000', staticData: STATIC, tamper: { corruptHash: true } }) }), OdaReason.HashMismatch, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: buildSsad({ issuer: ISSUER, dac: '0000', staticData: STATIC, tamper: { format: 0x05 } }) }), OdaReason.BadFormat, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: buildSsad({ issuer: ISSUER, dac: '0000', staticData: STATIC, tamper: { header: 0x6b } }) }), OdaReason.BadHeader, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: buildSsad({ issuer: ISSUER, dac: '0000', staticData: STATIC, tamper: { trailer: 0xbd } }) }), OdaReason.BadTrailer, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: buildSsad({ issuer: ISSUER, dac: '0000', staticData: STATIC, tamper: { hashAlgorithm: 0x02 } }) }), OdaReason.UnsupportedHashAlgorithm, OdaStage.Ssad);
    expectReason(run({ ...card, ssad93: ssad.subarray(1) }), OdaReason.LengthMismatch, OdaStage.Ssad);
    const r = run(card);
    expectReason(r, OdaReason.DataMissing, OdaStage.Ssad);
    expect(odaTvrByte1(OdaMethod.SDA, r)).toBe(0x60);
  });
});

describe('issuer public key certificate (Book 2 §5.3)', () => {
  const run = (card: Card, key: CapkEntry | null = card.capk) => load(card).recoverIssuerKey(key);

  it('each malformed certificate fails with its own reason', () => {
    expectReason(run(makeCard({ issuerTamper: { trailer: 0x00 } })), OdaReason.BadTrailer, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerTamper: { header: 0x00 } })), OdaReason.BadHeader, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerTamper: { format: 0x04 } })), OdaReason.BadFormat, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerTamper: { hashAlgorithm: 0x80 } })), OdaReason.UnsupportedHashAlgorithm, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerTamper: { pkAlgorithm: 0x80 } })), OdaReason.UnsupportedPkAlgorithm, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerTamper: { corruptHash: true } })), OdaReason.HashMismatch, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerExponent: '05' })), OdaReason.UnsupportedExponent, OdaStage.Issuer);
  });

  it('a certificate of the wrong length, or ≥ the CA modulus, is rejected before its content is read', () => {
    const card = makeCard();
    expectReason(run({ ...card, cert90: card.cert90!.subarray(0, 247) }), OdaReason.LengthMismatch, OdaStage.Issuer);
    expectReason(run({ ...card, cert90: new Uint8Array(248).fill(0xff) }), OdaReason.SignatureOutOfRange, OdaStage.Issuer);
  });

  it('9F32 altered: the hash covers the exponent', () => {
    expectReason(run({ ...makeCard(), exp9F32: fromHex('010001') }), OdaReason.HashMismatch, OdaStage.Issuer);
  });

  it('issuer identifier must match the PAN (F-padded compare)', () => {
    expectReason(run({ ...makeCard(), pan: '6213345678901234' }), OdaReason.IssuerIdMismatch, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerId: '62123456' })), OdaReason.Ok, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerId: '62123457' })), OdaReason.IssuerIdMismatch, OdaStage.Issuer);
  });

  it('expiry: valid through the end of the month MMYY, invalid BCD refused', () => {
    const card = makeCard({ issuerExpiry: '1126' }); // November 2026; TXN is 2026-11-27
    expectReason(run(card), OdaReason.Ok, OdaStage.Issuer);
    oda.transactionDate = 20261201;
    expectReason(oda.recoverIssuerKey(capk), OdaReason.CertificateExpired, OdaStage.Issuer);
    expect(odaReasonText(OdaReason.CertificateExpired)).toContain('expired');
    expectReason(run(makeCard({ issuerExpiry: '1A26' })), OdaReason.InvalidExpiryDate, OdaStage.Issuer);
    expectReason(run(makeCard({ issuerExpiry: '1326' })), OdaReason.InvalidExpiryDate, OdaStage.Issuer);
  });

  it('revocation list: RID + CA index + serial', () => {
    const revoked = new RsaOda({ issuerCacheSize: 0, revocations: new RevocationList() });
    revoked.revocations!.add(RID, 0x0b, '00A1B2');
    expectReason(load(makeCard(), revoked).recoverIssuerKey(capk), OdaReason.CertificateRevoked, OdaStage.Issuer, revoked);
    revoked.revocations = new RevocationList();
    revoked.revocations.add(RID, 0x0a, '00A1B2'); // other CA index: not this certificate
    expectReason(load(makeCard(), revoked).recoverIssuerKey(capk), OdaReason.Ok, OdaStage.Issuer, revoked);
  });

  it('CA key: missing, expired; data objects missing', () => {
    const card = makeCard();
    expectReason(run(card, null), OdaReason.CapkNotFound, OdaStage.Capk);
    const old = new CapkStore().add({ rid: RID, index: 0x0b, modulus: CA.modulus, exponent: CA.exponent, expiry: '261126' });
    expectReason(run(card, old), OdaReason.CapkExpired, OdaStage.Capk);
    const r = run({ ...card, exp9F32: undefined });
    expectReason(r, OdaReason.DataMissing, OdaStage.Issuer);
    expect(odaTvrByte1(OdaMethod.DDA, r)).toBe(0x28);
    expectReason(run({ ...card, cert90: undefined }), OdaReason.DataMissing, OdaStage.Issuer);
  });

  it('N_I > N_CA − 36: the key is completed by 92; missing or wrong-length 92 is refused', () => {
    const card = makeCard({ small: true });
    expect(card.rem92!.length).toBe(128 - (128 - 36));
    expectReason(run(card), OdaReason.Ok, OdaStage.Issuer);
    expect(toHex(oda.issuerKey.modulus, 0, oda.issuerKey.byteLength)).toBe(toHex(ISSUER_1024.modulus));
    expectReason(run({ ...card, rem92: undefined }), OdaReason.RemainderMissing, OdaStage.Issuer);
    expectReason(run({ ...card, rem92: card.rem92!.subarray(1) }), OdaReason.BadKeyLength, OdaStage.Issuer);
    const r = card.rem92!.slice();
    r[0]! ^= 1;
    expectReason(run({ ...card, rem92: r }), OdaReason.HashMismatch, OdaStage.Issuer);
  });

  it('a declared N_I larger than the certificate holds needs 92; one below 64 bytes is refused', () => {
    expectReason(run(makeCard({ issuerTamper: { declaredKeyLength: 220 } })), OdaReason.RemainderMissing, OdaStage.Issuer);
    // a declared key shorter than 512 bits is refused (MIN_KEY_BYTES), though the hash verifies
    expectReason(run(makeCard({ issuerTamper: { declaredKeyLength: 40 } })), OdaReason.BadKeyLength, OdaStage.Issuer);
  });
});

describe('ICC public key certificate (Book 2 §6.4)', () => {
  const run = (card: Card) => {
    const o = load(card);
    const r = o.recoverIssuerKey(card.capk);
    expect(r).toBe(OdaReason.Ok);
    return o.recoverIccKey();
  };

  it('recovers the ICC key, PAN, expiry and serial', () => {
    expectReason(run(makeCard()), OdaReason.Ok, OdaStage.Icc);
    expect(toHex(oda.iccKey.modulus, 0, oda.iccKey.byteLength)).toBe(toHex(ICC3.modulus));
    expect(toHex(oda.iccPan)).toBe(PAN + 'FFFF');
    expect(toHex(oda.iccExpiry)).toBe('1228');
    expect(toHex(oda.iccSerial)).toBe('000777');
  });

  it('failures: static data altered, PAN differs, expired, malformed', () => {
    expectReason(run({ ...makeCard(), staticData: STATIC.replace(/7C00$/, '7C01') }), OdaReason.HashMismatch, OdaStage.Icc);
    expectReason(run(makeCard({ certPan: '6212345678901235' })), OdaReason.PanMismatch, OdaStage.Icc);
    expectReason(run(makeCard({ certPan: '62123456789012345' })), OdaReason.PanMismatch, OdaStage.Icc);
    expectReason(run(makeCard({ iccExpiry: '1026' })), OdaReason.CertificateExpired, OdaStage.Icc);
    expectReason(run(makeCard({ iccExpiry: '0099' })), OdaReason.InvalidExpiryDate, OdaStage.Icc);
    expectReason(run(makeCard({ iccTamper: { format: 0x02 } })), OdaReason.BadFormat, OdaStage.Icc);
    expectReason(run(makeCard({ iccTamper: { trailer: 0x00 } })), OdaReason.BadTrailer, OdaStage.Icc);
    expectReason(run(makeCard({ iccTamper: { header: 0x00 } })), OdaReason.BadHeader, OdaStage.Icc);
    expectReason(run(makeCard({ iccTamper: { hashAlgorithm: 0x02 } })), OdaReason.UnsupportedHashAlgorithm, OdaStage.Icc);
    expectReason(run(makeCard({ iccTamper: { pkAlgorithm: 0x02 } })), OdaReason.UnsupportedPkAlgorithm, OdaStage.Icc);
    const card = makeCard();
    expectReason(run({ ...card, cert9F46: card.cert9F46!.subarray(0, 100) }), OdaReason.LengthMismatch, OdaStage.Icc);
    expectReason(run({ ...card, exp9F47: undefined }), OdaReason.DataMissing, OdaStage.Icc);
  });

  it('N_IC > N_I − 42: 9F48 completes the key (e=65537); missing 9F48 is refused', () => {
    const card = makeCard({ small: true, icc: ICC65537 });
    expect(card.rem9F48!.length).toBe(42);
    expectReason(run(card), OdaReason.Ok, OdaStage.Icc);
    expect(oda.iccKey.exponent).toBe(65537);
    expect(toHex(oda.iccKey.modulus, 0, 128)).toBe(toHex(ICC65537.modulus));
    expectReason(run({ ...card, rem9F48: undefined }), OdaReason.RemainderMissing, OdaStage.Icc);
    expectReason(run({ ...card, rem9F48: card.rem9F48!.subarray(2) }), OdaReason.BadKeyLength, OdaStage.Icc);
  });

  it('running a step before its key exists is reported, not thrown', () => {
    oda.reset();
    expectReason(oda.recoverIccKey(), OdaReason.KeyNotAvailable, OdaStage.Icc);
    expectReason(oda.verifySsad(), OdaReason.KeyNotAvailable, OdaStage.Ssad);
    expectReason(oda.verifySdad(SdadKind.DDA), OdaReason.KeyNotAvailable, OdaStage.Sdad);
  });
});

describe('signed dynamic data: DDA, fDDA, CDA (Book 2 §6.5, §6.6; reference §1.11)', () => {
  it('DDA with the DDOL data; a different unpredictable number fails', () => {
    const ddol = fromHex(UN);
    const card = { ...makeCard(), sdad9F4B: buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0102030405060708'), terminalDynamicData: ddol }) };
    const o = load(card);
    o.terminalDynamicData.set(ddol);
    expectReason(o.authenticate(OdaMethod.DDA, capk), OdaReason.Ok, OdaStage.Sdad);
    expect(toHex(o.idn, 0, o.idnLength)).toBe('0102030405060708');
    load(card).terminalDynamicData.set(fromHex('00000000'));
    expectReason(oda.authenticate(OdaMethod.DDA, capk), OdaReason.HashMismatch, OdaStage.Sdad);
    load(card);
    expectReason(oda.authenticate(OdaMethod.DDA, capk), OdaReason.DataMissing, OdaStage.Sdad);
  });

  it('fDDA 00 (9F37 only), ICC key e=65537, IDN = ATC', () => {
    const card = { ...makeCard({ icc: ICC65537 }), sdad9F4B: buildSdad({ icc: ICC65537, iccDynamicData: dynamicDataWithIdn('0012'), terminalDynamicData: UN }) };
    load(card).unpredictableNumber.set(fromHex(UN));
    expectReason(oda.authenticate(OdaMethod.FDDA, capk), OdaReason.Ok, OdaStage.Sdad);
    expect(toHex(oda.idn, 0, oda.idnLength)).toBe('0012');
    load(card).unpredictableNumber.set(fromHex('1A2B3C4E'));
    expectReason(oda.authenticate(OdaMethod.FDDA, capk), OdaReason.HashMismatch, OdaStage.Sdad);
  });

  it('fDDA 01: 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69; the amount is covered', () => {
    const amount = '000000000150', currency = '0156', cad = '01' + 'CAFEBABE' + '8000' + '00';
    const card = { ...makeCard(), sdad9F4B: buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0013'), terminalDynamicData: UN + amount + currency + cad }) };
    const setUp = (amt: string) => {
      const o = load(card);
      o.unpredictableNumber.set(fromHex(UN));
      o.amount.set(fromHex(amt));
      o.currency.set(fromHex(currency));
      o.cardAuthData.set(fromHex(cad));
      return o;
    };
    expectReason(setUp(amount).authenticate(OdaMethod.FDDA, capk), OdaReason.Ok, OdaStage.Sdad);
    expectReason(setUp('000000000151').authenticate(OdaMethod.FDDA, capk), OdaReason.HashMismatch, OdaStage.Sdad);
    setUp(amount).amount.clear();
    expectReason(oda.authenticate(OdaMethod.FDDA, capk), OdaReason.DataMissing, OdaStage.Sdad);
  });

  it('CDA: CID, AC and transaction data hash; CID ≠ 9F27 and altered transaction data fail', () => {
    const txData = '0000000001000000000000000156' + '9F2701409F360200109F1007060A0A03A00000';
    const ac = '16AFBA13C52FB173';
    const card = { ...makeCard(), sdad9F4B: buildSdad({ icc: ICC3, iccDynamicData: cdaDynamicData({ idn: '00000010', cid: 0x40, ac, transactionData: txData }), terminalDynamicData: UN }) };
    const setUp = (cid: string, td: string) => {
      const o = load(card);
      o.unpredictableNumber.set(fromHex(UN));
      o.cid.set(fromHex(cid));
      o.cdaTransactionData.set(fromHex(td));
      return o;
    };
    expectReason(setUp('40', txData).authenticate(OdaMethod.CDA, capk), OdaReason.Ok, OdaStage.Sdad);
    expect(oda.cdaCid).toBe(0x40);
    expect(toHex(oda.ac)).toBe(ac);
    expect(toHex(oda.idn, 0, oda.idnLength)).toBe('00000010');
    const r = setUp('80', txData).authenticate(OdaMethod.CDA, capk);
    expectReason(r, OdaReason.CidMismatch, OdaStage.Sdad);
    expect(odaTvrByte1(OdaMethod.CDA, r)).toBe(0x04);
    expectReason(setUp('40', txData.replace(/^00/, '01')).authenticate(OdaMethod.CDA, capk), OdaReason.TransactionDataHashMismatch, OdaStage.Sdad);
    // ICC Dynamic Data too short to hold CID + AC + TDHC
    const shortCard = { ...card, sdad9F4B: buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0010'), terminalDynamicData: UN }) };
    load(shortCard).unpredictableNumber.set(fromHex(UN));
    oda.cid.set(fromHex('40'));
    oda.cdaTransactionData.set(fromHex(txData));
    expectReason(oda.authenticate(OdaMethod.CDA, capk), OdaReason.BadDynamicDataLength, OdaStage.Sdad);
  });

  it('SDAD structure: L_DD beyond the block, IDN length 0, wrong format, wrong length', () => {
    const base = makeCard();
    const check = (sdad: Uint8Array, reason: number) => {
      load({ ...base, sdad9F4B: sdad }).terminalDynamicData.set(fromHex(UN));
      expectReason(oda.authenticate(OdaMethod.DDA, capk), reason, OdaStage.Sdad);
    };
    check(buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('0001'), terminalDynamicData: UN, declaredDynamicDataLength: 120 }), OdaReason.BadDynamicDataLength);
    check(buildSdad({ icc: ICC3, iccDynamicData: '00', terminalDynamicData: UN }), OdaReason.BadDynamicDataLength);
    check(buildSdad({ icc: ICC3, iccDynamicData: '0201', terminalDynamicData: UN }), OdaReason.BadDynamicDataLength);
    check(buildSdad({ icc: ICC3, iccDynamicData: '020001', terminalDynamicData: UN, tamper: { format: 0x03 } }), OdaReason.BadFormat);
    check(buildSdad({ icc: ICC3, iccDynamicData: '020001', terminalDynamicData: UN, tamper: { header: 0x00 } }), OdaReason.BadHeader);
    check(buildSdad({ icc: ICC3, iccDynamicData: '020001', terminalDynamicData: UN, tamper: { trailer: 0x00 } }), OdaReason.BadTrailer);
    check(buildSdad({ icc: ICC3, iccDynamicData: '020001', terminalDynamicData: UN, tamper: { hashAlgorithm: 0x02 } }), OdaReason.UnsupportedHashAlgorithm);
    check(new Uint8Array(129), OdaReason.LengthMismatch);
    check(new Uint8Array(128).fill(0xff), OdaReason.SignatureOutOfRange);
  });

  it('a known ICC key (useIccKey) skips the certificates', () => {
    const sdad = buildSdad({ icc: ICC3, iccDynamicData: dynamicDataWithIdn('ABCD'), terminalDynamicData: UN });
    oda.reset();
    oda.useIccKey(RsaKey.from(ICC3.modulus, ICC3.exponent));
    oda.sdad.set(sdad);
    oda.terminalDynamicData.set(fromHex(UN));
    expectReason(oda.verifySdad(SdadKind.DDA), OdaReason.Ok, OdaStage.Sdad);
  });
});

describe('issuer public key cache', () => {
  it('a repeat card is served from the cache; the per-card checks still run', () => {
    const cached = new RsaOda({ issuerCacheSize: 2 });
    const card = makeCard();
    expectReason(load(card, cached).recoverIssuerKey(capk), OdaReason.Ok, OdaStage.Issuer, cached);
    expect(cached.issuerFromCache).toBe(false);
    expectReason(load(card, cached).recoverIssuerKey(capk), OdaReason.Ok, OdaStage.Issuer, cached);
    expect(cached.issuerFromCache).toBe(true);
    expect(cached.cache.hits).toBe(1);
    expect(toHex(cached.issuerSerial)).toBe('00A1B2');
    expect(toHex(cached.issuerKey.modulus, 0, 176)).toBe(toHex(ISSUER.modulus));
    // the cached key verifies the ICC certificate
    expectReason(cached.recoverIccKey(), OdaReason.Ok, OdaStage.Icc, cached);
    // expiry and PAN are checked against this card and day, not the cached verdict
    load(card, cached).transactionDate = 20300101;
    expectReason(cached.recoverIssuerKey(capk), OdaReason.CertificateExpired, OdaStage.Issuer, cached);
    expect(cached.issuerFromCache).toBe(true);
    expectReason(load({ ...card, pan: '9999345678901234' }, cached).recoverIssuerKey(capk), OdaReason.IssuerIdMismatch, OdaStage.Issuer, cached);
    // a failed check leaves no usable key
    expectReason(cached.recoverIccKey(), OdaReason.KeyNotAvailable, OdaStage.Icc, cached);
  });

  it('only an identical certificate hits; a changed byte, 9F32 or CA index misses', () => {
    const cached = new RsaOda({ issuerCacheSize: 4 });
    const card = makeCard();
    load(card, cached).recoverIssuerKey(capk);
    const altered = card.cert90!.slice();
    altered[100]! ^= 1;
    expect(load({ ...card, cert90: altered }, cached).recoverIssuerKey(capk)).not.toBe(OdaReason.Ok);
    expect(cached.issuerFromCache).toBe(false);
    expect(load({ ...card, exp9F32: fromHex('010001') }, cached).recoverIssuerKey(capk)).toBe(OdaReason.HashMismatch);
    const otherIndex = new CapkStore().add({ rid: RID, index: 0x0c, modulus: CA.modulus, exponent: CA.exponent });
    expect(load(card, cached).recoverIssuerKey(otherIndex)).toBe(OdaReason.Ok);
    expect(cached.issuerFromCache).toBe(false);
  });

  it('is bounded: the least recently used entry is replaced', () => {
    const cached = new RsaOda({ issuerCacheSize: 2 });
    const cards = [makeCard({ issuerExpiry: '1227' }), makeCard({ issuerExpiry: '1228' }), makeCard({ issuerExpiry: '1229' })];
    for (const c of cards) expect(load(c, cached).recoverIssuerKey(capk)).toBe(OdaReason.Ok);
    expect(cached.cache.slots.filter((s) => s.used)).toHaveLength(2);
    load(cards[0]!, cached).recoverIssuerKey(capk);
    expect(cached.issuerFromCache).toBe(false); // evicted
    load(cards[2]!, cached).recoverIssuerKey(capk);
    expect(cached.issuerFromCache).toBe(true);
  });
});

describe('helpers', () => {
  it('issuer id / PAN comparisons', () => {
    expect(issuerIdMatchesPan(fromHex('427655FF'), fromHex('4276550000000000'), 0, 8)).toBe(true);
    expect(issuerIdMatchesPan(fromHex('42FFFFFF'), fromHex('4276550000000000'), 0, 8)).toBe(false); // fewer than 3 digits
    expect(panEquals(fromHex('4276550000000000FFFF'), fromHex('4276550000000000'), 0, 8)).toBe(true);
    expect(panEquals(fromHex('427655000000000FFFFF'), fromHex('427655000000000F'), 0, 8)).toBe(true);
    expect(panEquals(fromHex('427655000000000FFFFF'), fromHex('4276550000000000'), 0, 8)).toBe(false);
    expect(bcdDateToNumber(fromHex('261127'), 0)).toBe(20261127);
    expect(bcdDateToNumber(fromHex('991231'), 0)).toBe(19991231);
    expect(bcdDateToNumber(fromHex('261327'), 0)).toBe(-1);
  });

  it('reason and stage texts are distinct; TVR bits per method', () => {
    const codes = Object.values(OdaReason);
    expect(new Set(codes.map(odaReasonText)).size).toBe(codes.length);
    expect(odaTvrByte1(OdaMethod.SDA, OdaReason.HashMismatch)).toBe(0x40);
    expect(odaTvrByte1(OdaMethod.FDDA, OdaReason.HashMismatch)).toBe(0x08);
    expect(odaTvrByte1(OdaMethod.CDA, OdaReason.DataMissing)).toBe(0x24);
    expect(odaTvrByte1(OdaMethod.CDA, OdaReason.Ok)).toBe(0);
  });
});

// Runs last (vitest runs a file's tests in order): every reason code was produced above.
it('every OdaReason is reached by a test in this file', () => {
  const missing = Object.entries(OdaReason).filter(([, c]) => !seen.has(c)).map(([n]) => n);
  expect(missing).toEqual([]);
});
