/**
 * Scripted cards for the kernel tests (in the style of openemv/emv-utils flow tests): a card is a
 * table from command (SELECT PPSE, SELECT <AID>, GPO, READ RECORD sfi/rec, …) to response, built
 * from readable TLV. Test-only: allocates freely.
 */
import { fromHex, toHex } from '../kernels/util/hex.js';
import { Action, QuickPassKernel, KernelFailure, type Transaction, type OdaProvider, type OdaRequest } from '../kernels/qpboc/index.js';
import { validateConfig, type TerminalConfig } from '../src/config/terminal-config.js';

/** BER-TLV of `tag` (hex) around `value` (hex or concatenated TLVs). */
export function tlv(tag: string, ...values: string[]): string {
  const v = values.join('').replace(/\s+/g, '');
  const n = v.length / 2;
  const len = n < 0x80 ? hx(n) : n <= 0xff ? '81' + hx(n) : '82' + hx(n >> 8) + hx(n & 0xff);
  return tag + len + v;
}
function hx(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}

export const AID_DEBIT = 'A000000333010101';
export const AID_CREDIT = 'A000000333010102';
export const PDOL = '9F66049F02069F03069F1A0295055F2A029A039C019F3704DF6001DF6901';

export function ppse(...entries: { aid: string; priority?: number }[]): string {
  const dir = entries
    .map((e) => tlv('61', tlv('4F', e.aid), e.priority === undefined ? '' : tlv('87', hx(e.priority))))
    .join('');
  return tlv('6F', tlv('84', '325041592E5359532E4444463031'), tlv('A5', tlv('BF0C', dir))) + '9000';
}

export function fci(aid: string, pdol: string | null = PDOL): string {
  return tlv('6F', tlv('84', aid), tlv('A5', tlv('50', '50424F43204445424954'), tlv('87', '01'), pdol === null ? '' : tlv('9F38', pdol))) + '9000';
}

/** IAD with CVR byte 2 = `cvr2` (qpboc-facts §1.9): 90 → TC, A0 → ARQC, 80 → AAC. */
export function iad(cvr2: string): string {
  return '07010103' + cvr2 + '00000A01000000000000';
}

export const TRACK2 = '6212345678901234D30122010000000000000F';
export const PAN = '6212345678901234';

export type GpoOptions = { cvr2?: string; afl?: string | null; ctq?: string | null; extra?: string; balance?: string | null; omit?: string[] };

/** A format-2 GPO response (template 77, qpboc-facts §1.7). */
export function gpo(o: GpoOptions = {}): string {
  const parts: [string, string][] = [
    ['82', '7C00'],
    ['94', o.afl === undefined ? '08010100 10010201' : o.afl ?? ''],
    ['9F36', '0012'],
    ['57', TRACK2],
    ['9F26', '1122334455667788'],
    ['9F10', iad(o.cvr2 ?? '90')],
    ['5F34', '01'],
    ['9F6C', o.ctq === undefined ? '0000' : o.ctq ?? ''],
    ['9F5D', o.balance === undefined ? '000000009500' : o.balance ?? ''],
    ['9F4B', '6A05' + '00'.repeat(8) + 'BC'],
  ];
  const omit = new Set(o.omit ?? []);
  if (o.afl === null) omit.add('94');
  if (o.ctq === null) omit.add('9F6C');
  if (o.balance === null) omit.add('9F5D');
  const body = parts.filter(([t]) => !omit.has(t)).map(([t, v]) => tlv(t, v.replace(/\s/g, ''))).join('') + (o.extra ?? '');
  return tlv('77', body) + '9000';
}

export const REC_1_1 = tlv('70', tlv('5A', PAN), tlv('5F24', '301231'), tlv('5F25', '200101'), tlv('9F07', 'FF00'), tlv('5F28', '0156'), tlv('9F08', '0030'), tlv('8F', '80'), tlv('90', '11'.repeat(64)), tlv('9F32', '03'));
export const REC_2_1 = tlv('70', tlv('9F4A', '82'), tlv('9F46', 'AABBCCDD'));
export const REC_2_2 = tlv('70', tlv('9F47', '03'), tlv('9F48', 'EEFF'));

/** Default card: PPSE with the debit AID, FCI, GPO TC, records SFI 1 rec 1 and SFI 2 recs 1–2. */
export function defaultScript(): Map<string, string> {
  return new Map([
    ['PPSE', ppse({ aid: AID_DEBIT, priority: 1 })],
    ['SELECT ' + AID_DEBIT, fci(AID_DEBIT)],
    ['GPO', gpo()],
    ['READ 1/1', REC_1_1 + '9000'],
    ['READ 2/1', REC_2_1 + '9000'],
    ['READ 2/2', REC_2_2 + '9000'],
  ]);
}

/** The key of a command in a script. */
export function commandKey(cmd: Uint8Array, len: number): string {
  const ins = cmd[1];
  if (ins === 0xa4) {
    const name = toHex(cmd, 5, 5 + cmd[4]!);
    return name === '325041592E5359532E4444463031' ? 'PPSE' : 'SELECT ' + name;
  }
  if (ins === 0xa8) return 'GPO';
  if (ins === 0xb2) return `READ ${cmd[3]! >> 3}/${cmd[2]}`;
  if (ins === 0xca) return 'GET DATA ' + toHex(cmd, 2, 4);
  return 'CMD ' + toHex(cmd, 0, len);
}

export type Exchange = { key: string; command: string; response: string | null };

/**
 * Drives the kernel against a script. A missing entry answers 6A82 for SELECT / 6A83 for READ /
 * 6D00 otherwise. `remove` names a command key at which the card leaves (k.fail).
 */
export function runScript(k: QuickPassKernel, script: Map<string, string>, txn: Transaction, remove?: string): Exchange[] {
  const log: Exchange[] = [];
  k.begin(txn);
  let guard = 0;
  while (k.action === Action.Transmit) {
    if (++guard > 100) throw new Error('kernel loops');
    const key = commandKey(k.tx, k.txLen);
    const command = toHex(k.tx, 0, k.txLen);
    if (remove !== undefined && key === remove) {
      log.push({ key, command, response: null });
      k.fail(KernelFailure.CardRemoved);
      break;
    }
    let resp = script.get(key);
    if (resp === undefined) resp = key.startsWith('SELECT') || key === 'PPSE' ? '6A82' : key.startsWith('READ') ? '6A83' : '6D00';
    const bytes = fromHex(resp);
    k.rx.set(bytes);
    log.push({ key, command, response: resp });
    k.receive(bytes.length);
  }
  return log;
}

/** A test ODA provider: answers `result` and records what it was asked. */
export class FakeOda implements OdaProvider {
  calls = 0;
  lastMethod = 0;
  lastSm = false;
  lastStaticData = '';
  constructor(public result = 0) {}
  authenticate(req: OdaRequest): number {
    this.calls++;
    this.lastMethod = req.method;
    this.lastSm = req.sm;
    this.lastStaticData = toHex(req.staticData, 0, req.staticDataLength);
    return this.result;
  }
  reasonText(code: number): string {
    return `fake failure ${code}`;
  }
}

/** 2026-11-27 08:00:00 China time. */
export const FIXED_CLOCK = (): number => Date.UTC(2026, 10, 27, 0, 0, 0);
export const FIXED_UN = (out: Uint8Array, off: number, len: number): void => {
  for (let i = 0; i < len; i++) out[off + i] = 0xa1 + i;
};

/** An online-capable reader (TTQ 26000080 + contact-capable). */
export function onlineConfig(overrides: Record<string, unknown> = {}): TerminalConfig {
  return validateConfig({
    ttq: '36000080',
    offlineOnly: false,
    contactSupported: true,
    aids: [
      { aid: AID_DEBIT, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 },
      { aid: AID_CREDIT, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000 },
    ],
    ...overrides,
  });
}

/** An offline-only transit reader (TTQ 28000080). */
export function offlineConfig(overrides: Record<string, unknown> = {}): TerminalConfig {
  return validateConfig({
    ttq: '28000080',
    offlineOnly: true,
    aids: [
      { aid: AID_DEBIT, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000, zeroAmount: 'try-another-interface' },
      { aid: AID_CREDIT, contactlessTransactionLimit: 100000, floorLimit: 50000, cvmLimit: 30000, zeroAmount: 'try-another-interface' },
    ],
    ...overrides,
  });
}

export function kernel(config: TerminalConfig = onlineConfig(), oda: OdaProvider | null = new FakeOda()): QuickPassKernel {
  return new QuickPassKernel(config, { oda, clock: FIXED_CLOCK, random: FIXED_UN });
}
