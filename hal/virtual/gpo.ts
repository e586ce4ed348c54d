/**
 * GET PROCESSING OPTIONS, card side: parses the PDOL data (83 template), decides like a qPBOC card
 * (facts §1.10 card-side offline rule), computes the cryptogram and IAD (§1.9), signs fDDA (§1.11)
 * and builds the format-2 response template 77 (§1.7).
 */
import { TlvWriter } from '../../kernels/tlv/writer.js';
import { SW } from './status-words.js';
import { aesCmac, sha1 } from './card-crypto.js';
import { amountToBcd, bcdToNumber, uintBytes } from './codec.js';
import { buildSdad } from './rsa-signing.js';
import { buildSmSdad } from '../../kernels/oda/sm-cert-builder.js';
import type { ApplicationImage } from './card-image.js';
import type { ApplicationState, PendingTransaction } from './card-state.js';
import { concatBytes } from '../../kernels/util/hex.js';
import { bytesEqual } from '../../kernels/util/hex.js';

export type Decision = 'TC' | 'ARQC' | 'AAC';

/** CVR byte 2, bits 0x30 (facts §1.9): 00 AAC, 10 TC, 20 ARQC; 0x80 = 2nd GEN AC not requested. */
const CVR_DECISION: Record<Decision, number> = { AAC: 0x80, TC: 0x90, ARQC: 0xa0 };
/** 9F27 CID: 00 AAC, 40 TC, 80 ARQC. */
const CID: Record<Decision, number> = { AAC: 0x00, TC: 0x40, ARQC: 0x80 };

/** Splits PDOL data into values by tag. Returns null when the length does not match the PDOL. */
export function parsePdolData(img: ApplicationImage, cmdData: Uint8Array): Map<number, Uint8Array> | null {
  // Command data = 83 L <values> (short or 81-form length, facts §1.2).
  if (cmdData.length < 2 || cmdData[0] !== 0x83) return null;
  let p = 1;
  let len = cmdData[p++]!;
  if (len === 0x81) len = cmdData[p++]!;
  else if (len > 0x80) return null;
  if (p + len !== cmdData.length || len !== img.pdolLength) return null;
  const values = new Map<number, Uint8Array>();
  for (const e of img.pdol) {
    values.set(e.tag, cmdData.slice(p, p + e.len));
    p += e.len;
  }
  return values;
}

export type GpoInputs = {
  ttq: Uint8Array;
  amount: number;
  currency: Uint8Array;
  cappIndicator: number;
};

/**
 * The GPO inputs the card decides on. DF60 counts only on a card with the extended application,
 * and only for 01–03; other values are treated as 00 (JCA ignores them, facts §4.2).
 */
export function gpoInputs(img: ApplicationImage, values: Map<number, Uint8Array>): GpoInputs {
  const df60 = values.get(0xdf60)?.[0] ?? 0;
  return {
    ttq: values.get(0x9f66)!,
    amount: bcdToNumber(values.get(0x9f02)!),
    currency: values.get(0x5f2a)!,
    cappIndicator: img.spec.extendedApp && df60 >= 1 && df60 <= 3 ? df60 : 0,
  };
}

/**
 * The card's decision (facts §1.10): TC only when the reader allows offline (offline-only reader,
 * TTQ 1 b4, or no "online cryptogram required", TTQ 2 b8), the currency matches 9F51, and the
 * amount fits the EC balance (plus the extended app's remaining offset allowance DF62 − DF63 for
 * DF60 ≠ 00, §4.5) and the single-transaction limit 9F78. Otherwise ARQC when the reader can go
 * online, AAC when it is offline-only.
 */
export function decide(img: ApplicationImage, st: ApplicationState, inp: GpoInputs): Decision {
  const spec = img.spec;
  const offlineOnlyReader = (inp.ttq[0]! & 0x08) !== 0;
  const onlineRequired = (inp.ttq[1]! & 0x80) !== 0;
  const readerAllowsOffline = offlineOnlyReader || !onlineRequired;
  const ec = spec.ec;
  let offlineOk = false;
  if (ec && readerAllowsOffline && !spec.policy?.alwaysOnline && !Number.isNaN(inp.amount)) {
    const currencyOk = bytesEqual(inp.currency, 0, new Uint8Array([parseInt(spec.currency.slice(0, 2), 16), parseInt(spec.currency.slice(2), 16)]), 0, 2);
    const offsetRoom = spec.extendedApp && inp.cappIndicator !== 0 ? spec.extendedApp.offsetLimit - st.offsetUsed : 0;
    // A completion (DF60 = 03) spends the amount held by the oldest pre-authorisation first.
    const held = inp.cappIndicator === 3 && st.preauths.length ? st.preauths[0]!.amount : 0;
    const fundsOk = inp.amount <= st.ecBalance + held + Math.max(0, offsetRoom);
    offlineOk = currencyOk && fundsOk && inp.amount <= ec.singleLimit;
  }
  if (offlineOk) return 'TC';
  return offlineOnlyReader ? 'AAC' : 'ARQC';
}

/** CVR (4 bytes, facts §1.9): 03 ‖ byte 2 (decision) ‖ 00 ‖ 00. */
export function cvrFor(decision: Decision): Uint8Array {
  return new Uint8Array([0x03, CVR_DECISION[decision], 0x00, 0x00]);
}

/**
 * Application cryptogram, CVN 01 input (facts §1.9): 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36 CVR.
 * Our card MACs it with AES-CMAC under the card's AC key and keeps the leftmost 8 bytes.
 */
export function applicationCryptogram(img: ApplicationImage, values: Map<number, Uint8Array>, atc: number, cvr: Uint8Array): Uint8Array {
  const input = concatBytes(
    values.get(0x9f02)!,
    values.get(0x9f03)!,
    values.get(0x9f1a)!,
    values.get(0x95)!,
    values.get(0x5f2a)!,
    values.get(0x9a)!,
    values.get(0x9c)!,
    values.get(0x9f37)!,
    img.aip,
    uintBytes(atc, 2),
    cvr,
  );
  return aesCmac(img.acKey, input, 8);
}

/**
 * IAD 9F10 (facts §1.9): 07 ‖ DKI ‖ CVN 01 ‖ CVR(4) ‖ algorithm 01 ‖ IDD length 0A ‖ IDD type 01 (EC
 * balance) ‖ balance (5 bytes BCD) ‖ 4-byte MAC over the balance (our card: AES-CMAC, [?] JR/T layout).
 */
export function issuerApplicationData(img: ApplicationImage, cvr: Uint8Array, balance: number): Uint8Array {
  const bal = amountToBcd(balance, 5);
  const mac = aesCmac(img.acKey, bal, 4);
  const dki = img.spec.dki ? parseInt(img.spec.dki, 16) : 0x01;
  return concatBytes(new Uint8Array([0x07, dki, 0x01]), cvr, new Uint8Array([0x01, 0x0a, 0x01]), bal, mac);
}

/** The card's own unpredictable number for 9F69 (deterministic per ATC so runs replay). */
function cardUnpredictableNumber(img: ApplicationImage, atc: number): Uint8Array {
  return sha1(img.acKey, uintBytes(atc, 2)).slice(0, 4);
}

export type GpoResult = { sw: number; data: Uint8Array | null; pending: PendingTransaction | null; signed: boolean };

/** Builds the format-2 GPO response for a decided transaction. */
export function buildGpoResponse(
  img: ApplicationImage,
  st: ApplicationState,
  values: Map<number, Uint8Array>,
  decision: Decision,
  atc: number,
  phone: boolean,
): GpoResult {
  const spec = img.spec;
  const inp = gpoInputs(img, values);
  const cvr = cvrFor(decision);
  // A completion (DF60 = 03) releases the oldest hold before it spends (commit.ts): report that balance.
  const released = inp.cappIndicator === 3 && st.preauths.length ? st.preauths[0]!.amount : 0;
  const balanceAfter = decision === 'TC' ? Math.max(0, st.ecBalance + released - inp.amount) : st.ecBalance;
  const iad = issuerApplicationData(img, cvr, balanceAfter);
  const ac = applicationCryptogram(img, values, atc, cvr);
  const ctq = img.ctq.slice();
  if (phone) ctq[1]! |= 0x80; // CTQ 2 b8: consumer device CVM performed (facts §1.8)
  const omit = new Set((spec.defects?.omitGpoTags ?? []).map((t) => parseInt(t, 16)));
  const dup = new Set((spec.defects?.duplicateGpoTags ?? []).map((t) => parseInt(t, 16)));
  const w = new TlvWriter(1024, 4);
  const put = (tag: number, v: Uint8Array) => {
    if (omit.has(tag)) return;
    w.put(tag, v);
    if (dup.has(tag)) w.put(tag, v);
  };
  const atcBytes = uintBytes(atc, 2);
  const ecAvailable = spec.ec && spec.sendAvailableOffline !== false ? amountToBcd(balanceAfter) : null;
  let signed = false;
  w.open(0x77);
  if (decision === 'TC') {
    // 77{82, 94, 9F36, 9F26, 9F10, 57, 5F34, [9F4B], 9F6C, [9F5D], [9F69]} (facts §1.7)
    put(0x82, img.aip);
    put(0x94, img.afl);
    put(0x9f36, atcBytes);
    if (spec.sendCid) put(0x9f27, new Uint8Array([CID[decision]]));
    put(0x9f26, ac);
    put(0x9f10, iad);
    put(0x57, img.track2);
    put(0x5f34, img.psn);
    // SM2 cards sign only for a terminal that announced SM support (DF69 = 01, facts §3.1).
    const smTerminal = (values.get(0xdf69)?.[0] ?? 0) === 0x01;
    if (spec.oda.method === 'fdda' && (img.iccKey || (img.iccSm2Key && smTerminal))) {
      const v01 = (inp.ttq[3]! & 0x80) !== 0 && (spec.oda.fddaVersions ?? []).includes('01');
      let cardAuthData: Uint8Array | null = null;
      let tdd = values.get(0x9f37)!;
      if (v01) {
        // 9F69 = 01 ‖ card UN(4) ‖ CTQ(2) ‖ DF61 value (facts §1.11, JCA layout)
        const df61 = spec.extendedApp ? parseInt(spec.extendedApp.df61, 16) : 0;
        cardAuthData = concatBytes(new Uint8Array([0x01]), cardUnpredictableNumber(img, atc), ctq, new Uint8Array([df61]));
        tdd = concatBytes(values.get(0x9f37)!, values.get(0x9f02)!, values.get(0x5f2a)!, cardAuthData);
      }
      // ICC dynamic data = 02 ‖ ATC (facts §1.11: ICC Dynamic Number = ATC)
      put(
        0x9f4b,
        img.iccKey
          ? buildSdad(img.iccKey, concatBytes(new Uint8Array([0x02]), atcBytes), tdd)
          : buildSmSdad({ iccPrivateKey: img.iccSm2Key!.privateKey, iccDynamicNumber: atcBytes, terminalDynamicData: tdd }),
      );
      signed = true;
      put(0x9f6c, ctq);
      if (ecAvailable) put(0x9f5d, ecAvailable);
      if (cardAuthData) put(0x9f69, cardAuthData);
    } else {
      put(0x9f6c, ctq);
      if (ecAvailable) put(0x9f5d, ecAvailable);
    }
  } else {
    // 77{82, 9F36, 57, 9F10, 9F26, 9F63, 5F34, 9F6C, [9F5D]} — no AFL (facts §1.7)
    put(0x82, img.aip);
    put(0x9f36, atcBytes);
    put(0x57, img.track2);
    put(0x9f10, iad);
    if (spec.sendCid) put(0x9f27, new Uint8Array([CID[decision]]));
    put(0x9f26, ac);
    put(0x9f63, img.productId);
    put(0x5f34, img.psn);
    put(0x9f6c, ctq);
    if (ecAvailable) put(0x9f5d, ecAvailable);
  }
  w.close();
  let data = w.toBytes();
  if (spec.defects?.malformedGpo) {
    // The template's length claims 8 bytes more than follow (a TLV length overrun).
    data = data.slice();
    if (data[1] === 0x81) data[2] = Math.min(0xff, data[2]! + 8);
    else data[1] = data[1]! + 8;
  }
  const pending: PendingTransaction = {
    decision,
    atc,
    amount: inp.amount,
    cappIndicator: inp.cappIndicator,
    cryptogram: ac,
    pdol: values,
    cappCache: null,
    committed: false,
    lastRecordResponse: null,
  };
  return { sw: SW.OK, data, pending, signed };
}
