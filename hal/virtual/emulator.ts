/**
 * What a card emulator offers the virtual reader, the vpcd bridge and benchmarks: the card side
 * of ISO 7816-4 over ISO 14443-4. The QuickPass virtual card (card.ts) implements it; so can a
 * trace player.
 */
export interface CardEmulator {
  /** The ATR / ATS-derived ATR a PC/SC reader would report. */
  readonly atr: Uint8Array;
  /** The card enters the field (power on / reset): volatile state (selected application, GPO) is cleared. */
  powerOn(): void;
  /** The card leaves the field. Uncommitted transactions are lost, as on a real card. */
  powerOff(): void;
  /**
   * Processes one C-APDU. Returns the R-APDU (data ‖ SW1 SW2), or `null` when the card has left
   * the field (fault injection "leave after command N"): the reader reports it as card removal.
   */
  transmit(capdu: Uint8Array): Uint8Array | null;
  /**
   * Simulated time on the air plus card processing for the last exchange, in microseconds (the
   * latency model: ISO 14443 bit rate + per-command processing time). 0 when no model applies.
   */
  readonly lastExchangeMicros: number;
}
