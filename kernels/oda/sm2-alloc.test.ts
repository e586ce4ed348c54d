import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * SM2 verification and the SM2 fDDA chain allocate nothing per operation after warm-up (BigInt
 * arithmetic allocated 30–112 KB per tap). Runs sm2-alloc-child.ts in a child Node with
 * --expose-gc and a 64 MB young generation; a negative control that allocates one object per
 * operation proves the measurement would see an allocation.
 */
function measure(count: number, mode: string): { ops: number; bytesPerOp: number; gcDuring: number; bad: number } {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', '--import', 'tsx', 'kernels/oda/sm2-alloc-child.ts', String(count), mode],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('allocation per SM2 verification', () => {
  it('verify (plain and precomputed keys): below 1 byte per verification over 1000', () => {
    const r = measure(1000, 'verify');
    expect(r.bad).toBe(0);
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerOp).toBeLessThan(1);
  }, 120_000);

  it('fDDA chain (issuer cert + ICC cert + SDAD, issuer key cached): below 1 byte per chain over 500', () => {
    const r = measure(500, 'chain');
    expect(r.bad).toBe(0);
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerOp).toBeLessThan(1);
  }, 120_000);

  it('negative control: one small object per verification is measured (≥ 16 bytes/op)', () => {
    const r = measure(600, 'control');
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerOp).toBeGreaterThanOrEqual(16);
  }, 120_000);
});
