/**
 * Runs a QA case: builds the terminal (preset + fields), the card (virtual personality + faults, or a
 * script / trace), drives one kernel tap per `taps[]` entry on the same card, and compares what
 * happened with the expectation (diff.ts). Deterministic: the clock, the unpredictable number and the
 * card latency come from the case, so a case sends the same APDUs on every run and every machine; only
 * the measured kernel time varies.
 */
import { performance } from 'node:perf_hooks';
import { CRYPTOGRAM_NAMES, OUTCOME_NAMES, Action, QuickPassKernel, kernelFailureOf, outcomeName, reasonName, REASONS, type KernelHook, type OutcomeCode } from '../../kernels/qpboc/index.js';
import type { OdaProvider } from '../../kernels/qpboc/index.js';
import { toHex, fromHex } from '../../kernels/util/hex.js';
import { TransportError, type CardSession } from '../../hal/transport.js';
import { QuickPassCard } from '../../hal/virtual/card.js';
import { loadPersonality } from '../../hal/virtual/personalities.js';
import { validatePersonality } from '../../hal/virtual/personality.js';
import { VirtualReader } from '../../hal/virtual/reader.js';
import type { CardEmulator } from '../../hal/virtual/emulator.js';
import type { CardState } from '../../hal/virtual/card-state.js';
import { createOdaProvider } from '../config/oda-provider.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { commandName } from '../cli/apdu-names.js';
import type { Expectation, HookSpec, HookStepSpec, QaCase, TapSpec, TransactionSpec } from './case.js';
import { terminalConfigFor } from './presets.js';
import { ScriptSession } from './scripted-card.js';
import { diffTap, type Difference } from './diff.js';
import { profileTerminals } from './profile-terminal.js';

export type ExchangeRecord = {
  command: string;
  c: string;
  /** Whole R-APDU hex, or null when the exchange failed. */
  r: string | null;
  sw: string | null;
  error?: string;
  /** Card time: ISO 14443 air time + card processing from the latency model (virtual cards) or the script's `us`. Deterministic. */
  airMicros: number;
  /**
   * Time the terminal spent on this exchange's response (measured; varies between runs): the kernel's
   * `receive`, or for transit taps everything the Terminal did before its next command (kernel, profile hook).
   */
  kernelMicros: number;
};

/** What the terminal ended with, in the names the case format uses. */
export type ActualResult = {
  outcome: string;
  reason: string;
  cryptogram: string;
  tvr: string;
  tsi: string;
  atc: number | null;
  balanceAfter: number | null;
  balanceBefore: number | null;
  torn: boolean;
  signatureRequired: boolean;
  onlinePinRequired: boolean;
  aid: string | null;
  odaFailure: string | null;
  apduCount: number;
  apdus: string[];
  /** Transit taps (src/terminal + profile): fare asked, amount charged, fare rule; null otherwise. */
  fare: number | null;
  charged: number | null;
  rule: string | null;
};

export type TapResult = { index: number; transaction: TransactionSpec; expect: Expectation; exchanges: ExchangeRecord[]; actual: ActualResult; difference: Difference | null };

export type CaseStatus = 'pass' | 'fail' | 'error';

export type CaseResult = {
  id: string;
  title: string;
  group: string;
  covers: string;
  file: string;
  status: CaseStatus;
  taps: TapResult[];
  /** The first difference (fail), in tap order. */
  difference: Difference | null;
  /** Why the case could not run (error). */
  error?: string;
  /** Wall time of the whole case, microseconds (measured). */
  micros: number;
};

/** ODA engines are built once per distinct terminal configuration (CA key parsing is not per tap). */
const odaCache = new Map<string, { config: TerminalConfig; oda: OdaProvider }>();

function terminalFor(c: QaCase): { config: TerminalConfig; oda: OdaProvider } {
  const key = JSON.stringify(c.terminal);
  let t = odaCache.get(key);
  if (!t) {
    const config = terminalConfigFor(c.terminal);
    t = { config, oda: createOdaProvider(config) };
    odaCache.set(key, t);
  }
  return t;
}

/** Epoch ms for a local date/time at the terminal's time-zone offset. */
export function clockFor(date: string, time: string, tzMinutes: number): () => number {
  const ms = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +time.slice(0, 2), +time.slice(2, 4), +time.slice(4, 6)) - tzMinutes * 60_000;
  if (Number.isNaN(ms)) throw new RangeError(`transaction.date/time: ${date} ${time} is not a valid date`);
  return () => ms;
}

/** Adds up the latency model over every card exchange (a 61xx chain is several per transceive). */
class MeteredCard implements CardEmulator {
  totalMicros = 0;
  constructor(readonly inner: QuickPassCard) {}
  get atr() { return this.inner.atr; }
  get lastExchangeMicros() { return this.inner.lastExchangeMicros; }
  powerOn() { this.inner.powerOn(); }
  powerOff() { this.inner.powerOff(); }
  transmit(capdu: Uint8Array) {
    const r = this.inner.transmit(capdu);
    this.totalMicros += this.inner.lastExchangeMicros;
    return r;
  }
}

/** A KernelHook that plays a case's scripted hook: send its commands, then continue, fail or end the tap. */
function scriptedHook(spec: HookSpec): KernelHook {
  const step = (s: HookStepSpec) => {
    let sent = 0;
    return (k: QuickPassKernel, n: number): number => {
      if (n < 0) sent = 0;
      if (sent < s.send.length) {
        const c = fromHex(s.send[sent++]!);
        k.tx.set(c);
        return c.length;
      }
      if (s.setAmount !== undefined) k.setAmount(s.setAmount);
      if (s.cappIndicator !== undefined) k.setCappIndicator(s.cappIndicator);
      if (s.then === 'fail') return -1;
      if (s.then !== 'continue') k.endTap(OUTCOME_NAMES.indexOf(s.then.outcome as never) as OutcomeCode, REASONS.findIndex((r) => r.name === (s.then as { reason: string }).reason));
      return 0;
    };
  };
  return { ...(spec.beforeGpo ? { beforeGpo: step(spec.beforeGpo) } : {}), ...(spec.afterGpo ? { afterGpo: step(spec.afterGpo) } : {}) };
}

async function driveCaseTap(kernel: QuickPassKernel, session: CardSession, meter: { readonly micros: number }, tap: TapSpec): Promise<ExchangeRecord[]> {
  const log: ExchangeRecord[] = [];
  const t = tap.transaction;
  kernel.begin({ amount: t.amount, amountOther: t.amountOther, type: t.type, cappIndicator: t.cappIndicator });
  while (kernel.action === Action.Transmit) {
    const c = toHex(kernel.tx, 0, kernel.txLen);
    const before = meter.micros;
    let n: number;
    try {
      n = await session.transceive(kernel.tx, kernel.txLen, kernel.rx);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      const k0 = performance.now();
      kernel.fail(kernelFailureOf(e.code));
      log.push({ command: commandName(fromHex(c)), c, r: null, sw: null, error: e.code, airMicros: meter.micros - before, kernelMicros: (performance.now() - k0) * 1000 });
      break;
    }
    const r = toHex(kernel.rx, 0, n);
    const k0 = performance.now();
    kernel.receive(n);
    log.push({ command: commandName(fromHex(c)), c, r, sw: n >= 2 ? r.slice(-4) : null, airMicros: meter.micros - before, kernelMicros: (performance.now() - k0) * 1000 });
  }
  return log;
}

function actualOf(k: QuickPassKernel, log: ExchangeRecord[]): ActualResult {
  return {
    outcome: outcomeName(k.outcome),
    reason: reasonName(k.reason),
    cryptogram: CRYPTOGRAM_NAMES[k.cryptogram] ?? 'none',
    tvr: toHex(k.tvr),
    tsi: toHex(k.tsi),
    atc: k.atc >= 0 ? k.atc : null,
    balanceAfter: k.balanceAfter >= 0 ? k.balanceAfter : null,
    balanceBefore: k.balanceBefore >= 0 ? k.balanceBefore : null,
    torn: k.torn,
    signatureRequired: k.signatureRequired,
    onlinePinRequired: k.onlinePinRequired,
    aid: k.aidLength ? toHex(k.aid, 0, k.aidLength) : null,
    odaFailure: k.odaFailure && k.oda ? k.oda.reasonText(k.odaFailure) : null,
    apduCount: log.length,
    apdus: log.map((x) => x.c),
    fare: null,
    charged: null,
    rule: null,
  };
}

function virtualCardOf(c: QaCase): QuickPassCard {
  if (c.card.kind !== 'virtual') throw new Error('unreachable');
  const spec = c.card;
  const personality = typeof spec.personality === 'string' ? loadPersonality(spec.personality) : validatePersonality(spec.personality, `${c.file}: card.personality`);
  return QuickPassCard.fromPersonality(personality, spec.state as CardState | undefined, { faults: spec.faults, ...(spec.bitRateKbps ? { bitRateKbps: spec.bitRateKbps } : {}) });
}

/** Runs one case. Never throws for card or terminal behaviour: a case that cannot run is status 'error'. */
export async function runCase(c: QaCase): Promise<CaseResult> {
  const t0 = performance.now();
  const result: CaseResult = { id: c.id, title: c.title, group: c.group, covers: c.covers, file: c.file, status: 'pass', taps: [], difference: null, micros: 0 };
  try {
    const { config, oda } = terminalFor(c);
    const card = c.card.kind === 'virtual' ? new MeteredCard(virtualCardOf(c)) : null;
    const reader = card ? new VirtualReader({ name: 'shanfu qa reader' }) : null;
    const transit = card && c.taps.some((t) => t.profile) ? profileTerminals(c.file, config, oda, { get micros() { return card.totalMicros; } }) : null;
    for (const [index, tap] of c.taps.entries()) {
      const t = tap.transaction;
      const clock = clockFor(t.date, t.time, config.timezoneOffsetMinutes ?? 480);
      let log: ExchangeRecord[];
      let actual: ActualResult;
      let mismatch: ScriptSession['mismatch'] = null;
      if (card) for (const f of tap.faults) card.inner.faults.add(f);
      if (tap.profile && transit && card) {
        // A transit validator: the Terminal drives its own kernel with the profile's hook.
        const done = await transit.tap(tap.profile, card, clock(), fromHex(t.unpredictableNumber));
        log = done.log;
        actual = { ...actualOf(done.terminal.kernel, log), fare: done.tap.fare, charged: done.tap.charged, rule: done.tap.rule };
      } else {
        const kernel = new QuickPassKernel(config, { oda, clock, random: unpredictable(t.unpredictableNumber), hook: tap.hook ? scriptedHook(tap.hook) : null });
        if (card && reader) {
          reader.present(card);
          const session = await reader.waitForCard();
          log = await driveCaseTap(kernel, session, { get micros() { return card.totalMicros; } }, tap);
          await session.disconnect();
          reader.remove();
        } else {
          const spec = c.card as Extract<QaCase['card'], { kind: 'script' }>;
          const session = new ScriptSession(spec.steps, spec.atr);
          log = await driveCaseTap(kernel, session, { get micros() { return session.totalMicros; } }, tap);
          mismatch = session.mismatch;
        }
        actual = actualOf(kernel, log);
      }
      const difference = diffTap(index, tap.expect, actual, log, mismatch);
      result.taps.push({ index, transaction: t, expect: tap.expect, exchanges: log, actual, difference });
      if (difference && !result.difference) {
        result.difference = difference;
        result.status = 'fail';
      }
    }
    await reader?.close();
    await transit?.close();
  } catch (e) {
    result.status = 'error';
    result.error = (e as Error).message;
  }
  result.micros = (performance.now() - t0) * 1000;
  return result;
}

/** A kernel `random` that fills 9F37 with the case's unpredictable number. */
export function unpredictable(hex: string): (out: Uint8Array, off: number, len: number) => void {
  const un = fromHex(hex);
  return (out, off, len) => {
    for (let i = 0; i < len; i++) out[off + i] = un[i % un.length]!;
  };
}

/** Runs cases one after the other, calling `onResult` after each (progress). */
export async function runCases(cases: readonly QaCase[], onResult?: (r: CaseResult, done: number, total: number) => void): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r = await runCase(c);
    out.push(r);
    onResult?.(r, out.length, cases.length);
  }
  return out;
}
