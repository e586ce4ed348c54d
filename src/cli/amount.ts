import { UsageError } from './main.js';

/** Parses "2.00" / "2" / "0.5" (yuan) into minor units (fen), exactly: no floating point. */
export function parseAmount(text: string, option = '--amount'): number {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new UsageError(`${option}: '${text}' is not an amount like 2.00`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Minor units as "498.00"; null for a negative (absent) amount. */
export function formatMoney(minor: number): string | null {
  return minor < 0 ? null : `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}
