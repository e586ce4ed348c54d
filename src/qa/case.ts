/**
 * The QA case format (test-vectors/README.md): one file per case — what it covers, the terminal, the
 * transaction inputs that make the tap deterministic, the card (a virtual personality with faults, a
 * scripted card or a recorded trace) and the expected result. `validateCase` checks a parsed file and
 * throws CaseFormatError naming the offending field, so a broken case is reported, not guessed at.
 */
import type { FaultSpec } from '../../hal/virtual/faults.js';
import { OUTCOME_NAMES, REASONS, CRYPTOGRAM_NAMES } from '../../kernels/qpboc/outcome.js';
import type { TransportErrorCode } from '../../hal/transport.js';

export class CaseFormatError extends Error {
  readonly field: string;
  constructor(source: string, field: string, message: string) {
    super(`${source}: ${field}: ${message}`);
    this.name = 'CaseFormatError';
    this.field = field;
  }
}

/** A terminal: a preset name (src/qa/presets.ts) or a preset plus config fields and a deny list. */
export type TerminalSpec = {
  preset: string;
  /** Terminal config fields (src/config/README.md) replacing the preset's. */
  config: Record<string, unknown>;
  /** PAN (digits) + optional PSN (2 hex digits) pairs on the deny list. */
  denyList: { pan: string; psn?: string }[];
  /** Load the test PKI (CA keys, revocation list); default true. */
  testPki: boolean;
};

/** One scripted exchange: the R-APDU (hex) the card answers, or a transport error; `c` is checked when given. */
export type ScriptStep = { c?: string; r: string | null; error?: TransportErrorCode; us?: number };

export type CardSpec =
  | { kind: 'virtual'; personality: string | Record<string, unknown>; faults: FaultSpec[]; state?: unknown; bitRateKbps?: 106 | 212 | 424 | 848 }
  | { kind: 'script'; steps: ScriptStep[]; atr?: string; source: string };

/** Commands a scripted hook sends, then how it ends its step. */
export type HookStepSpec = {
  send: string[];
  /** 'continue' (return 0), 'fail' (return -1 → hook-failed), or end the tap with an outcome + reason (k.endTap). */
  then: 'continue' | 'fail' | { outcome: string; reason: string };
  setAmount?: number;
  cappIndicator?: number;
};
export type HookSpec = { beforeGpo?: HookStepSpec; afterGpo?: HookStepSpec };

export type TransactionSpec = {
  amount: number;
  amountOther: number;
  /** 9C as a byte (0x00 purchase). */
  type: number;
  cappIndicator: number;
  /** yyyymmdd, terminal local time. */
  date: string;
  /** hhmmss, terminal local time. */
  time: string;
  /** 9F37, 8 hex digits. */
  unpredictableNumber: string;
};

export type Expectation = {
  outcome: string;
  reason: string;
  cryptogram?: string;
  tvr?: string;
  tsi?: string;
  atc?: number | null;
  balanceAfter?: number | null;
  balanceBefore?: number | null;
  torn?: boolean;
  signatureRequired?: boolean;
  onlinePinRequired?: boolean;
  aid?: string | null;
  odaFailure?: string;
  apduCount?: number;
  /** Exact C-APDUs (hex) the terminal must send, in order. */
  apdus?: string[];
  /** Transit taps: the fare asked, the amount charged on the card, the profile's fare rule. */
  fare?: number;
  charged?: number;
  rule?: string;
};

export type TapSpec = {
  transaction: TransactionSpec;
  expect: Expectation;
  /** Faults added to the card before this tap (virtual cards). */
  faults: FaultSpec[];
  hook?: HookSpec;
  /** The tap runs at a transit validator (src/terminal + src/profiles) with this profile. */
  profile?: ProfileSpec;
};

/** A sector profile for transit cases (runs when src/profiles provides it). */
export type ProfileSpec = { name: string } & Record<string, unknown>;

export type QaCase = {
  id: string;
  title: string;
  group: string;
  covers: string;
  /** Where the case was loaded from (for messages). */
  file: string;
  terminal: TerminalSpec;
  card: CardSpec;
  profile?: ProfileSpec;
  taps: TapSpec[];
};

const TRANSPORT_CODES = ['card-removed', 'timeout', 'protocol', 'response-too-long', 'reader-removed', 'service-unavailable', 'access-denied', 'closed'];
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const FAULT_ACTIONS = ['status', 'truncate', 'mutate', 'chain61', 'wrongLe', 'delay', 'leaveField'];
const EXPECT_KEYS = ['outcome', 'reason', 'cryptogram', 'tvr', 'tsi', 'atc', 'balanceAfter', 'balanceBefore', 'torn', 'signatureRequired', 'onlinePinRequired', 'aid', 'odaFailure', 'apduCount', 'apdus', 'fare', 'charged', 'rule'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates one parsed case file. `source` names it in errors; `loadTrace` resolves `card.trace` paths. */
export function validateCase(raw: unknown, source: string, loadTrace: (path: string) => unknown = () => {
  throw new Error('trace files need the loader');
}): QaCase {
  const fail = (field: string, msg: string): never => {
    throw new CaseFormatError(source, field, msg);
  };
  const str = (v: unknown, field: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(field, `expected a non-empty string, got ${JSON.stringify(v)}`));
  const hex = (v: unknown, field: string, bytes?: number): string => {
    if (typeof v !== 'string' || !HEX.test(v) || (bytes !== undefined && v.length !== bytes * 2)) fail(field, `expected ${bytes ?? 'some'} bytes of hex, got ${JSON.stringify(v)}`);
    return (v as string).toUpperCase();
  };
  const int = (v: unknown, field: string, min = 0): number => (typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(field, `expected an integer >= ${min}, got ${JSON.stringify(v)}`));
  const known = (o: Obj, keys: string[], field: string) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(field ? `${field}.${k}` : k, `unknown field (expected one of ${keys.join(', ')})`);
  };

  if (!isObj(raw)) fail('(root)', 'expected a JSON object');
  const o = raw as Obj;
  known(o, ['$schema', 'comment', 'id', 'title', 'group', 'covers', 'terminal', 'card', 'profile', 'transaction', 'expect', 'hook', 'taps'], '');
  const id = str(o.id, 'id');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(id)) fail('id', `use a-z 0-9 . _ - (got ${JSON.stringify(id)})`);

  // terminal
  let terminal: TerminalSpec;
  if (o.terminal === undefined || typeof o.terminal === 'string') terminal = { preset: (o.terminal as string | undefined) ?? 'offline-transit', config: {}, denyList: [], testPki: true };
  else if (isObj(o.terminal)) {
    const t = o.terminal;
    known(t, ['preset', 'config', 'denyList', 'testPki'], 'terminal');
    const denyList = t.denyList === undefined ? [] : Array.isArray(t.denyList) ? t.denyList : fail('terminal.denyList', 'expected an array');
    terminal = {
      preset: t.preset === undefined ? 'offline-transit' : str(t.preset, 'terminal.preset'),
      config: t.config === undefined ? {} : isObj(t.config) ? t.config : fail('terminal.config', 'expected an object of terminal config fields'),
      denyList: (denyList as unknown[]).map((d, i) => {
        if (!isObj(d) || typeof d.pan !== 'string' || !/^\d{12,19}$/.test(d.pan)) return fail(`terminal.denyList[${i}]`, 'expected { pan: digits, psn?: hex byte }');
        return d.psn === undefined ? { pan: d.pan } : { pan: d.pan, psn: hex(d.psn, `terminal.denyList[${i}].psn`, 1) };
      }),
      testPki: t.testPki === undefined ? true : t.testPki === true,
    };
  } else return fail('terminal', 'expected a preset name or an object');

  // card
  if (!isObj(o.card)) fail('card', 'expected an object with personality, script or trace');
  const c = o.card as Obj;
  const faults = (v: unknown, field: string): FaultSpec[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail(field, 'expected an array of fault rules');
    return v.map((f, i) => {
      if (!isObj(f) || !FAULT_ACTIONS.includes(f.action as string)) return fail(`${field}[${i}].action`, `expected one of ${FAULT_ACTIONS.join(', ')}`);
      if (f.command === undefined && f.ins === undefined) fail(`${field}[${i}]`, 'a fault needs `command` (number since power-on) or `ins` (hex)');
      return f as FaultSpec;
    });
  };
  let card: CardSpec;
  if (c.personality !== undefined) {
    known(c, ['personality', 'faults', 'state', 'bitRateKbps'], 'card');
    const p = typeof c.personality === 'string' ? c.personality : isObj(c.personality) ? c.personality : fail('card.personality', 'expected a personality name or an inline personality object');
    const br = c.bitRateKbps;
    if (br !== undefined && ![106, 212, 424, 848].includes(br as number)) fail('card.bitRateKbps', 'expected 106, 212, 424 or 848');
    card = { kind: 'virtual', personality: p, faults: faults(c.faults, 'card.faults'), ...(c.state !== undefined ? { state: c.state } : {}), ...(br !== undefined ? { bitRateKbps: br as 106 } : {}) };
  } else if (c.script !== undefined || c.trace !== undefined) {
    known(c, ['script', 'trace', 'atr'], 'card');
    let steps: unknown[];
    let src = 'script';
    if (c.trace !== undefined) {
      const t = typeof c.trace === 'string' ? loadTrace(c.trace) : c.trace;
      if (!isObj(t) || !Array.isArray(t.exchanges)) return fail('card.trace', 'expected a shanfu-trace (hal/trace/README.md) or a path to one');
      steps = t.exchanges;
      src = typeof c.trace === 'string' ? `trace ${c.trace}` : 'trace';
    } else steps = Array.isArray(c.script) ? c.script : fail('card.script', 'expected an array of { c?, r, error?, us? }');
    card = {
      kind: 'script',
      source: src,
      ...(c.atr !== undefined ? { atr: hex(c.atr, 'card.atr') } : {}),
      steps: steps.map((s, i) => {
        const f = `card.${c.trace !== undefined ? 'trace.exchanges' : 'script'}[${i}]`;
        if (!isObj(s)) return fail(f, 'expected an object');
        const step: ScriptStep = { r: s.r === null ? null : hex(s.r, `${f}.r`) };
        if (step.r !== null && step.r.length < 2) fail(`${f}.r`, 'an R-APDU needs at least one byte');
        if (s.c !== undefined) step.c = hex(s.c, `${f}.c`);
        if (s.error !== undefined) {
          if (!TRANSPORT_CODES.includes(s.error as string)) fail(`${f}.error`, `expected one of ${TRANSPORT_CODES.join(', ')}`);
          step.error = s.error as TransportErrorCode;
        }
        if (step.r === null && step.error === undefined) fail(`${f}.r`, 'null needs an error (why the exchange failed)');
        if (s.us !== undefined) step.us = typeof s.us === 'number' && s.us >= 0 ? s.us : fail(`${f}.us`, 'expected microseconds >= 0');
        return step;
      }),
    };
  } else return fail('card', 'expected one of personality, script or trace');

  const profileOf = (v: unknown, field: string): ProfileSpec | undefined =>
    v === undefined ? undefined : isObj(v) && typeof v.name === 'string' ? (v as ProfileSpec) : fail(field, 'expected { name, fares, station?, route?, … } (src/profiles)');
  const profile = profileOf(o.profile, 'profile');

  const transaction = (v: unknown, field: string, base?: Obj): TransactionSpec => {
    if (v !== undefined && !isObj(v)) fail(field, 'expected an object');
    const t = { ...(base ?? {}), ...((v as Obj | undefined) ?? {}) };
    known(t, ['amount', 'amountOther', 'type', 'cappIndicator', 'date', 'time', 'unpredictableNumber'], field);
    const date = typeof t.date === 'string' && /^\d{8}$/.test(t.date) ? t.date : fail(`${field}.date`, 'expected yyyymmdd (terminal local date)');
    const time = typeof t.time === 'string' && /^\d{6}$/.test(t.time) ? t.time : fail(`${field}.time`, 'expected hhmmss (terminal local time)');
    return {
      amount: int(t.amount, `${field}.amount`),
      amountOther: t.amountOther === undefined ? 0 : int(t.amountOther, `${field}.amountOther`),
      type: t.type === undefined ? 0 : parseInt(hex(t.type, `${field}.type`, 1), 16),
      cappIndicator: t.cappIndicator === undefined ? 0 : int(t.cappIndicator, `${field}.cappIndicator`),
      date,
      time,
      unpredictableNumber: hex(t.unpredictableNumber, `${field}.unpredictableNumber`, 4),
    };
  };
  const expectation = (v: unknown, field: string): Expectation => {
    if (!isObj(v)) return fail(field, 'expected an object with at least outcome and reason');
    known(v, EXPECT_KEYS, field);
    const outcome = str(v.outcome, `${field}.outcome`);
    if (!(OUTCOME_NAMES as readonly string[]).includes(outcome)) fail(`${field}.outcome`, `expected one of ${OUTCOME_NAMES.join(', ')}`);
    const reason = str(v.reason, `${field}.reason`);
    if (!REASONS.some((r) => r.name === reason)) fail(`${field}.reason`, `unknown reason ${JSON.stringify(reason)} (kernels/qpboc/outcome.ts REASONS)`);
    const e: Expectation = { outcome, reason };
    if (v.cryptogram !== undefined) e.cryptogram = (CRYPTOGRAM_NAMES as readonly string[]).includes(v.cryptogram as string) ? (v.cryptogram as string) : fail(`${field}.cryptogram`, `expected one of ${CRYPTOGRAM_NAMES.join(', ')}`);
    if (v.tvr !== undefined) e.tvr = hex(v.tvr, `${field}.tvr`, 5);
    if (v.tsi !== undefined) e.tsi = hex(v.tsi, `${field}.tsi`, 2);
    for (const k of ['atc', 'balanceAfter', 'balanceBefore'] as const) if (v[k] !== undefined) e[k] = v[k] === null ? null : int(v[k], `${field}.${k}`);
    if (v.apduCount !== undefined) e.apduCount = int(v.apduCount, `${field}.apduCount`);
    for (const k of ['torn', 'signatureRequired', 'onlinePinRequired'] as const) if (v[k] !== undefined) e[k] = typeof v[k] === 'boolean' ? (v[k] as boolean) : fail(`${field}.${k}`, 'expected true or false');
    if (v.aid !== undefined) e.aid = v.aid === null ? null : hex(v.aid, `${field}.aid`);
    if (v.odaFailure !== undefined) e.odaFailure = str(v.odaFailure, `${field}.odaFailure`);
    if (v.fare !== undefined) e.fare = int(v.fare, `${field}.fare`);
    if (v.charged !== undefined) e.charged = int(v.charged, `${field}.charged`);
    if (v.rule !== undefined) e.rule = str(v.rule, `${field}.rule`);
    if (v.apdus !== undefined) e.apdus = Array.isArray(v.apdus) ? v.apdus.map((a, i) => hex(a, `${field}.apdus[${i}]`)) : fail(`${field}.apdus`, 'expected an array of C-APDU hex strings');
    return e;
  };
  const hook = (v: unknown, field: string): HookSpec | undefined => {
    if (v === undefined) return undefined;
    if (!isObj(v)) return fail(field, 'expected { beforeGpo?, afterGpo? }');
    known(v, ['beforeGpo', 'afterGpo'], field);
    const out: HookSpec = {};
    for (const k of ['beforeGpo', 'afterGpo'] as const) {
      const s = v[k];
      if (s === undefined) continue;
      if (!isObj(s)) fail(`${field}.${k}`, 'expected { send?, then, setAmount?, cappIndicator? }');
      const h = s as Obj;
      known(h, ['send', 'then', 'setAmount', 'cappIndicator'], `${field}.${k}`);
      const then = h.then === undefined || h.then === 'continue' || h.then === 'fail' ? ((h.then as 'continue' | 'fail' | undefined) ?? 'continue') : isObj(h.then) ? { outcome: str(h.then.outcome, `${field}.${k}.then.outcome`), reason: str(h.then.reason, `${field}.${k}.then.reason`) } : fail(`${field}.${k}.then`, "expected 'continue', 'fail' or { outcome, reason }");
      out[k] = {
        send: h.send === undefined ? [] : Array.isArray(h.send) ? h.send.map((a, i) => hex(a, `${field}.${k}.send[${i}]`)) : fail(`${field}.${k}.send`, 'expected an array of C-APDU hex'),
        then,
        ...(h.setAmount !== undefined ? { setAmount: int(h.setAmount, `${field}.${k}.setAmount`) } : {}),
        ...(h.cappIndicator !== undefined ? { cappIndicator: int(h.cappIndicator, `${field}.${k}.cappIndicator`) } : {}),
      };
    }
    return out;
  };

  let taps: TapSpec[];
  if (o.taps !== undefined) {
    if (!Array.isArray(o.taps) || o.taps.length === 0) fail('taps', 'expected a non-empty array of { transaction, expect, faults?, hook? }');
    const base = isObj(o.transaction) ? o.transaction : undefined;
    taps = (o.taps as unknown[]).map((tp, i) => {
      if (!isObj(tp)) return fail(`taps[${i}]`, 'expected an object');
      known(tp, ['transaction', 'expect', 'faults', 'hook', 'profile'], `taps[${i}]`);
      const h = hook(tp.hook ?? o.hook, `taps[${i}].hook`);
      const p = profileOf(tp.profile, `taps[${i}].profile`) ?? profile;
      return { transaction: transaction(tp.transaction, `taps[${i}].transaction`, base), expect: expectation(tp.expect, `taps[${i}].expect`), faults: faults(tp.faults, `taps[${i}].faults`), ...(h ? { hook: h } : {}), ...(p ? { profile: p } : {}) };
    });
    if (card.kind === 'script' && taps.length > 1) fail('taps', 'a scripted or traced card serves one tap');
  } else {
    const h = hook(o.hook, 'hook');
    taps = [{ transaction: transaction(o.transaction, 'transaction'), expect: expectation(o.expect, 'expect'), faults: [], ...(h ? { hook: h } : {}), ...(profile ? { profile } : {}) }];
  }
  if (taps.some((t) => t.profile) && card.kind !== 'virtual') fail('card', 'transit (profile) taps need a virtual card (the profile writes its records)');
  if (taps.some((t) => t.profile && t.hook)) fail('hook', 'a transit tap uses its profile\'s hook; give either profile or hook');
  return { id, title: str(o.title, 'title'), group: str(o.group, 'group'), covers: str(o.covers, 'covers'), file: source, terminal, card, ...(profile ? { profile } : {}), taps };
}
