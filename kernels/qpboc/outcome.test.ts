import { describe, expect, it } from 'vitest';
import { Reason, REASONS, reasonName, OUTCOME_NAMES, Outcome, outcomeName } from './outcome.js';

describe('REASONS table', () => {
  it('has one entry per Reason code, at its index, with a unique kebab-case name and a description', () => {
    const codes = Object.values(Reason);
    expect(REASONS.length).toBe(codes.length);
    for (const c of codes) {
      expect(REASONS[c]!.code).toBe(c);
      expect(REASONS[c]!.name).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(REASONS[c]!.description.length).toBeGreaterThan(10);
    }
    expect(new Set(REASONS.map((r) => r.name)).size).toBe(REASONS.length);
    expect(reasonName(Reason.DenyList)).toBe('deny-list');
    expect(reasonName(999)).toBe('unknown');
  });
  it('outcome names', () => {
    expect(OUTCOME_NAMES.length).toBe(Object.keys(Outcome).length);
    expect(outcomeName(Outcome.TryAnotherInterface)).toBe('try-another-interface');
  });
});
