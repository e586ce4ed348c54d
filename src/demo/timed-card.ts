import type { CardEmulator } from '../../hal/virtual/emulator.js';

/**
 * Wraps a virtual card to add up (a) its simulated time on the air (the latency model) and (b) the
 * wall time spent inside the emulator — the card's own RSA/SM2 signing is the card's work, not the
 * terminal's, so the demo subtracts it from the tap time it reports.
 */
export class TimedCard implements CardEmulator {
  airMicros = 0;
  emulationMicros = 0;
  constructor(public inner: CardEmulator) {}
  get atr() {
    return this.inner.atr;
  }
  get lastExchangeMicros() {
    return this.inner.lastExchangeMicros;
  }
  powerOn() {
    this.inner.powerOn();
  }
  powerOff() {
    this.inner.powerOff();
  }
  transmit(capdu: Uint8Array) {
    const t0 = process.hrtime.bigint();
    const r = this.inner.transmit(capdu);
    this.emulationMicros += Number(process.hrtime.bigint() - t0) / 1000;
    this.airMicros += this.inner.lastExchangeMicros;
    return r;
  }
  /** Starts a new tap's counts. */
  reset(inner: CardEmulator): this {
    this.inner = inner;
    this.airMicros = 0;
    this.emulationMicros = 0;
    return this;
  }
}
