/** `shanfu watch` output formatting (the live part needs pcscd; see test/pcsc-vpcd.test.ts for PC/SC). */
import { describe, expect, it } from 'vitest';
import { formatEvent } from '../src/cli/commands/watch.js';

const at = new Date('2026-11-27T08:30:00.123Z');

describe('shanfu watch formatEvent', () => {
  it('prints time, type, reader and the ATR of card-present', () => {
    expect(formatEvent({ type: 'card-present', reader: 'ACS ACR122U', atr: new Uint8Array([0x3b, 0x8f, 0x80]) }, at)).toBe(
      '2026-11-27T08:30:00.123Z  card-present     ACS ACR122U  ATR 3B8F80',
    );
    expect(formatEvent({ type: 'reader-detached', reader: 'ACS ACR122U' }, at)).toBe('2026-11-27T08:30:00.123Z  reader-detached  ACS ACR122U');
  });

  it('prints one JSON object per event with --json, atr only for card-present', () => {
    expect(JSON.parse(formatEvent({ type: 'card-present', reader: 'r', atr: new Uint8Array([0x3b, 0x00]) }, at, true))).toEqual({
      time: '2026-11-27T08:30:00.123Z', type: 'card-present', reader: 'r', atr: '3B00',
    });
    expect(JSON.parse(formatEvent({ type: 'card-removed', reader: 'r' }, at, true))).toEqual({ time: '2026-11-27T08:30:00.123Z', type: 'card-removed', reader: 'r' });
  });
});
