/**
 * Transit cases run through the real validator: src/terminal's Terminal with a sector profile from
 * src/profiles (fare table, station, MAC provider holding the virtual card's record keys), an
 * in-memory journal, and the case's clock and unpredictable number. One Terminal per distinct profile
 * spec within a case, so a metro entry gate and an exit gate are two validators, and a second tap at
 * the same gate meets its anti-passback and torn-recovery state.
 */
import { resolve, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CardSession, Reader } from '../../hal/transport.js';
import type { QuickPassCard } from '../../hal/virtual/card.js';
import { VirtualReader } from '../../hal/virtual/reader.js';
import type { CardEmulator } from '../../hal/virtual/emulator.js';
import type { OdaProvider } from '../../kernels/qpboc/index.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import type { TerminalConfig } from '../config/terminal-config.js';
import { Terminal } from '../terminal/terminal.js';
import type { TapResult as TerminalTap } from '../terminal/events.js';
import { MemoryJournal } from '../journal/memory.js';
import { createProfile, loadFareTable, createTestMacProvider, recordKeysOf, type ProfileName } from '../profiles/index.js';
import { commandName } from '../cli/apdu-names.js';
import type { ProfileSpec } from './case.js';
import type { ExchangeRecord } from './runner.js';

const PROFILE_KEYS = ['name', 'fares', 'station', 'route', 'zone', 'vehicleClass', 'onBadRecord', 'mac', 'terminalId', 'antiPassbackMs', 'tornLifetimeMs'];

/** A reader whose sessions log every exchange with the card time (latency model) and the terminal time between exchanges. */
class LoggingReader implements Reader {
  readonly name: string;
  log: ExchangeRecord[] = [];
  private lastReturn = 0;
  constructor(
    private readonly inner: VirtualReader,
    private readonly meter: { readonly micros: number },
  ) {
    this.name = inner.name;
  }
  /** Charges the time since the last response to the last exchange (the terminal's work on it). */
  settle(): void {
    const last = this.log[this.log.length - 1];
    if (last && this.lastReturn) last.kernelMicros = (performance.now() - this.lastReturn) * 1000;
    this.lastReturn = 0;
  }
  async waitForCard(signal?: AbortSignal): Promise<CardSession> {
    const s = await this.inner.waitForCard(signal);
    return {
      atr: s.atr,
      transceive: async (tx, txLen, rx) => {
        this.settle();
        const c = toHex(tx, 0, txLen);
        const before = this.meter.micros;
        const entry: ExchangeRecord = { command: commandName(fromHex(c)), c, r: null, sw: null, airMicros: 0, kernelMicros: 0 };
        this.log.push(entry);
        try {
          const n = await s.transceive(tx, txLen, rx);
          entry.r = toHex(rx, 0, n);
          entry.sw = n >= 2 ? entry.r.slice(-4) : null;
          return n;
        } catch (e) {
          entry.error = (e as { code?: string }).code ?? 'error';
          throw e;
        } finally {
          entry.airMicros = this.meter.micros - before;
          this.lastReturn = performance.now();
        }
      },
      disconnect: () => s.disconnect(),
    };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export type ProfileTerminals = {
  /** Runs one tap of `card` at the terminal for `spec`; `now` and `un` are this tap's clock and 9F37. */
  tap(spec: ProfileSpec, card: CardEmulator & { inner: QuickPassCard }, now: number, un: Uint8Array): Promise<{ tap: TerminalTap; log: ExchangeRecord[]; terminal: Terminal }>;
  close(): Promise<void>;
};

export function profileTerminals(caseFile: string, config: TerminalConfig, oda: OdaProvider, meter: { readonly micros: number }): ProfileTerminals {
  const terminals = new Map<string, { terminal: Terminal; reader: LoggingReader; virtual: VirtualReader }>();
  const clock = { now: 0 };
  const un: { bytes: Uint8Array } = { bytes: new Uint8Array(4) };
  // Fare table paths are relative to the case file (an inline case: to the working directory).
  const base = dirname(resolve(caseFile));
  return {
    async tap(spec, card, now, unBytes: Uint8Array) {
      clock.now = now;
      un.bytes = unBytes;
      const key = JSON.stringify(spec);
      let t = terminals.get(key);
      if (!t) {
        for (const k of Object.keys(spec)) if (!PROFILE_KEYS.includes(k)) throw new RangeError(`profile.${k}: unknown field (expected ${PROFILE_KEYS.join(', ')})`);
        if (typeof spec.fares !== 'string') throw new RangeError('profile.fares: the fare table file (e.g. ../../fares/metro-line.json, relative to the case)');
        const table = loadFareTable(resolve(base, spec.fares));
        // Updates only: with the optional readMac the profile reads with a terminal random from
        // node:crypto that no option injects, and the READ CAPP DATA commands would differ every run.
        const keys = createTestMacProvider(recordKeysOf(card.inner.personality));
        const mac = spec.mac === 'none' ? null : { updateMac: keys.updateMac.bind(keys) };
        const options: Record<string, unknown> = { mac };
        for (const k of ['station', 'route', 'zone', 'vehicleClass', 'onBadRecord'] as const) if (spec[k] !== undefined) options[k] = spec[k];
        const profile = createProfile(spec.name as ProfileName, table, options as never);
        const terminalId = typeof spec.terminalId === 'string' ? spec.terminalId : `QA-${terminals.size + 1}`;
        const virtual = new VirtualReader({ name: `qa ${spec.name}` });
        const reader = new LoggingReader(virtual, meter);
        const terminal = new Terminal({
          reader, config, oda, profile, terminalId,
          journal: new MemoryJournal({ key: new Uint8Array(32).fill(7), terminalId }),
          clock: () => clock.now,
          random: (out, off, len) => { for (let i = 0; i < len; i++) out[off + i] = un.bytes[i % 4]!; },
          ...(typeof spec.antiPassbackMs === 'number' ? { antiPassbackMs: spec.antiPassbackMs } : {}),
          ...(typeof spec.tornLifetimeMs === 'number' ? { tornLifetimeMs: spec.tornLifetimeMs } : {}),
        });
        t = { terminal, reader, virtual };
        terminals.set(key, t);
      }
      t.reader.log = [];
      t.virtual.present(card);
      try {
        const tap = await t.terminal.tapOnce();
        t.reader.settle();
        return { tap, log: t.reader.log, terminal: t.terminal };
      } finally {
        t.virtual.remove();
      }
    },
    async close() {
      for (const t of terminals.values()) await t.virtual.close();
    },
  };
}
