import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `DenyListStore.isDenied` runs on every tap, so it follows the kernel's hot-path rule: nothing
 * allocated per lookup after warm-up. Measured in a child Node (test/denylist-alloc-child.ts) with
 * --expose-gc and a fixed 64 MB young generation (min = max: the control's 6.4 MB per round would
 * otherwise trigger scavenges while the young generation grows), with a negative control that allocates one object per lookup.
 */
function measure(n: number, mode?: string): { ops: number; bytesPerOp: number; gcDuring: number; hits: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', '--min-semi-space-size=64', '--import', 'tsx', 'test/denylist-alloc-child.ts', String(n), ...(mode ? [mode] : [])], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('deny-list lookup allocation', () => {
  it('is below 0.1 byte per lookup over 200k lookups (half hits, half misses)', () => {
    const r = measure(200000);
    expect(r.hits).toBe(100000);
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerOp).toBeLessThan(0.1);
  });

  it('negative control: one small object per lookup is measured (≥ 16 bytes/lookup)', () => {
    const r = measure(200000, 'control');
    expect(r.gcDuring).toBe(0);
    expect(r.bytesPerOp).toBeGreaterThanOrEqual(16);
  });

  it('a whole kernel tap with the deny list in its path stays below 1 byte per tap (card unlisted, and listed → declined)', () => {
    for (const mode of ['kernel', 'kernel-denied']) {
      const r = measure(20000, mode);
      expect(r.hits, mode).toBe(20000); // every tap ended as expected: approved, or declined by the list
      expect(r.gcDuring, mode).toBe(0);
      expect(r.bytesPerOp, mode).toBeLessThan(1);
    }
  });
});
