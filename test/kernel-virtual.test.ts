/**
 * The kernel against the QuickPass virtual card (hal/virtual) with every shipped personality and the
 * real RSA ODA engine (kernels/oda) through RsaOdaProvider, on an offline-only transit reader and an
 * online-capable reader. One kernel per reader serves every tap (state must not leak between taps).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCard, listPersonalities } from '../hal/virtual/personalities.js';
import type { FaultSpec } from '../hal/virtual/faults.js';
import { CapkStore, RevocationList } from '../kernels/oda/index.js';
import { SmCapkStore } from '../kernels/oda/sm-capk.js';
import { Action, KernelFailure, QuickPassKernel, RsaOdaProvider, SmOdaProvider, outcomeName, reasonName } from '../kernels/qpboc/index.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../src/config/oda-provider.js';

const capks = new CapkStore();
capks.loadJson(readFileSync('test-vectors/pki/capk-test.json', 'utf8'));
const revocations = new RevocationList();
for (const r of JSON.parse(readFileSync('test-vectors/pki/revoked-test.json', 'utf8')) as { rid: string; index: string; serial: string }[])
  revocations.add(r.rid, r.index, r.serial);

const smCapks = new SmCapkStore();
for (const k of JSON.parse(readFileSync('test-vectors/pki/capk-sm-test.json', 'utf8')) as { rid: string; index: string; publicKey: string; expiry?: string }[])
  smCapks.add({ rid: k.rid, index: k.index, publicKey: k.publicKey, expiry: k.expiry });

const AIDS = ['A000000333010101', 'A000000333010102', 'A000000333010103', 'A000000333010106'].map((aid) => ({
  aid, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000,
}));
const offlineReader = new QuickPassKernel(validateConfig({ ttq: '28000080', offlineOnly: true, aids: AIDS }), {
  oda: new RsaOdaProvider(capks, { revocations, sm: new SmOdaProvider(smCapks) }),
  clock: () => Date.UTC(2026, 10, 27, 2, 0, 0),
});
const onlineReader = new QuickPassKernel(validateConfig({ ttq: '36000080', offlineOnly: false, contactSupported: true, aids: AIDS }), {
  oda: new RsaOdaProvider(capks, { revocations }),
  clock: () => Date.UTC(2026, 10, 27, 2, 0, 0),
});

function tapCard(k: QuickPassKernel, name: string, amount: number, faults: FaultSpec[] = []) {
  const card = createCard(name, { faults });
  card.powerOn();
  k.begin({ amount });
  while (k.action === Action.Transmit) {
    const r = card.transmit(k.tx.slice(0, k.txLen));
    if (r === null) {
      k.fail(KernelFailure.CardRemoved);
      break;
    }
    k.rx.set(r);
    k.receive(r.length);
  }
  return card;
}

// [personality, offline-only reader, online-capable reader] → "outcome reason".
const EXPECTED: [string, string, string][] = [
  ['afl-absent-record', 'end-application record-not-found', 'end-application record-not-found'],
  ['asks-online', 'declined card-declined', 'online-request online-authorisation'],
  ['bad-cert-hash', 'declined oda-failed', 'online-request oda-failed-online'],
  ['blocked-app', 'end-application no-application', 'end-application no-application'],
  ['credit-no-ec', 'declined card-declined', 'online-request online-authorisation'],
  ['dda-debit', 'approved approved-offline', 'approved approved-offline'],
  ['debit-ec', 'approved approved-offline', 'approved approved-offline'],
  ['duplicated-tag', 'end-application duplicate-data', 'end-application duplicate-data'],
  ['ec-low-balance', 'declined card-declined', 'online-request online-authorisation'],
  ['ec-only', 'approved approved-offline', 'approved approved-offline'],
  ['expired', 'declined application-expired', 'declined application-expired'],
  ['malformed-tlv', 'end-application gpo-malformed', 'end-application gpo-malformed'],
  ['metro-transit', 'approved approved-offline', 'approved approved-offline'],
  ['missing-cryptogram', 'end-application missing-mandatory-data', 'try-another-interface try-another-interface-requested'],
  ['missing-mandatory-tag', 'end-application missing-mandatory-data', 'end-application missing-mandatory-data'],
  ['not-yet-effective', 'declined application-not-effective', 'declined application-not-effective'],
  ['phone-wallet', 'approved approved-offline', 'approved approved-offline'],
  ['phone-wallet-locked', 'try-again see-phone', 'try-again see-phone'],
  ['quasi-credit', 'approved approved-offline', 'approved approved-offline'],
  ['revoked-issuer-serial', 'declined oda-failed', 'online-request oda-failed-online'],
  ['sda-debit', 'approved approved-offline', 'approved approved-offline'],
  ['sm2-bad-issuer-signature', 'declined oda-failed', 'online-request oda-failed-online'],
  ['sm2-bad-sdad', 'declined oda-failed', 'online-request oda-failed-online'],
  ['sm2-debit', 'approved approved-offline', 'online-request oda-failed-online'],
  ['sm2-expired-icc-cert', 'declined oda-failed', 'online-request oda-failed-online'],
  // sm2-revoked-issuer-serial: below, with the terminal-config reader (this file's offline reader's SM engine has no revocation list)
  ['sm2-wrong-pan-in-cert', 'declined oda-failed', 'online-request oda-failed-online'],
  ['two-aids', 'declined card-declined', 'online-request online-authorisation'],
  ['wrong-pan-in-cert', 'declined oda-failed', 'online-request oda-failed-online'],
];

describe('kernel × virtual card personalities (real RSA and SM2 ODA)', () => {
  it('every shipped personality (including ones added after this table) ends in exactly one outcome', () => {
    for (const name of listPersonalities()) {
      for (const k of [offlineReader, onlineReader]) {
        tapCard(k, name, 1000);
        expect(k.action, name).toBe(Action.Done);
        expect(k.outcome, name).toBeGreaterThan(0);
      }
    }
  });

  for (const [name, offline, online] of EXPECTED) {
    it(`${name}: offline-only → ${offline}; online-capable → ${online}`, () => {
      tapCard(offlineReader, name, 1000);
      expect(`${outcomeName(offlineReader.outcome)} ${reasonName(offlineReader.reason)}`).toBe(offline);
      tapCard(onlineReader, name, 1000);
      expect(`${outcomeName(onlineReader.outcome)} ${reasonName(onlineReader.reason)}`).toBe(online);
    });
  }

  it('debit-ec approval: balance, ATC, masked PAN, fDDA performed, card debited', () => {
    const card = tapCard(offlineReader, 'debit-ec', 1000);
    const k = offlineReader;
    expect(k.balanceAfter).toBe(49000);
    expect(k.balanceBefore).toBe(50000);
    expect(k.atc).toBe(1);
    expect(k.maskedPan()).toMatch(/^622848\*+\d{4}$/);
    expect(k.tsi[0]! & 0x80).toBe(0x80);
    expect(k.tvr[0]!).toBe(0);
    expect(card.state.apps['A000000333010101']!.ecBalance).toBe(49000);
  });

  it('ODA failures carry the engine reason (bad-cert-hash → hash-mismatch, TVR DDA failed)', () => {
    tapCard(offlineReader, 'bad-cert-hash', 1000);
    expect(offlineReader.oda!.reasonText(offlineReader.odaFailure)).toMatch(/hash/);
    expect(offlineReader.tvr[0]! & 0x08).toBe(0x08);
  });

  it('sm2-debit: SM fDDA with the SM engine; the RSA-only reader reports the missing SM engine', () => {
    tapCard(offlineReader, 'sm2-debit', 1000);
    expect(offlineReader.tsi[0]! & 0x80).toBe(0x80);
    expect(offlineReader.tvr[0]!).toBe(0);
    tapCard(onlineReader, 'sm2-debit', 1000);
    expect(onlineReader.oda!.reasonText(onlineReader.odaFailure)).toBe('SM data, no SM engine configured');
  });

  // Broken SM2 cards on the offline-only reader: declined, ODA failed, with the SM engine's reason.
  for (const [name, reason] of [
    ['sm2-bad-issuer-signature', 'sm: signature invalid'],
    ['sm2-wrong-pan-in-cert', 'sm: PAN does not match certificate'],
    ['sm2-expired-icc-cert', 'sm: expired'],
    ['sm2-bad-sdad', 'sm: signature invalid'],
  ] as const) {
    it(`${name}: offline-only → declined oda-failed, reason "${reason}", TVR DDA failed`, () => {
      tapCard(offlineReader, name, 1000);
      const k = offlineReader;
      expect(`${outcomeName(k.outcome)} ${reasonName(k.reason)}`).toBe('declined oda-failed');
      expect(k.oda!.reasonText(k.odaFailure)).toBe(reason);
      expect(k.tvr[0]! & 0x08).toBe(0x08);
    });
  }

  it('two-aids selects the priority-1 Credit application first', () => {
    tapCard(onlineReader, 'two-aids', 1000);
    expect(Buffer.from(onlineReader.aid.subarray(0, onlineReader.aidLength)).toString('hex').toUpperCase()).toBe('A000000333010102');
  });
});

describe('broken SM2 cards with the terminal configuration path (withTestPki → createOdaProvider)', () => {
  // The ODA engine as `shanfu pay` builds it: test-vectors/pki/revoked-test.json feeds both the RSA
  // and the SM revocation lists (the SM entry: CA F3, serial 0DEAD3).
  const config = withTestPki(validateConfig({ ttq: '28000080', offlineOnly: true, smSupported: true, aids: AIDS }));
  const reader = new QuickPassKernel(config, { oda: createOdaProvider(config), clock: () => Date.UTC(2026, 10, 27, 2, 0, 0) });

  it.each([
    ['sm2-debit', 'approved approved-offline', ''],
    ['sm2-bad-issuer-signature', 'declined oda-failed', 'sm: signature invalid'],
    ['sm2-wrong-pan-in-cert', 'declined oda-failed', 'sm: PAN does not match certificate'],
    ['sm2-revoked-issuer-serial', 'declined oda-failed', 'sm: certificate revoked'],
    ['sm2-expired-icc-cert', 'declined oda-failed', 'sm: expired'],
    ['sm2-bad-sdad', 'declined oda-failed', 'sm: signature invalid'],
    ['revoked-issuer-serial', 'declined oda-failed', null],
  ] as const)('%s → %s %s', (name, outcome, reason) => {
    tapCard(reader, name, 1000);
    expect(`${outcomeName(reader.outcome)} ${reasonName(reader.reason)}`).toBe(outcome);
    if (reason === '') expect(reader.odaFailure).toBe(0);
    else if (reason !== null) expect(reader.oda!.reasonText(reader.odaFailure)).toBe(reason);
  });

  it('sm2-revoked-issuer-serial is only refused by a terminal that has the list: an SM engine without one approves it', () => {
    tapCard(offlineReader, 'sm2-revoked-issuer-serial', 1000);
    expect(`${outcomeName(offlineReader.outcome)} ${reasonName(offlineReader.reason)}`).toBe('approved approved-offline');
    tapCard(onlineReader, 'sm2-revoked-issuer-serial', 1000);
    expect(`${outcomeName(onlineReader.outcome)} ${reasonName(onlineReader.reason)}`).toBe('online-request oda-failed-online');
  });
});

describe('card removal against the virtual card (qpboc-facts §7.2)', () => {
  it('card leaves before the last record: torn, and the card did not debit', () => {
    const card = tapCard(offlineReader, 'debit-ec', 1000, [{ command: 6, action: 'leaveField' }]);
    expect(outcomeName(offlineReader.outcome)).toBe('try-again');
    expect(offlineReader.torn).toBe(true);
    expect(offlineReader.atc).toBe(1);
    expect(card.state.apps['A000000333010101']!.ecBalance).toBe(50000);
  });

  it('last record processed but its response lost: torn (state uncertain), and the card did debit', () => {
    const k = offlineReader;
    tapCard(k, 'debit-ec', 1000); // count the commands of a full tap
    const last = k.apduCount;
    const card = tapCard(k, 'debit-ec', 1000, [{ command: last, action: 'leaveField', processed: true }]);
    expect(k.torn).toBe(true);
    expect(card.state.apps['A000000333010101']!.ecBalance).toBe(49000);
    expect(k.balanceBefore).toBe(50000);
  });

  it('card leaves at GPO: not torn', () => {
    tapCard(offlineReader, 'debit-ec', 1000, [{ command: 3, action: 'leaveField' }]);
    expect(reasonName(offlineReader.reason)).toBe('card-removed');
    expect(offlineReader.torn).toBe(false);
  });
});
