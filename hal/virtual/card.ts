/**
 * QuickPassCard: a virtual UnionPay QuickPass (qPBOC) contactless card, personalised from a
 * personality (personality.ts). It implements CardEmulator: the virtual reader, the vpcd bridge,
 * the CLI and the kernel tests drive it with C-APDUs.
 *
 * One job per module: apdu.ts parses, select.ts / gpo.ts / read-record.ts / get-data.ts /
 * extended-app.ts / internal-authenticate.ts answer commands, commit.ts applies a transaction at
 * the last record, faults.ts changes answers on purpose, latency.ts times them. This class holds
 * the state and dispatches.
 */
import type { CardEmulator } from './emulator.js';
import { parseCommand, response, type Command } from './apdu.js';
import { SW } from './status-words.js';
import type { Personality } from './personality.js';
import { buildApplicationImage, buildPpse, type ApplicationImage } from './card-image.js';
import { newSession, type ApplicationState, type CardState, type SessionState } from './card-state.js';
import { select } from './select.js';
import { buildGpoResponse, decide, gpoInputs, parsePdolData } from './gpo.js';
import { readRecord } from './read-record.js';
import { getData } from './get-data.js';
import { internalAuthenticate } from './internal-authenticate.js';
import { getTransProve, readCappData, updateCappDataCache, type Answer } from './extended-app.js';
import { MAX_PREAUTHS } from './commit.js';
import { FaultInjector, type FaultSpec } from './faults.js';
import { latencyFor, type CommandClass, type LatencyModel, type BitRate } from './latency.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import { ShanfuError } from '../../kernels/util/errors.js';

export type CardOptions = {
  /** Extra fault rules on top of the personality's. */
  faults?: FaultSpec[];
  /** Overrides the personality's ISO 14443 bit rate. */
  bitRateKbps?: BitRate;
};

/** ATR a PC/SC reader builds for a contactless ISO 14443-4 card (PC/SC part 3): 3B 8n 80 01 ‖ historical ‖ TCK. */
function contactlessAtr(historical: Uint8Array): Uint8Array {
  const atr = new Uint8Array(4 + historical.length + 1);
  atr.set([0x3b, 0x80 | historical.length, 0x80, 0x01]);
  atr.set(historical, 4);
  let tck = 0;
  for (let i = 1; i < atr.length - 1; i++) tck ^= atr[i]!;
  atr[atr.length - 1] = tck;
  return atr;
}

const DEFAULT_ATR = contactlessAtr(new TextEncoder().encode('SHANFU-QP'));

function initialState(p: Personality): CardState {
  const apps: Record<string, ApplicationState> = {};
  for (const a of p.applications) {
    apps[a.aid.toUpperCase()] = {
      atc: 0,
      lastOnlineAtc: 0,
      ecBalance: a.ec?.balance ?? 0,
      offsetUsed: a.extendedApp?.offsetUsed ?? 0,
      log: [],
      capp: {},
      proofs: [],
      preauths: [],
    };
  }
  return { version: 1, personality: p.name, phoneLocked: p.phone?.locked ?? false, apps };
}

function classOf(cmd: Command): CommandClass {
  switch (cmd.ins) {
    case 0xa4:
      return 'SELECT';
    case 0xa8:
      return 'GPO';
    case 0xb2:
      return 'READ_RECORD';
    case 0xca:
      return 'GET_DATA';
    case 0x88:
      return 'INTERNAL_AUTHENTICATE';
    case 0xb4:
      return 'READ_CAPP_DATA';
    case 0xde:
      return 'UPDATE_CAPP_DATA_CACHE';
    case 0x5a:
      return 'GET_TRANS_PROVE';
    case 0xc0:
      return 'GET_RESPONSE';
    default:
      return 'OTHER';
  }
}

/** The CLA each INS is accepted with (ISO 00, proprietary 80, secure messaging 84). */
const CLA_OF: Record<number, number> = { 0xa4: 0x00, 0xb2: 0x00, 0x88: 0x00, 0xc0: 0x00, 0xa8: 0x80, 0xca: 0x80, 0xb4: 0x80, 0x5a: 0x80, 0xde: 0x84 };

export class QuickPassCard implements CardEmulator {
  readonly personality: Personality;
  readonly atr: Uint8Array;
  /** Fault rules; add more at run time with `card.faults.add(...)`. */
  readonly faults: FaultInjector;
  lastExchangeMicros = 0;

  private readonly apps: ApplicationImage[];
  private readonly ppse: Uint8Array;
  private readonly latency: LatencyModel;
  private st: CardState;
  private session: SessionState = newSession();
  private powered = false;
  private leftField = false;
  private commandCount = 0;
  private refusedWhileLocked = false;
  private signedThisCommand = false;

  /** Personalises a card; `state` (from `card.state`) restores counters, balance and logs. */
  static fromPersonality(p: Personality, state?: CardState, options: CardOptions = {}): QuickPassCard {
    return new QuickPassCard(p, state, options);
  }

  constructor(p: Personality, state?: CardState, options: CardOptions = {}) {
    this.personality = p;
    this.apps = p.applications.map(cachedImage);
    this.ppse = buildPpse(p.applications);
    this.atr = p.atr ? fromHex(p.atr) : DEFAULT_ATR;
    this.faults = new FaultInjector([...(p.faults ?? []), ...(options.faults ?? [])]);
    const timing = { ...p.timing, ...(options.bitRateKbps ? { bitRateKbps: options.bitRateKbps } : {}) };
    this.latency = latencyFor(!!p.phone, timing);
    this.st = state ? this.checkState(structuredClone(state)) : initialState(p);
  }

  private checkState(s: CardState): CardState {
    if (s.version !== 1 || s.personality !== this.personality.name)
      throw new ShanfuError('config.invalid', `card state is for ${JSON.stringify(s.personality)} (version ${s.version}), not ${this.personality.name}`);
    for (const a of this.personality.applications)
      if (!s.apps[a.aid.toUpperCase()]) throw new ShanfuError('config.invalid', `card state has no application ${a.aid}`);
    return s;
  }

  /** A deep copy of the persistent state (JSON-serialisable). */
  get state(): CardState {
    return structuredClone(this.st);
  }

  /** EC balance of an application (default: the first), minor units. */
  balance(aid = this.personality.applications[0]!.aid): number {
    return this.appState(aid).ecBalance;
  }

  /** ATC of an application (default: the first). */
  atc(aid = this.personality.applications[0]!.aid): number {
    return this.appState(aid).atc;
  }

  private appState(aid: string): ApplicationState {
    const s = this.st.apps[aid.toUpperCase()];
    if (!s) throw new RangeError(`aid: the card has no application ${aid}`);
    return s;
  }

  /** True while a phone wallet refuses GPO (6986). */
  get locked(): boolean {
    return this.st.phoneLocked;
  }
  /** Unlocks a phone wallet (the user unlocked the phone). */
  unlock(): void {
    this.st.phoneLocked = false;
    this.refusedWhileLocked = false;
  }
  /** Locks a phone wallet. */
  lock(): void {
    if (!this.personality.phone) throw new TypeError('lock(): this personality is not a phone wallet');
    this.st.phoneLocked = true;
  }

  /** True between powerOn and powerOff, unless a fault made the card leave the field. */
  get inField(): boolean {
    return this.powered && !this.leftField;
  }

  powerOn(): void {
    this.powered = true;
    this.leftField = false;
    this.commandCount = 0;
    this.session = newSession();
    // The phone's user saw "unlock to pay" after a 6986 and taps again unlocked.
    if (this.refusedWhileLocked && this.personality.phone?.autoUnlock) this.unlock();
  }

  powerOff(): void {
    this.powered = false;
    this.session = newSession(); // RAM is lost: an uncommitted transaction is gone (facts §7.2)
  }

  transmit(capdu: Uint8Array): Uint8Array | null {
    if (!this.powered || this.leftField) {
      this.lastExchangeMicros = 0;
      return null;
    }
    this.commandCount++;
    const cmd = parseCommand(capdu);
    const cls = cmd ? classOf(cmd) : 'OTHER';
    const fired = this.faults.take(this.commandCount, cmd ? cmd.ins : -1);
    let extra = 0;
    for (const f of fired) if (f.action === 'delay') extra += f.micros ?? 0;
    const leave = fired.find((f) => f.action === 'leaveField');
    const status = fired.find((f) => f.action === 'status');
    this.signedThisCommand = false;

    let r: Uint8Array;
    if (leave) {
      if (leave.processed && cmd) this.execute(cmd);
      this.leftField = true;
      this.session = newSession();
      this.lastExchangeMicros = this.latency.exchange(capdu.length, 0, cls, extra);
      return null;
    }
    if (status) r = response(null, parseInt(status.sw!, 16));
    else r = cmd ? this.execute(cmd) : response(null, SW.WRONG_LENGTH);

    for (const f of fired) r = this.applyResponseFault(f, cmd, r);
    const processing = this.signedThisCommand ? this.latency.processingOf('GPO_SIGN') : 0;
    this.lastExchangeMicros = this.latency.exchange(capdu.length, r.length, cls, extra + processing);
    return r;
  }

  private applyResponseFault(f: FaultSpec, cmd: Command | null, r: Uint8Array): Uint8Array {
    const dataLen = r.length - 2;
    switch (f.action) {
      case 'truncate': {
        const keep = Math.max(0, dataLen - (f.bytes ?? 1));
        const out = new Uint8Array(keep + 2);
        out.set(r.subarray(0, keep));
        out.set(r.subarray(dataLen), keep);
        return out;
      }
      case 'mutate': {
        const out = r.slice();
        if ((f.offset ?? 0) < dataLen) out[f.offset ?? 0]! ^= f.xor ?? 0xff;
        return out;
      }
      case 'chain61': {
        if (dataLen === 0) return r;
        this.session.chained = r.slice(0, dataLen);
        this.session.chainedSw = (r[dataLen]! << 8) | r[dataLen + 1]!;
        this.session.chainChunk = f.chunk ?? 256;
        return response(null, 0x6100 | (Math.min(dataLen, this.session.chainChunk) & 0xff));
      }
      case 'wrongLe': {
        if (dataLen === 0 || !cmd || cmd.le === dataLen) return r;
        this.session.heldForLe = { header: headerKey(cmd), response: r };
        return response(null, 0x6c00 | (dataLen & 0xff));
      }
      default:
        return r;
    }
  }

  /** Runs one command against the card state and returns the R-APDU. */
  private execute(cmd: Command): Uint8Array {
    // A command re-issued with the Le a 6Cxx asked for gets the held response.
    const held = this.session.heldForLe;
    if (held) {
      this.session.heldForLe = null;
      if (held.header === headerKey(cmd)) return held.response;
    }
    if (cmd.ins === 0xc0 && cmd.cla === 0x00) return this.getResponse(cmd);
    this.session.chained = null; // any other command abandons a pending 61xx chain
    const a = this.dispatch(cmd);
    return response(a.data, a.sw);
  }

  private getResponse(cmd: Command): Uint8Array {
    const s = this.session;
    if (!s.chained) return response(null, SW.CONDITIONS_NOT_SATISFIED);
    const n = Math.min(cmd.le ?? 256, s.chainChunk, s.chained.length);
    const part = s.chained.slice(0, n);
    s.chained = s.chained.length > n ? s.chained.slice(n) : null;
    if (s.chained) return response(part, 0x6100 | (Math.min(s.chained.length, s.chainChunk) & 0xff));
    return response(part, s.chainedSw);
  }

  private dispatch(cmd: Command): Answer {
    const expectedCla = CLA_OF[cmd.ins];
    if (expectedCla === undefined) return { sw: (cmd.cla & 0xf0) === 0x00 || (cmd.cla & 0xf0) === 0x80 ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED, data: null };
    if (cmd.cla !== expectedCla) return { sw: SW.CLA_NOT_SUPPORTED, data: null };
    const s = this.session;
    const img = s.selected >= 0 ? this.apps[s.selected]! : null;
    const st = img ? this.st.apps[img.spec.aid.toUpperCase()]! : null;
    switch (cmd.ins) {
      case 0xa4:
        return select(this.apps, this.ppse, s, cmd);
      case 0xa8:
        return this.gpo(img, st, cmd);
      case 0xb2:
        return readRecord(img, st, s, cmd);
      case 0xca:
        return getData(img, st, cmd);
      case 0x88:
        return internalAuthenticate(img, st, cmd);
    }
    // Extended application commands (facts §4.3): only when the selected application has one.
    if (!img || !st) return { sw: SW.CONDITIONS_NOT_SATISFIED, data: null };
    if (!img.spec.extendedApp) return { sw: SW.INS_NOT_SUPPORTED, data: null };
    if (cmd.ins === 0xb4) return readCappData(img, st, s, cmd);
    if (cmd.ins === 0xde) return updateCappDataCache(img, s, cmd);
    return getTransProve(st, cmd);
  }

  private gpo(img: ApplicationImage | null, st: ApplicationState | null, cmd: Command): Answer {
    const s = this.session;
    if (!img || !st || img.spec.blocked) return { sw: SW.CONDITIONS_NOT_SATISFIED, data: null };
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2, data: null };
    if (this.personality.phone && this.st.phoneLocked) {
      this.refusedWhileLocked = true;
      return { sw: SW.COMMAND_NOT_ALLOWED, data: null };
    }
    const values = parsePdolData(img, cmd.data);
    if (!values) return { sw: SW.WRONG_LENGTH, data: null };
    const inp = gpoInputs(img, values);
    if (img.spec.extendedApp) {
      if (inp.cappIndicator === 2 && st.preauths.length >= MAX_PREAUTHS) return { sw: SW.CAPP_TOO_MANY_PREAUTHS, data: null };
      if (inp.cappIndicator === 3 && st.preauths.length === 0) return { sw: SW.CAPP_NO_PREAUTH, data: null };
    }
    s.pending = null;
    st.atc = (st.atc + 1) & 0xffff; // the ATC counts every GPO
    const decision = decide(img, st, inp);
    const res = buildGpoResponse(img, st, values, decision, st.atc, !!this.personality.phone);
    this.signedThisCommand = res.signed;
    s.pending = res.pending;
    return { sw: res.sw, data: res.data };
  }

  /** Hex of the PPSE FCI (for tools). */
  ppseFci(): string {
    return toHex(this.ppse);
  }
}

function headerKey(cmd: Command): number {
  return ((cmd.cla << 24) | (cmd.ins << 16) | (cmd.p1 << 8) | cmd.p2) >>> 0;
}

/**
 * Personalisation images by application data. Building one signs certificates (~45 ms measured for
 * an RSA card, most of a QA case's replay time); an image is read-only after it is built, so cards
 * with the same application data share it. Bounded: the oldest entry goes beyond IMAGE_CACHE_SIZE.
 */
const IMAGE_CACHE_SIZE = 256;
const images = new Map<string, ApplicationImage>();

function cachedImage(spec: Personality['applications'][number]): ApplicationImage {
  const key = JSON.stringify(spec);
  let img = images.get(key);
  if (!img) {
    img = buildApplicationImage(structuredClone(spec)); // a private copy: the caller may change its spec later
    if (images.size >= IMAGE_CACHE_SIZE) images.delete(images.keys().next().value!);
    images.set(key, img);
  }
  return img;
}
