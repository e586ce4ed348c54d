/**
 * What the demo prints: a live panel on a terminal (redrawn in place, at most 10 times a second),
 * one line per tap when the output is a file or a pipe, and the final summary table.
 */
import { formatMoney } from '../cli/amount.js';
import type { DemoSummary, DemoTap } from './city.js';

const money = (minor: number) => (minor < 0 ? '-' : `¥${formatMoney(minor) ?? '-'}`);
const CN_OFFSET = 8 * 3600_000;
const clockText = (ms: number) => new Date(ms + CN_OFFSET).toISOString().slice(11, 19);
const dayText = (ms: number) => new Date(ms + CN_OFFSET).toISOString().slice(0, 10);
export const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

/** One line for a tap (log mode, and the "last taps" of the live panel). */
export function tapLine(e: DemoTap): string {
  const t = e.tap;
  const pan = (t.maskedPan || '(no PAN)').padEnd(19);
  const what = t.outcomeName === 'approved' && t.charged > 0 ? `${money(t.charged)} ${t.rule}` : t.outcomeName === 'approved' ? t.rule : t.reason;
  const bal = t.balance >= 0 ? `bal ${money(t.balance)}` : '';
  return `${String(e.index).padStart(7)} ${clockText(t.time)} ${e.validator.padEnd(12)} ${pan} ${t.outcomeName.padEnd(10)} ${what.padEnd(26)} ${bal.padEnd(13)} ${e.terminalMs.toFixed(2).padStart(6)} ms${e.note ? `  ← ${e.note}` : ''}`;
}

/** The live panel: progress, per-validator counters, the last taps. Call `update` per tap, `finish` at the end. */
export class LiveView {
  private readonly last: string[] = [];
  private readonly perValidator = new Map<string, { taps: number; approved: number; charged: number; lastMs: number }>();
  private drawn = 0;
  private lastDraw = 0;
  private readonly t0 = Date.now();
  private latest: DemoTap | null = null;

  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(e: DemoTap): void {
    this.latest = e;
    const v = this.perValidator.get(e.validator) ?? { taps: 0, approved: 0, charged: 0, lastMs: 0 };
    v.taps++;
    if (e.tap.outcomeName === 'approved') v.approved++;
    v.charged += e.tap.charged;
    v.lastMs = e.terminalMs;
    this.perValidator.set(e.validator, v);
    this.last.push(tapLine(e));
    if (this.last.length > 8) this.last.shift();
    const now = Date.now();
    if (now - this.lastDraw >= 100 || e.index === this.total) this.draw(now);
  }

  finish(): void {
    this.draw(Date.now());
  }

  private draw(now: number): void {
    const e = this.latest;
    if (!e) return;
    this.lastDraw = now;
    const width = 30;
    const done = Math.round((e.index / this.total) * width);
    const rate = e.index / Math.max(0.001, (now - this.t0) / 1000);
    const lines = [
      `shanfu demo · ${dayText(e.tap.time)} ${clockText(e.tap.time)} (simulated, China time)`,
      `[${'█'.repeat(done)}${'░'.repeat(width - done)}] ${e.index}/${this.total} taps · ${rate.toFixed(0)} taps/s`,
      '',
      `${'validator'.padEnd(14)}${'taps'.padStart(8)}${'approved'.padStart(10)}${'charged'.padStart(14)}${'last tap'.padStart(12)}`,
      ...[...this.perValidator.entries()].map(([name, v]) =>
        `${name.padEnd(14)}${String(v.taps).padStart(8)}${String(v.approved).padStart(10)}${money(v.charged).padStart(14)}${(v.lastMs.toFixed(2) + ' ms').padStart(12)}`),
      '',
      'last taps:',
      ...this.last,
    ];
    // Move up over the previous panel and redraw it (ANSI: cursor up, clear to end of screen).
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.out.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}

/** The final summary table. */
export function summaryText(s: DemoSummary): string {
  const term = [...s.terminalMs].sort((a, b) => a - b);
  const air = [...s.airMs].sort((a, b) => a - b);
  const lines: string[] = [];
  lines.push(`summary: ${s.taps} taps in ${s.seconds.toFixed(1)} s (${(s.taps / s.seconds).toFixed(0)} taps/s), ${(s.simulatedMs / 3600_000).toFixed(1)} h of simulated service`);
  lines.push('');
  lines.push(`${'validator'.padEnd(14)}${'profile'.padEnd(13)}${'taps'.padStart(8)}${'approved'.padStart(10)}${'fares charged'.padStart(16)}`);
  for (const v of s.validators) lines.push(`${v.name.padEnd(14)}${v.profile.padEnd(13)}${String(v.taps).padStart(8)}${String(v.approved).padStart(10)}${money(v.charged).padStart(16)}`);
  lines.push(`${'total'.padEnd(27)}${String(s.taps).padStart(8)}${String(s.approved).padStart(10)}${money(s.journalCharged).padStart(16)}`);
  lines.push('');
  lines.push(`${'outcome / reason'.padEnd(48)}${'taps'.padStart(8)}`);
  for (const [k, n] of [...s.byReason.entries()].sort((a, b) => b[1] - a[1])) lines.push(`  ${k.padEnd(46)}${String(n).padStart(8)}`);
  lines.push('');
  const ok = s.journalCharged === s.cardsDebited;
  lines.push(`money: the journals record ${money(s.journalCharged)} charged; the cards lost ${money(s.cardsDebited)} (${s.topUps} top-ups) — ${ok ? 'they agree' : 'MISMATCH'}`);
  lines.push(`torn taps: ${s.tornOpened} kept, resolved on the re-tap as charged ${s.tornResolved.charged} / not charged ${s.tornResolved.notCharged}`);
  lines.push(`tap time in the terminal (kernel, ODA, profile, journal fsync; card emulation excluded): p50 ${quantile(term, 0.5).toFixed(2)} ms, p99 ${quantile(term, 0.99).toFixed(2)} ms`);
  lines.push(`simulated card time (ISO 14443 + card processing): p50 ${quantile(air, 0.5).toFixed(0)} ms, p99 ${quantile(air, 0.99).toFixed(0)} ms`);
  lines.push(`memory: RSS ${s.rssStartMb.toFixed(0)} MB at start, ${s.rssEndMb.toFixed(0)} MB at the end (heap used ${s.heapEndMb.toFixed(0)} MB)`);
  lines.push(s.journalKept ? `journals: ${s.journalDir} (check with: shanfu journal verify --dir ${s.journalDir}/BUS-12)` : 'journals: written to a temporary directory (fsync per tap) and removed; keep them with --journal DIR');
  return lines.join('\n');
}
