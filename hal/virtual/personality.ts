/**
 * The card personality: what a virtual QuickPass card is personalised with (schema documented in
 * test-vectors/cards/README.md). `validatePersonality` checks a parsed JSON object and throws a
 * ShanfuError('config.invalid') naming the offending field.
 */
import { ShanfuError } from '../../kernels/util/errors.js';
import type { FaultSpec } from './faults.js';
import { CARD_PROCESSING_MICROS } from './latency.js';

export type OdaMethod = 'none' | 'sda' | 'fdda' | 'dda';

export type CappRecordSpec = { id: string; key: string; data?: string };
export type CappFileSpec = { sfi: number; recordLength: number; records: CappRecordSpec[] };

export type ApplicationSpec = {
  aid: string;
  label: string;
  priority: number;
  blocked?: boolean;
  pan: string;
  psn: string;
  /** YYMMDD. */
  expiry: string;
  /** YYMMDD. */
  effective: string;
  cardholderName?: string;
  serviceCode?: string;
  /** n3 as 4 hex digits, e.g. "0156". 9F51. */
  currency: string;
  /** n3 as 4 hex digits. 5F28. */
  country: string;
  /** Electronic cash (facts §1.10); absent = no EC, the card never approves offline. */
  ec?: { balance: number; balanceLimit: number; singleLimit: number; resetThreshold: number };
  /** Issuer policy: `alwaysOnline` = never approve offline (ARQC, or AAC on offline-only readers). */
  policy?: { alwaysOnline?: boolean };
  keys: { ac: string };
  oda: {
    method: OdaMethod;
    /** rsa (default) or sm2 (JR/T 0025.17: SM certificates, DF69 in the PDOL). */
    algorithm?: 'rsa' | 'sm2';
    fddaVersions?: ('00' | '01')[];
    ca?: string;
    issuerKey?: string;
    iccKey?: string;
    issuerCert?: { serial: string; expiry: string };
    iccCert?: { serial: string; expiry: string };
  };
  ctq: string;
  aip?: string;
  dki?: string;
  sendCid?: boolean;
  sendAvailableOffline?: boolean;
  log?: { sfi: number; records: number };
  extendedApp?: { df61: string; offsetLimit: number; offsetUsed?: number; files: CappFileSpec[] };
  /** Extra data elements (tag → hex value) personalised into the ODA record (SFI 2 record 1). */
  extraData?: Record<string, string>;
  /** Deliberate faults in the personalised data, for the "broken" personalities. */
  defects?: {
    corruptIssuerCertHash?: boolean;
    iccCertPan?: string;
    omitGpoTags?: string[];
    duplicateGpoTags?: string[];
    malformedGpo?: boolean;
    extraAflRecord?: boolean;
    /** SM2 only: one bit of the issuer certificate's (format 12) SM2 signature flipped after signing. */
    corruptIssuerCertSignature?: boolean;
    /**
     * SM2 only (fdda / dda): the card signs its SDAD (format 15) with this test key (an SM2 key name
     * in test-vectors/pki other than `oda.iccKey`) while the ICC certificate certifies `oda.iccKey`,
     * so the dynamic signature does not verify.
     */
    sdadSigningKey?: string;
  };
};

export type Personality = {
  name: string;
  description: string;
  atr?: string;
  /** A phone wallet (HCE): consumer-device CVM, slower, may be locked (answers GPO 6986). */
  phone?: { locked: boolean; autoUnlock: boolean };
  timing?: { bitRateKbps?: number; processingMicros?: Record<string, number> };
  applications: ApplicationSpec[];
  faults?: FaultSpec[];
};

const HEX = /^[0-9A-Fa-f]*$/;

class Check {
  constructor(private readonly who: string) {}
  fail(path: string, why: string): never {
    throw new ShanfuError('config.invalid', `personality ${this.who}: ${path}: ${why}`);
  }
  obj(v: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected an object');
    // A misspelt field would silently fall back to a default: refuse it.
    if (known)
      for (const k of Object.keys(v))
        if (!known.includes(k)) this.fail(path === '(root)' ? k : `${path}.${k}`, `unknown field (known: ${known.join(', ')})`);
    return v as Record<string, unknown>;
  }
  str(v: unknown, path: string, re?: RegExp, hint?: string): string {
    if (typeof v !== 'string') this.fail(path, 'expected a string');
    if (re && !re.test(v)) this.fail(path, `${JSON.stringify(v)} is not ${hint ?? re.source}`);
    return v;
  }
  hex(v: unknown, path: string, bytes?: number | [number, number]): string {
    const s = this.str(v, path);
    if (!HEX.test(s) || s.length % 2) this.fail(path, `${JSON.stringify(s)} is not hex with an even number of digits`);
    const n = s.length / 2;
    if (typeof bytes === 'number' && n !== bytes) this.fail(path, `expected ${bytes} bytes of hex, got ${n}`);
    if (Array.isArray(bytes) && (n < bytes[0] || n > bytes[1])) this.fail(path, `expected ${bytes[0]}..${bytes[1]} bytes of hex, got ${n}`);
    return s;
  }
  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  }
  bool(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'expected true or false');
    return v;
  }
  arr(v: unknown, path: string, min = 0): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    if (v.length < min) this.fail(path, `expected at least ${min} entries`);
    return v;
  }
  date(v: unknown, path: string): string {
    const s = this.str(v, path, /^\d{6}$/, 'a YYMMDD date');
    const mm = +s.slice(2, 4);
    const dd = +s.slice(4, 6);
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31) this.fail(path, `${s} is not a valid YYMMDD date`);
    return s;
  }
}

const MAX_AMOUNT = 999_999_999_999;

/** Validates a parsed personality; returns it typed. Throws ShanfuError('config.invalid') naming the field. */
export function validatePersonality(raw: unknown, source = 'personality'): Personality {
  const c = new Check(source);
  const p = c.obj(raw, '(root)', ['$comment', 'name', 'description', 'atr', 'phone', 'timing', 'applications', 'faults']);
  c.str(p.name, 'name', /^[a-z0-9-]+$/, 'a lowercase name (a-z, 0-9, -)');
  c.str(p.description, 'description');
  if (p.atr !== undefined) c.hex(p.atr, 'atr', [2, 33]);
  if (p.phone !== undefined) {
    const ph = c.obj(p.phone, 'phone', ['locked', 'autoUnlock']);
    c.bool(ph.locked, 'phone.locked');
    c.bool(ph.autoUnlock, 'phone.autoUnlock');
  }
  if (p.timing !== undefined) {
    const t = c.obj(p.timing, 'timing', ['bitRateKbps', 'processingMicros']);
    if (t.bitRateKbps !== undefined && ![106, 212, 424, 848].includes(t.bitRateKbps as number))
      c.fail('timing.bitRateKbps', `expected 106, 212, 424 or 848, got ${JSON.stringify(t.bitRateKbps)}`);
    if (t.processingMicros !== undefined) {
      const pm = c.obj(t.processingMicros, 'timing.processingMicros', Object.keys(CARD_PROCESSING_MICROS));
      for (const [k, v] of Object.entries(pm)) c.int(v, `timing.processingMicros.${k}`, 0, 10_000_000);
    }
  }
  const apps = c.arr(p.applications, 'applications', 1);
  apps.forEach((a, i) => validateApplication(c, a, `applications[${i}]`));
  if (p.faults !== undefined) c.arr(p.faults, 'faults').forEach((f, i) => validateFault(c, f, `faults[${i}]`));
  return raw as Personality;
}

function validateApplication(c: Check, raw: unknown, at: string): void {
  const a = c.obj(raw, at, [
    'aid', 'label', 'priority', 'blocked', 'pan', 'psn', 'expiry', 'effective', 'cardholderName', 'serviceCode', 'currency', 'country',
    'ec', 'policy', 'keys', 'oda', 'ctq', 'aip', 'dki', 'sendCid', 'sendAvailableOffline', 'log', 'extendedApp', 'extraData', 'defects',
  ]);
  c.hex(a.aid, `${at}.aid`, [5, 16]);
  c.str(a.label, `${at}.label`, /^[\x20-\x7e]{1,16}$/, '1..16 printable ASCII characters');
  c.int(a.priority, `${at}.priority`, 1, 15);
  if (a.blocked !== undefined) c.bool(a.blocked, `${at}.blocked`);
  c.str(a.pan, `${at}.pan`, /^\d{12,19}$/, 'a PAN of 12..19 digits');
  c.str(a.psn, `${at}.psn`, /^\d{2}$/, 'two digits');
  c.date(a.expiry, `${at}.expiry`);
  c.date(a.effective, `${at}.effective`);
  if (a.cardholderName !== undefined) c.str(a.cardholderName, `${at}.cardholderName`, /^[\x20-\x7e]{2,26}$/, '2..26 printable ASCII characters');
  if (a.serviceCode !== undefined) c.str(a.serviceCode, `${at}.serviceCode`, /^\d{3}$/, 'three digits');
  c.str(a.currency, `${at}.currency`, /^0\d{3}$/, 'an n3 code as 4 digits, e.g. "0156"');
  c.str(a.country, `${at}.country`, /^0\d{3}$/, 'an n3 code as 4 digits, e.g. "0156"');
  if (a.ec !== undefined) {
    const ec = c.obj(a.ec, `${at}.ec`, ['balance', 'balanceLimit', 'singleLimit', 'resetThreshold']);
    for (const k of ['balance', 'balanceLimit', 'singleLimit', 'resetThreshold']) c.int(ec[k], `${at}.ec.${k}`, 0, MAX_AMOUNT);
    if ((ec.balance as number) > (ec.balanceLimit as number)) c.fail(`${at}.ec.balance`, 'exceeds ec.balanceLimit');
  }
  if (a.policy !== undefined) {
    const po = c.obj(a.policy, `${at}.policy`, ['alwaysOnline']);
    if (po.alwaysOnline !== undefined) c.bool(po.alwaysOnline, `${at}.policy.alwaysOnline`);
  }
  const keys = c.obj(a.keys, `${at}.keys`, ['ac']);
  c.hex(keys.ac, `${at}.keys.ac`, 16);
  const oda = c.obj(a.oda, `${at}.oda`, ['method', 'algorithm', 'fddaVersions', 'ca', 'issuerKey', 'iccKey', 'issuerCert', 'iccCert']);
  const method = c.str(oda.method, `${at}.oda.method`, /^(none|sda|fdda|dda)$/, 'one of none, sda, fdda, dda');
  if (oda.algorithm !== undefined && oda.algorithm !== 'rsa' && oda.algorithm !== 'sm2')
    c.fail(`${at}.oda.algorithm`, `expected "rsa" or "sm2", got ${JSON.stringify(oda.algorithm)}`);
  if (method !== 'none') {
    c.str(oda.ca, `${at}.oda.ca`, /^[a-z0-9-]+$/, 'a key name from test-vectors/pki');
    c.str(oda.issuerKey, `${at}.oda.issuerKey`, /^[a-z0-9-]+$/, 'a key name from test-vectors/pki');
    const ic = c.obj(oda.issuerCert, `${at}.oda.issuerCert`, ['serial', 'expiry']);
    c.hex(ic.serial, `${at}.oda.issuerCert.serial`, 3);
    c.str(ic.expiry, `${at}.oda.issuerCert.expiry`, /^(0[1-9]|1[0-2])\d\d$/, 'MMYY');
  }
  if (method === 'fdda' || method === 'dda') {
    c.str(oda.iccKey, `${at}.oda.iccKey`, /^[a-z0-9-]+$/, 'a key name from test-vectors/pki');
    const cc = c.obj(oda.iccCert, `${at}.oda.iccCert`, ['serial', 'expiry']);
    c.hex(cc.serial, `${at}.oda.iccCert.serial`, 3);
    c.str(cc.expiry, `${at}.oda.iccCert.expiry`, /^(0[1-9]|1[0-2])\d\d$/, 'MMYY');
  }
  if (method === 'fdda') {
    const v = c.arr(oda.fddaVersions, `${at}.oda.fddaVersions`, 1);
    v.forEach((x, i) => c.str(x, `${at}.oda.fddaVersions[${i}]`, /^0[01]$/, '"00" or "01"'));
  }
  c.hex(a.ctq, `${at}.ctq`, 2);
  if (a.aip !== undefined) c.hex(a.aip, `${at}.aip`, 2);
  if (a.dki !== undefined) c.hex(a.dki, `${at}.dki`, 1);
  if (a.sendCid !== undefined) c.bool(a.sendCid, `${at}.sendCid`);
  if (a.sendAvailableOffline !== undefined) c.bool(a.sendAvailableOffline, `${at}.sendAvailableOffline`);
  if (a.log !== undefined) {
    const l = c.obj(a.log, `${at}.log`, ['sfi', 'records']);
    c.int(l.sfi, `${at}.log.sfi`, 11, 30);
    c.int(l.records, `${at}.log.records`, 1, 50);
  }
  if (a.extendedApp !== undefined) {
    const x = c.obj(a.extendedApp, `${at}.extendedApp`, ['df61', 'offsetLimit', 'offsetUsed', 'files']);
    c.hex(x.df61, `${at}.extendedApp.df61`, 1);
    c.int(x.offsetLimit, `${at}.extendedApp.offsetLimit`, 0, MAX_AMOUNT);
    if (x.offsetUsed !== undefined) c.int(x.offsetUsed, `${at}.extendedApp.offsetUsed`, 0, MAX_AMOUNT);
    c.arr(x.files, `${at}.extendedApp.files`, 1).forEach((f, i) => {
      const fp = `${at}.extendedApp.files[${i}]`;
      const fo = c.obj(f, fp, ['sfi', 'recordLength', 'records']);
      c.int(fo.sfi, `${fp}.sfi`, 1, 30);
      const len = c.int(fo.recordLength, `${fp}.recordLength`, 4, 239);
      c.arr(fo.records, `${fp}.records`, 1).forEach((r, j) => {
        const rp = `${fp}.records[${j}]`;
        const ro = c.obj(r, rp, ['id', 'key', 'data']);
        c.hex(ro.id, `${rp}.id`, 2);
        c.hex(ro.key, `${rp}.key`, 16);
        if (ro.data !== undefined) c.hex(ro.data, `${rp}.data`, len);
      });
    });
  }
  if (a.extraData !== undefined) {
    const x = c.obj(a.extraData, `${at}.extraData`);
    for (const [k, v] of Object.entries(x)) {
      c.str(k, `${at}.extraData key`, /^[0-9A-F]{2,6}$/, 'an uppercase hex tag');
      c.hex(v, `${at}.extraData.${k}`);
    }
  }
  if (a.defects !== undefined) {
    const d = c.obj(a.defects, `${at}.defects`, [
      'corruptIssuerCertHash', 'iccCertPan', 'omitGpoTags', 'duplicateGpoTags', 'malformedGpo', 'extraAflRecord',
      'corruptIssuerCertSignature', 'sdadSigningKey',
    ]);
    for (const k of ['corruptIssuerCertHash', 'malformedGpo', 'extraAflRecord', 'corruptIssuerCertSignature']) if (d[k] !== undefined) c.bool(d[k], `${at}.defects.${k}`);
    // SM2-only defects: refuse them on RSA cards rather than ignore them.
    for (const k of ['corruptIssuerCertSignature', 'sdadSigningKey'])
      if (d[k] !== undefined && oda.algorithm !== 'sm2') c.fail(`${at}.defects.${k}`, 'only for SM2 cards (oda.algorithm "sm2")');
    if (d.corruptIssuerCertSignature === true && method === 'none') c.fail(`${at}.defects.corruptIssuerCertSignature`, 'the card has no issuer certificate (oda.method "none")');
    if (d.sdadSigningKey !== undefined) {
      const k = c.str(d.sdadSigningKey, `${at}.defects.sdadSigningKey`, /^[a-z0-9-]+$/, 'an SM2 key name from test-vectors/pki');
      if (method !== 'fdda' && method !== 'dda') c.fail(`${at}.defects.sdadSigningKey`, 'only for fdda / dda cards (the card signs no SDAD otherwise)');
      if (k === oda.iccKey) c.fail(`${at}.defects.sdadSigningKey`, 'is oda.iccKey: the SDAD would verify');
    }
    if (d.iccCertPan !== undefined) c.str(d.iccCertPan, `${at}.defects.iccCertPan`, /^\d{12,19}$/, 'a PAN');
    for (const k of ['omitGpoTags', 'duplicateGpoTags'])
      if (d[k] !== undefined) c.arr(d[k], `${at}.defects.${k}`).forEach((t, i) => c.str(t, `${at}.defects.${k}[${i}]`, /^[0-9A-F]{2,6}$/, 'an uppercase hex tag'));
  }
}

const FAULT_ACTIONS = ['status', 'truncate', 'mutate', 'chain61', 'wrongLe', 'delay', 'leaveField'];

function validateFault(c: Check, raw: unknown, at: string): void {
  const f = c.obj(raw, at, ['command', 'ins', 'action', 'times', 'skip', 'sw', 'bytes', 'offset', 'xor', 'chunk', 'micros', 'processed']);
  if (f.command === undefined && f.ins === undefined) c.fail(at, 'needs "command" (1-based number since power-on) or "ins" (hex)');
  if (f.command !== undefined) c.int(f.command, `${at}.command`, 1, 10_000);
  if (f.ins !== undefined) c.hex(f.ins, `${at}.ins`, 1);
  const action = c.str(f.action, `${at}.action`);
  if (!FAULT_ACTIONS.includes(action)) c.fail(`${at}.action`, `expected one of ${FAULT_ACTIONS.join(', ')}`);
  if (action === 'status') c.hex(f.sw, `${at}.sw`, 2);
  if (action === 'truncate') c.int(f.bytes, `${at}.bytes`, 1, 1000);
  if (action === 'mutate') {
    c.int(f.offset, `${at}.offset`, 0, 1000);
    c.int(f.xor, `${at}.xor`, 1, 255);
  }
  if (action === 'chain61' && f.chunk !== undefined) c.int(f.chunk, `${at}.chunk`, 1, 256);
  if (action === 'delay') c.int(f.micros, `${at}.micros`, 0, 10_000_000);
  if (action === 'leaveField' && f.processed !== undefined) c.bool(f.processed, `${at}.processed`);
  if (f.times !== undefined) c.int(f.times, `${at}.times`, 1, 10_000);
  if (f.skip !== undefined) c.int(f.skip, `${at}.skip`, 0, 10_000);
}
