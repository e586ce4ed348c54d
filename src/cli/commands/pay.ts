import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, readJsonFile, stringOption } from '../args.js';
import { commandName } from '../apdu-names.js';
import { formatMoney, parseAmount } from '../amount.js';
import { toHex, fromHex } from '../../../kernels/util/hex.js';
import { CRYPTOGRAM_NAMES, Outcome, QuickPassKernel, reasonName, REASONS } from '../../../kernels/qpboc/index.js';
import { defaultConfig, validateConfig, type TerminalConfig } from '../../config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../../config/oda-provider.js';
import { driveTap, type Exchange } from '../../terminal/drive.js';
import { ShanfuError } from '../../../kernels/util/errors.js';
import type { CardSession } from '../../../hal/transport.js';
import { virtualReaderWithCard } from '../virtual-card.js';
import { openHidReaderNamed } from '../hid-reader-name.js';

const usage = `usage: shanfu pay (--card PERSONALITY | --reader NAME) --amount 2.00 [--config TERMINAL.json] [--json]
                  [--date YYMMDD] [--time HHMMSS] [--un HEX8] [--latency] [--wait SECONDS]

One contactless tap, printing the outcome, every APDU with its name and the time of each step.
  --card NAME       a virtual card personality (test-vectors/cards/NAME.json)
  --reader NAME     a PC/SC reader (name or part of it; see 'shanfu readers'), or a USB-HID reader
                    hid:VVVV:PPPP (see 'shanfu readers --hid'): waits for a card
  --wait SECONDS    with --reader, how long to wait for a card (default 30)
  --amount A        amount in yuan (2.00) — at most 2 decimals
  --config FILE     terminal parameters (src/config/README.md); default: the built-in configuration
  --json            print one JSON object (outcome, reason, aid, tvr, atc, cryptogramType, balanceAfter, apdus…)
  --date, --time    transaction date/time (default: now); with --un the tap is reproducible
  --un HEX8         the unpredictable number 9F37 (default: from a CSPRNG)
  --latency         wait the card's simulated time on the air (ISO 14443 at 106 kbit/s + processing)
Exit status: 0 approved or online request, 1 any other outcome, 2 unusable input.`;

function loadConfig(path: string | undefined): TerminalConfig {
  if (!path) return withTestPki(defaultConfig());
  return validateConfig(readJsonFile(path, `--config ${path}`));
}

type Tap = { session: CardSession; close: () => Promise<void> };

/** A virtual card in the in-process virtual reader. */
async function virtualTap(cardName: string, latency: boolean): Promise<Tap> {
  const reader = await virtualReaderWithCard(cardName, { simulateLatency: latency });
  const session = await reader.waitForCard();
  return { session, close: async () => { await session.disconnect(); await reader.close(); } };
}

/** The next card on a PC/SC reader whose name contains `name`, or on the USB-HID reader `hid:VVVV:PPPP`. */
async function pcscTap(name: string, waitSeconds: number): Promise<Tap> {
  const hid = await openHidReaderNamed(name);
  if (hid) {
    const signal = AbortSignal.timeout(waitSeconds * 1000);
    try {
      const session = await hid.waitForCard(signal);
      return { session, close: async () => { await session.disconnect(); await hid.close(); } };
    } catch (e) {
      await hid.close();
      if (signal.aborted) throw new ShanfuError('pay.timeout', `no card on ${name} within ${waitSeconds} s`);
      throw e;
    }
  }
  const { openPcsc } = await import('../../../hal/pcsc/index.js');
  const service = await openPcsc();
  const signal = AbortSignal.timeout(waitSeconds * 1000);
  try {
    const reader = await service.waitForReader({ name }, signal);
    const session = await reader.waitForCard(signal);
    return { session, close: async () => { await session.disconnect(); await reader.close(); await service.close(); } };
  } catch (e) {
    await service.close();
    if (signal.aborted) throw new ShanfuError('pay.timeout', `no card on a reader matching '${name}' within ${waitSeconds} s (see 'shanfu readers')`);
    throw e;
  }
}

/** A clock fixed at --date/--time (interpreted in the terminal's time zone offset), or now. */
function clockFor(date: string | undefined, time: string | undefined, tzMinutes: number): () => number {
  if (!date && !time) return Date.now;
  if (date && !/^\d{6}$/.test(date)) throw new UsageError(`--date: '${date}' is not YYMMDD`);
  if (time && !/^\d{6}$/.test(time)) throw new UsageError(`--time: '${time}' is not HHMMSS`);
  const now = new Date(Date.now() + tzMinutes * 60_000);
  const d = date ?? `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}`;
  const t = time ?? '120000';
  const ms = Date.UTC(2000 + Number(d.slice(0, 2)), Number(d.slice(2, 4)) - 1, Number(d.slice(4, 6)), Number(t.slice(0, 2)), Number(t.slice(2, 4)), Number(t.slice(4, 6)));
  if (Number.isNaN(ms)) throw new UsageError(`--date/--time: not a valid date`);
  const fixed = ms - tzMinutes * 60_000;
  return () => fixed;
}

/** Outcome names as the JSON contract spells them: Approved, Declined, OnlineRequest, … */
const OUTCOME_KEYS = Object.keys(Outcome) as (keyof typeof Outcome)[];

const money = formatMoney;

export const command: Command = {
  summary: 'one tap on a virtual card or a reader: outcome, APDUs, timing',
  usage,
  async run(args) {
    const { options } = parseArgs(args, ['json', 'latency']);
    const cardName = stringOption(options, 'card');
    const readerName = stringOption(options, 'reader');
    if (!cardName === !readerName) throw new UsageError('give one of --card PERSONALITY or --reader NAME');
    const amountText = stringOption(options, 'amount');
    if (!amountText) throw new UsageError('missing --amount');
    const amount = parseAmount(amountText);
    let config: TerminalConfig;
    try {
      config = loadConfig(stringOption(options, 'config'));
    } catch (e) {
      if (e instanceof ShanfuError) throw new UsageError(`--config: ${e.message}`);
      throw e;
    }
    const unText = stringOption(options, 'un');
    const un = unText ? fromHex(unText, '--un') : null;
    if (un && un.length !== 4) throw new UsageError('--un: the unpredictable number is 4 bytes (8 hex digits)');

    const waitText = stringOption(options, 'wait') ?? '30';
    const waitSeconds = Number(waitText);
    if (!(waitSeconds > 0)) throw new UsageError(`--wait: '${waitText}' is not a number of seconds`);
    // Config (and ODA keys) first: bad input is reported before any reader is opened.
    const kernel = new QuickPassKernel(config, {
      oda: createOdaProvider(config),
      clock: clockFor(stringOption(options, 'date'), stringOption(options, 'time'), config.timezoneOffsetMinutes ?? 480),
      random: un ? (out, off, len) => { for (let i = 0; i < len; i++) out[off + i] = un[i % 4]!; } : undefined,
    });
    const tap = cardName ? await virtualTap(cardName, !!options.latency) : await pcscTap(readerName!, waitSeconds);
    const exchanges: Exchange[] = [];
    let totalMicros: number;
    try {
      const t0 = process.hrtime.bigint();
      await driveTap(kernel, tap.session, { amount }, { exchanges });
      totalMicros = Number(process.hrtime.bigint() - t0) / 1000;
    } finally {
      await tap.close();
    }

    const cryptogram = new Uint8Array(8);
    const hasAc = kernel.copyCryptogram(cryptogram, 0) === 8;
    const result = {
      outcome: OUTCOME_KEYS[kernel.outcome] ?? 'None',
      reason: reasonName(kernel.reason),
      reasonText: REASONS[kernel.reason]?.description,
      aid: kernel.aidLength ? toHex(kernel.aid, 0, kernel.aidLength) : null,
      pan: kernel.panLength ? kernel.maskedPan() : null,
      amount: money(amount),
      tvr: toHex(kernel.tvr),
      tsi: toHex(kernel.tsi),
      atc: kernel.atc >= 0 ? kernel.atc : null,
      cryptogramType: CRYPTOGRAM_NAMES[kernel.cryptogram],
      cryptogram: hasAc ? toHex(cryptogram) : null,
      balanceBefore: money(kernel.balanceBefore),
      balanceAfter: money(kernel.balanceAfter),
      torn: kernel.torn,
      apduCount: exchanges.length,
      simulatedCardMillis: null as number | null,
      totalMillis: +(totalMicros / 1000).toFixed(3),
      apdus: exchanges.map((x) => ({
        command: commandName(x.capdu),
        capdu: toHex(x.capdu),
        rapdu: x.rapdu ? toHex(x.rapdu) : null,
        sw: x.rapdu && x.rapdu.length >= 2 ? toHex(x.rapdu, x.rapdu.length - 2) : null,
        micros: Math.round(x.micros),
        ...(x.error ? { error: x.error } : {}),
      })),
    };
    const ok = result.outcome === 'Approved' || result.outcome === 'OnlineRequest';
    if (options.json) {
      console.log(JSON.stringify(result));
      return ok ? 0 : 1;
    }
    for (const a of result.apdus) {
      console.log(`→ ${a.command.padEnd(26)} ${a.capdu}`);
      console.log(`← ${(a.sw ?? a.error ?? '').padEnd(26)} ${a.rapdu ?? ''}  (${(a.micros / 1000).toFixed(2)} ms)`);
    }
    console.log('');
    console.log(`outcome   ${result.outcome} (${result.reason}${result.reasonText ? `: ${result.reasonText}` : ''})`);
    console.log(`card      ${result.pan ?? '-'}  AID ${result.aid ?? '-'}  ATC ${result.atc ?? '-'}`);
    console.log(`amount    ${result.amount}  balance ${result.balanceBefore ?? '-'} → ${result.balanceAfter ?? '-'}`);
    console.log(`crypto    ${result.cryptogramType} ${result.cryptogram ?? ''}   TVR ${result.tvr}  TSI ${result.tsi}${result.torn ? '  TORN' : ''}`);
    console.log(`timing    ${result.apduCount} APDUs, ${result.totalMillis} ms in all`);
    return ok ? 0 : 1;
  },
};
