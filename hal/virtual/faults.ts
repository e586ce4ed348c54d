/**
 * Fault injection: per-card rules that change what the card answers, configured in the
 * personality (`faults`) or at run time (`card.faults.add(...)`).
 *
 * A rule matches command number `command` (1-based, counted from power-on, every C-APDU including
 * GET RESPONSE) or every command with INS `ins`, and fires `times` times (default 1) over the card's
 * life; `skip` ignores the first matches (e.g. `{ ins: 'B2', skip: 4 }` = the 5th READ RECORD). Actions:
 * - `status`:   answer `sw` instead of processing the command (no side effects);
 * - `truncate`: drop the last `bytes` bytes of response data (the SW stays);
 * - `mutate`:   XOR response data byte `offset` with `xor`;
 * - `chain61`:  answer 61xx and serve the data through GET RESPONSE (00 C0), `chunk` bytes at a time;
 * - `wrongLe`:  answer 6Cxx when the command's Le is not the exact length; the re-issued command with
 *               Le = xx gets the response (the command ran once, at the first issue);
 * - `delay`:    add `micros` to lastExchangeMicros;
 * - `leaveField`: the card leaves the field: transmit returns null from this command until the next
 *               powerOn. With `processed: true` the card runs the command first (its response is
 *               lost on the air, e.g. the last record read commits the debit but the reader never sees it).
 */
export type FaultAction = 'status' | 'truncate' | 'mutate' | 'chain61' | 'wrongLe' | 'delay' | 'leaveField';

export type FaultSpec = {
  command?: number;
  ins?: string;
  action: FaultAction;
  times?: number;
  /** Matches to let pass before the rule fires (default 0). */
  skip?: number;
  sw?: string;
  bytes?: number;
  offset?: number;
  xor?: number;
  chunk?: number;
  micros?: number;
  processed?: boolean;
};

type ActiveFault = { spec: FaultSpec; remaining: number; toSkip: number; ins: number };

export class FaultInjector {
  private rules: ActiveFault[] = [];

  constructor(specs: FaultSpec[] = []) {
    for (const s of specs) this.add(s);
  }

  /** Adds a rule at run time. */
  add(spec: FaultSpec): void {
    if (spec.command === undefined && spec.ins === undefined) throw new TypeError('fault needs `command` or `ins`');
    this.rules.push({ spec, remaining: spec.times ?? 1, toSkip: spec.skip ?? 0, ins: spec.ins === undefined ? -1 : parseInt(spec.ins, 16) });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The rules that fire for this command (consumes one use of each). */
  take(commandNumber: number, ins: number): FaultSpec[] {
    const out: FaultSpec[] = [];
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      const hit = r.spec.command !== undefined ? r.spec.command === commandNumber && (r.ins < 0 || r.ins === ins) : r.ins === ins;
      if (!hit) continue;
      if (r.toSkip > 0) {
        r.toSkip--;
        continue;
      }
      r.remaining--;
      out.push(r.spec);
    }
    return out;
  }
}
