/**
 * Personalities load and validate (errors name the field), every shipped personality answers a
 * full scripted tap, and the test PKI is what the CAPK list says.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createCard, listPersonalities, loadPersonality } from './personalities.js';
import { validatePersonality } from './personality.js';
import { TestTerminal } from './testing/terminal.js';
import { loadTestCapks } from './pki-store.js';

const SHIPPED = [
  'afl-absent-record', 'asks-online', 'bad-cert-hash', 'blocked-app', 'cash-to-contact', 'credit-no-ec', 'dda-debit', 'debit-ec',
  'duplicated-tag', 'ec-low-balance', 'ec-only', 'expired', 'malformed-tlv', 'metro-transit', 'missing-cryptogram',
  'missing-mandatory-tag', 'not-yet-effective', 'phone-wallet', 'phone-wallet-locked', 'quasi-credit',
  'revoked-issuer-serial', 'sda-debit', 'sm2-bad-issuer-signature', 'sm2-bad-sdad', 'sm2-debit', 'sm2-expired-icc-cert',
  'sm2-revoked-issuer-serial', 'sm2-wrong-pan-in-cert', 'two-aids', 'wrong-pan-in-cert',
];

/** Expected GPO / last-record outcome of a default tap (online-capable reader, ¥1.00). */
const EXPECTED: Record<string, { gpo: number; records?: number }> = {
  'asks-online': { gpo: 0x9000 }, // ARQC: no AFL
  'credit-no-ec': { gpo: 0x9000 },
  'two-aids': { gpo: 0x9000 }, // the terminal picks Credit (priority 1), no EC: ARQC
  'malformed-tlv': { gpo: 0x9000 },
  'blocked-app': { gpo: 0x6985 },
  'phone-wallet-locked': { gpo: 0x6986 },
  'afl-absent-record': { gpo: 0x9000, records: 0x6a83 },
};

describe('personalities', () => {
  it('lists every shipped personality', () => {
    expect(listPersonalities()).toEqual(SHIPPED);
  });

  it.each(SHIPPED)('%s: loads, and a scripted tap gets the expected status words', (name) => {
    const card = createCard(name);
    const exp = EXPECTED[name] ?? { gpo: 0x9000, records: 0x9000 };
    const tap = new TestTerminal(card).tap({ amount: 100 });
    expect(tap.sel.sw === 0x9000 || tap.sel.sw === 0x6283).toBe(true);
    expect(tap.gpo.sw).toBe(exp.gpo);
    expect(tap.gpoMalformed).toBe(name === 'malformed-tlv');
    if (exp.gpo === 0x9000 && !tap.gpoMalformed) expect(tap.g['94'] !== undefined, 'AFL present (TC)').toBe(exp.records !== undefined);
    if (exp.records !== undefined) expect(tap.recordSw).toBe(exp.records);
  });

  it('an unknown name lists the available ones', () => {
    expect(() => loadPersonality('no-such-card')).toThrow(/available: afl-absent-record, /);
    expect(() => loadPersonality('../pki/ca-rsa-1984')).toThrow(TypeError);
  });

  it('validation errors name the offending field', () => {
    const good = JSON.parse(readFileSync(new URL('../../test-vectors/cards/debit-ec.json', import.meta.url), 'utf8'));
    const broken = (mutate: (p: any) => void) => {
      const p = structuredClone(good);
      mutate(p);
      return () => validatePersonality(p, 'x');
    };
    expect(broken((p) => (p.applications[0].pan = '62284X'))).toThrow(/applications\[0\]\.pan: /);
    expect(broken((p) => (p.applications[0].keys.ac = 'ABCD'))).toThrow(/applications\[0\]\.keys\.ac: expected 16 bytes/);
    expect(broken((p) => (p.applications[0].expiry = '301332'))).toThrow(/applications\[0\]\.expiry: 301332 is not a valid YYMMDD/);
    expect(broken((p) => (p.applications[0].ec.balance = 200000))).toThrow(/applications\[0\]\.ec\.balance: exceeds ec\.balanceLimit/);
    expect(broken((p) => (p.applications[0].oda.method = 'cda'))).toThrow(/applications\[0\]\.oda\.method/);
    expect(broken((p) => delete p.applications[0].oda.iccKey)).toThrow(/applications\[0\]\.oda\.iccKey: expected a string/);
    expect(broken((p) => (p.applications = []))).toThrow(/applications: expected at least 1/);
    expect(broken((p) => (p.faults = [{ action: 'status', sw: '6A82' }]))).toThrow(/faults\[0\]: needs "command"/);
    expect(broken((p) => (p.timing = { bitRateKbps: 100 }))).toThrow(/timing\.bitRateKbps/);
    expect(broken((p) => (p.applications[0].blokced = true))).toThrow(/applications\[0\]\.blokced: unknown field/);
    expect(broken((p) => (p.applications[0].oda.icckey = 'x'))).toThrow(/applications\[0\]\.oda\.icckey: unknown field/);
    expect(broken((p) => (p.colour = 'red'))).toThrow(/personality x: colour: unknown field/);
    expect(broken(() => {})).not.toThrow();
  });
});

describe('test PKI', () => {
  it('the CAPK list checksums are SHA-1(RID ‖ index ‖ modulus ‖ exponent) of the committed CA keys', () => {
    const capks = loadTestCapks();
    expect(capks.map((c) => c.index)).toEqual(['F1', 'F2']);
    for (const c of capks) {
      const key = JSON.parse(readFileSync(new URL(`../../test-vectors/pki/${c.keyFile}`, import.meta.url), 'utf8'));
      expect(key.WARNING).toMatch(/TEST KEYS ONLY/);
      expect(c.modulus).toBe(key.n);
      expect(c.exponent).toBe('03');
      const sum = createHash('sha1').update(Buffer.from(c.rid + c.index + c.modulus + c.exponent, 'hex')).digest('hex').toUpperCase();
      expect(c.checksum).toBe(sum);
    }
    expect(capks[0]!.modulus.length / 2).toBe(248); // 1984 bits
    expect(capks[1]!.modulus.length / 2).toBe(176); // 1408 bits
  });

  it('the key files hold consistent RSA keys (m^(e·d) = m) of the documented sizes', () => {
    for (const [name, bytes, e] of [
      ['issuer-rsa-1408', 176, '03'],
      ['issuer-rsa-1152', 144, '03'],
      ['icc-rsa-1024-e3', 128, '03'],
      ['icc-rsa-1024-e65537', 128, '010001'],
      ['icc-rsa-768-e3', 96, '03'],
    ] as const) {
      const k = JSON.parse(readFileSync(new URL(`../../test-vectors/pki/${name}.json`, import.meta.url), 'utf8'));
      expect(k.n.length / 2, name).toBe(bytes);
      expect(k.e, name).toBe(e);
      const n = BigInt('0x' + k.n);
      const m = 0x1234567890abcdefn;
      let x = 1n;
      let b = m;
      for (let d = BigInt('0x' + k.d); d > 0n; d >>= 1n, b = (b * b) % n) if (d & 1n) x = (x * b) % n;
      let y = 1n;
      b = x;
      for (let ee = BigInt('0x' + k.e); ee > 0n; ee >>= 1n, b = (b * b) % n) if (ee & 1n) y = (y * b) % n;
      expect(y, name).toBe(m);
    }
  });
});
