import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// vitest workers run without --expose-gc, so the measurement runs in a child node process
// (bench/alloc-probe.ts: gc() + heapUsed deltas over 100k operations after a warm-up).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('hot-path allocation (DESIGN: kernels are allocation-free)', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/alloc-probe.ts', '100000'], { cwd: root, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;

  it('walks real responses with TlvCursor at < 1 byte per walk (100k walks)', () => {
    expect(r.iterations).toBe(100_000);
    expect(r.responses).toBeGreaterThanOrEqual(12);
    expect(r['cursor.walk']).toBeLessThan(1);
    expect(r['cursor.validate']).toBeLessThan(1);
    expect(r['cursor.find']).toBeLessThan(1);
  });
  it('stores TLV, builds DOL data, parses the AFL and reads BCD without allocating', () => {
    for (const k of ['tagStore.storeTlv', 'dol.buildDolData', 'afl.parseAndWalk', 'bcd.read']) expect(r[k], k).toBeLessThan(1);
  });
  it('sees allocations when there are some (control: decodeTlv builds a tree)', () => {
    expect(r['control.decodeTlv']).toBeGreaterThan(100);
  });
});
