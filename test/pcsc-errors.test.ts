/** PC/SC fault typing and the lazy load of pcsclite (no pcscd needed). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pcscCode, toTransportError } from '../hal/pcsc/errors.js';
import { readerKind } from '../hal/pcsc/service.js';
import { TransportError } from '../hal/transport.js';

const pcscErr = (fn: string, text: string, rc: number) => new Error(`${fn} error: ${text}.(0x${rc.toString(16).padStart(8, '0')})`);

describe('PC/SC errors → TransportError', () => {
  it.each([
    [0x80100069, 'card-removed', true],
    [0x8010000c, 'card-removed', true],
    [0x80100066, 'timeout', true],
    [0x8010000a, 'timeout', true],
    [0x80100016, 'protocol', true],
    [0x80100009, 'reader-removed', false],
    [0x80100017, 'reader-removed', false],
    [0x8010001d, 'service-unavailable', false],
    [0x8010001e, 'service-unavailable', false],
    [0x80100013, 'service-unavailable', false],
    [0x8010000b, 'access-denied', false],
  ] as const)('0x%s → %s', (rc, code, cardFault) => {
    const e = toTransportError(pcscErr('SCardTransmit', 'x', rc), 'transmit');
    expect(e).toBeInstanceOf(TransportError);
    expect(e.code).toBe(code);
    expect(e.isCardFault).toBe(cardFault);
    expect(e.message).toMatch(/transmit: SCardTransmit error/);
  });

  it('reads the code from pcsclite messages and maps unknown ones to protocol', () => {
    expect(pcscCode(pcscErr('SCardConnect', 'Card was removed', 0x80100069))).toBe(0x80100069);
    expect(pcscCode(new Error('no code'))).toBeUndefined();
    expect(toTransportError(new Error('weird'), 'connect').code).toBe('protocol');
  });

  it('classifies reader names', () => {
    expect(readerKind('ACS ACR122U PICC Interface 00 00')).toBe('contactless');
    expect(readerKind('Virtual PCD 00 01')).toBe('contactless');
    expect(readerKind('Gemalto PC Twin Reader (CCID) 00 00')).toBe('contact');
  });
});

describe('without pcsclite', () => {
  afterEach(() => {
    vi.doUnmock('pcsclite');
    vi.resetModules();
  });

  it("openPcsc throws ShanfuError 'pcsc.unavailable' saying how to install it", async () => {
    vi.resetModules();
    vi.doMock('pcsclite', () => {
      throw new Error("Cannot find module 'pcsclite'");
    });
    const { openPcsc } = await import('../hal/pcsc/index.js');
    const err = await openPcsc().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ShanfuError', code: 'pcsc.unavailable' });
    expect((err as Error).message).toMatch(/apt-get install pcscd libpcsclite-dev/);
    expect((err as Error).message).toMatch(/npm rebuild pcsclite/);
  });
});
