import type { Command } from '../main.js';
import { UsageError } from '../main.js';
import { parseArgs, stringOption } from '../args.js';
import { formatMoney, parseAmount } from '../amount.js';
import { toHex } from '../../../kernels/util/hex.js';
import { Outcome, QuickPassKernel, reasonName, type DenyList } from '../../../kernels/qpboc/index.js';
import { defaultConfig } from '../../config/terminal-config.js';
import { createOdaProvider, withTestPki } from '../../config/oda-provider.js';
import { driveTap } from '../../terminal/drive.js';
import type { CardEmulator } from '../../../hal/virtual/emulator.js';

const usage = `usage: shanfu demo [--taps N] [--fare 2.00] [--quiet]

A bus validator on the built-in virtual card (no hardware): a stream of passengers tapping
virtual QuickPass cards — approvals, a phone wallet, a low balance, an expired card, a
deny-listed card, a card pulled away mid-tap and tapped again, a card with a bad certificate —
with a line per tap and a summary (outcomes by reason, fares charged, tap times).
  --taps N     number of taps (default 60)
  --fare A     flat fare in yuan (default 2.00)
  --quiet      only the summary`;

/** One passenger: a card personality, and what happens at their first tap. */
type Passenger = { card: string; note: string; pullAwayAtCommand?: number; denied?: boolean };

const PASSENGERS: Passenger[] = [
  { card: 'debit-ec', note: 'debit card with electronic cash' },
  { card: 'phone-wallet', note: 'phone wallet (consumer-device CVM)' },
  { card: 'ec-only', note: 'electronic-cash-only card' },
  { card: 'quasi-credit', note: 'quasi-credit card' },
  { card: 'two-aids', note: 'two applications: credit (priority 1, no EC) is chosen, declined offline' },
  { card: 'debit-ec', note: 'pulled away during the records, then taps again', pullAwayAtCommand: 5 },
  { card: 'ec-low-balance', note: 'balance too low for offline' },
  { card: 'expired', note: 'expired card' },
  { card: 'sda-debit', note: 'card on the deny list', denied: true },
  { card: 'sm2-debit', note: 'national-algorithm (SM2) card' },
  { card: 'bad-cert-hash', note: 'card with a broken certificate' },
  { card: 'phone-wallet-locked', note: 'locked phone: see phone, then taps again' },
];

/** Wraps a card to add up its simulated time on the air (the latency model). */
class TimedCard implements CardEmulator {
  airMicros = 0;
  /** Wall time spent inside the emulator (its RSA/SM2 signing is the card's work, not the terminal's). */
  emulationMicros = 0;
  constructor(readonly inner: CardEmulator) {}
  get atr() { return this.inner.atr; }
  get lastExchangeMicros() { return this.inner.lastExchangeMicros; }
  powerOn() { this.inner.powerOn(); }
  powerOff() { this.inner.powerOff(); }
  transmit(capdu: Uint8Array) {
    const t0 = process.hrtime.bigint();
    const r = this.inner.transmit(capdu);
    this.emulationMicros += Number(process.hrtime.bigint() - t0) / 1000;
    this.airMicros += this.inner.lastExchangeMicros;
    return r;
  }
}

const money = (minor: number) => formatMoney(minor) ?? '-';
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

export const command: Command = {
  summary: 'a demo bus validator on virtual cards (no hardware)',
  usage,
  async run(args) {
    const { options } = parseArgs(args, ['quiet']);
    const taps = Number(stringOption(options, 'taps') ?? '60');
    if (!Number.isInteger(taps) || taps < 1) throw new UsageError('--taps: a positive integer');
    const fareText = stringOption(options, 'fare') ?? '2.00';
    const fare = parseAmount(fareText, '--fare');
    const quiet = !!options.quiet;

    const { createCard, loadPersonality } = await import('../../../hal/virtual/personalities.js');
    const { VirtualReader } = await import('../../../hal/virtual/reader.js');

    // The deny list: PAN (5A, hex) of the passenger marked `denied`. A real terminal loads a hashed list.
    const cards = PASSENGERS.map((p) => createCard(p.card, p.pullAwayAtCommand ? { faults: [{ command: p.pullAwayAtCommand, action: 'leaveField', times: 1 }] } : {}));
    const deniedPans = new Set<string>();
    const denyList: DenyList = { isDenied: (pan, off, len) => deniedPans.has(toHex(pan, off, off + len)) };
    const config = { ...withTestPki(defaultConfig()), denyList };
    const kernel = new QuickPassKernel(config, { oda: createOdaProvider(config) });
    const reader = new VirtualReader({ name: 'demo bus validator' });

    for (const p of PASSENGERS) if (p.denied) deniedPans.add(panOf(loadPersonality(p.card)));

    const byReason = new Map<string, number>();
    const tapMillis: number[] = [];
    const airMillis: number[] = [];
    let charged = 0;
    let approved = 0;
    if (!quiet) console.log(`shanfu demo: bus validator, flat fare ${money(fare)}, ${taps} taps on virtual cards\n`);
    for (let t = 0; t < taps; t++) {
      const i = t % PASSENGERS.length;
      const p = PASSENGERS[i]!;
      const card = new TimedCard(cards[i]!);
      reader.present(card);
      const session = await reader.waitForCard();
      const t0 = process.hrtime.bigint();
      await driveTap(kernel, session, { amount: fare });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6 - card.emulationMicros / 1000;
      await session.disconnect();
      reader.remove();
      tapMillis.push(ms);
      airMillis.push(card.airMicros / 1000);
      const outcome = (Object.keys(Outcome) as string[])[kernel.outcome]!;
      const reason = reasonName(kernel.reason);
      const key = `${outcome} / ${reason}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
      if (kernel.outcome === Outcome.Approved) {
        approved++;
        charged += fare;
      }
      if (!quiet) {
        const bal = kernel.balanceAfter >= 0 ? `balance ${money(kernel.balanceAfter)}` : '';
        console.log(`${String(t + 1).padStart(4)}  ${p.card.padEnd(20)} ${outcome.padEnd(20)} ${reason.padEnd(24)} ${bal.padEnd(18)} ${ms.toFixed(2).padStart(7)} ms terminal, ${(card.airMicros / 1000).toFixed(0).padStart(4)} ms on the air  (${p.note})`);
      }
    }
    await reader.close();

    tapMillis.sort((a, b) => a - b);
    airMillis.sort((a, b) => a - b);
    console.log(`\nsummary: ${taps} taps, ${approved} approved, fares charged ${money(charged)}`);
    console.log('outcome / reason'.padEnd(48) + 'taps');
    for (const [k, n] of [...byReason.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(46)}${n}`);
    console.log(`terminal time per tap (kernel + ODA + reader, card emulation excluded): p50 ${quantile(tapMillis, 0.5).toFixed(2)} ms, p99 ${quantile(tapMillis, 0.99).toFixed(2)} ms`);
    console.log(`simulated card time (ISO 14443 106 kbit/s + card processing): p50 ${quantile(airMillis, 0.5).toFixed(0)} ms, p99 ${quantile(airMillis, 0.99).toFixed(0)} ms`);
    return 0;
  },
};

/** The PAN of a personality's first application as 5A holds it (hex, F-padded to whole bytes). */
function panOf(p: { applications: { pan: string }[] }): string {
  const pan = p.applications[0]!.pan;
  return pan.length % 2 ? pan + 'F' : pan;
}
