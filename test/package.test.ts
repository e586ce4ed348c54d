/**
 * The package as a user gets it: the built ESM and CJS entry points load (without pcsclite or
 * node-hid being required), the subpath exports resolve, and the `bin` launcher runs the CLI.
 * Needs `dist/` — `npm install` / `npm run build` makes it (CI runs `npm ci`, which builds).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const built = existsSync('dist/index.js') && existsSync('dist/cli.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, args, { encoding: 'utf8', input });

// Skipped with this reason when dist/ is missing (a checkout where `npm install` / `npm run build` has not run).
describe.skipIf(!built)(built ? 'the built package' : 'the built package (skipped: dist/ missing — run `npm run build`)', () => {
  it('loads as ESM and CJS, with every subpath export', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const sub of Object.keys(pkg.exports).filter((s) => s !== './package.json')) {
      const name = sub === '.' ? 'shanfu' : `shanfu/${sub.slice(2)}`;
      const esm = run(['--input-type=module', '-e', `const m = await import('${name}'); console.log(Object.keys(m).length)`]);
      expect(esm.stderr).toBe('');
      expect(Number(esm.stdout)).toBeGreaterThan(0);
      const cjs = run(['-e', `console.log(Object.keys(require('${name}')).length)`]);
      expect(cjs.stderr).toBe('');
      expect(Number(cjs.stdout)).toBeGreaterThan(0);
    }
  });

  it('does not load pcsclite or node-hid on import', () => {
    const r = run(['--input-type=module', '-e',
      `import { createRequire } from 'node:module'; await import('shanfu');
       const req = createRequire(import.meta.url);
       const loaded = Object.keys(req.cache).filter((k) => /pcsclite|node-hid/.test(k));
       console.log(JSON.stringify(loaded))`]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('runs the CLI through bin/shanfu.js with the tlv decode contract', () => {
    const ok = run(['bin/shanfu.js', 'tlv', 'decode', '--json', '--apdu', '9F02060000000002009000']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, tlv: [{ tag: '9F02', length: 6, value: '000000000200' }] });
    const bad = run(['bin/shanfu.js', 'tlv', 'decode', '--json', '9F0206000000']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, offset: 0 });
    const usage = run(['bin/shanfu.js', 'tlv', 'decode', '--json', 'XY']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/not hex/);
  });
});
