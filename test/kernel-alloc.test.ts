import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The hot path allocates nothing per tap after warm-up (DESIGN.md hot-path rules). Runs
 * test/kernel-alloc-child.ts in a child Node with --expose-gc and a 64 MB young generation (no
 * scavenge during the measured 20k taps, so heap growth = bytes allocated). A negative control run
 * that allocates one object per tap proves the measurement would see an allocation.
 */
function measure(extra: string[]): { taps: number; bytesPerTap: number; gcDuring: number; bad: number } {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx', 'test/kernel-alloc-child.ts', '20000', ...extra],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('allocation per tap (non-ODA, recorded card)', () => {
  it('is below 1 byte per tap on average over 20k taps', () => {
    const r = measure([]);
    expect(r.bad).toBe(0);
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerTap).toBeLessThan(1);
  }, 120_000);

  it('negative control: one small object per tap is measured (≥ 16 bytes/tap)', () => {
    const r = measure(['control']);
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerTap).toBeGreaterThanOrEqual(16);
  }, 120_000);
});
