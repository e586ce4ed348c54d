/**
 * CAPK-download import (src/config/capk-download.ts, `shanfu config import-capk`). The real
 * UnionPay list is read at run time from ../shared/conformance/vectors (not copied: no licence is
 * visible on it); those tests are skipped, with that reason, when the shared directory is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseCapkDownload } from '../src/config/capk-download.js';
import { validateConfig } from '../src/config/terminal-config.js';
import { createOdaProvider } from '../src/config/oda-provider.js';
import { capkChecksum } from '../kernels/oda/capk.js';
import { fromHex, toHex } from '../kernels/util/hex.js';
import { ShanfuError } from '../kernels/util/errors.js';

const LIST = '../shared/conformance/vectors/unionpay_capk_A000000333.json';
const have = existsSync(LIST);
type Key = { tlv_record_hex: string; rid: string; index: string; modulus_DF02: string; exponent_DF04: string; expiry_decoded?: string; expiry_DF05: string };
const keys = (): Key[] => (JSON.parse(readFileSync(LIST, 'utf8')) as { keys: Key[] }).keys;

/** A CAPK record built here from a made-up modulus, with a correct checksum unless told otherwise. */
function record({ expiry = 'DF050420301231', alg = '01', checksum }: { expiry?: string; alg?: string; checksum?: string } = {}): string {
  const rid = 'A000000999';
  const modulus = 'C1'.repeat(64);
  const sum = checksum ?? toHex(capkChecksum(fromHex(rid), 0x42, fromHex(modulus), fromHex('03')));
  return `9F0605${rid}9F220142${expiry}DF060101DF0701${alg}DF0281 40${modulus}DF040103DF0314${sum}`.replace(/ /g, '');
}

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('parseCapkDownload', () => {
  it('reads concatenated records, BCD and ASCII expiry, and checks every DF03', () => {
    const ascii = record({ expiry: 'DF05083230333031323331' });
    const got = parseCapkDownload(record() + '\n' + ascii.toLowerCase());
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ rid: 'A000000999', index: '42', exponent: '03', expiry: '20301231' });
    expect(got[1]!.expiry).toBe('20301231');
    expect(got[0]!.modulus).toBe('C1'.repeat(64));
  });

  it('refuses a key whose checksum does not match, naming the record and both values', () => {
    const bad = record({ checksum: '00'.repeat(20) });
    expect(() => parseCapkDownload(record() + bad)).toThrow(/CAPK record 2: DF03 checksum 0{40} does not match/);
  });

  it('refuses non-RSA keys, missing fields, stray data and non-TLV input with config.capk-download', () => {
    const cases = [record({ alg: '04' }), record().replace(/DF0281 ?40C1+/, ''), 'DF0101019F0605A000000999', '9F06', ''];
    for (const c of cases) {
      let err: unknown;
      try {
        parseCapkDownload(c);
      } catch (e) {
        err = e;
      }
      expect(err, c).toBeInstanceOf(ShanfuError);
      expect((err as ShanfuError).code).toBe('config.capk-download');
    }
  });
});

describe.skipIf(!have)('the published UnionPay CAPK list (../shared, read at run time)', () => {
  it('imports every key with the values the list decodes, and the result loads into the ODA key store', () => {
    const list = keys();
    const got = parseCapkDownload(list.map((k) => k.tlv_record_hex).join(''));
    expect(got.map((k) => [k.rid, k.index, k.modulus, k.exponent])).toEqual(list.map((k) => [k.rid, k.index, k.modulus_DF02, k.exponent_DF04]));
    for (let i = 0; i < list.length; i++) expect(got[i]!.expiry).toBe(/^\d{8}$/.test(list[i]!.expiry_decoded ?? '') ? list[i]!.expiry_decoded : list[i]!.expiry_DF05);
    const cfg = validateConfig({ aids: [{ aid: 'A000000333010101' }], capks: got });
    expect(cfg.capks).toHaveLength(list.length);
    expect(createOdaProvider(cfg)).toBeTruthy();
  });

  it('`shanfu config import-capk` writes a configuration that `shanfu config check` accepts; a flipped byte is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-capk-'));
    const hex = keys().map((k) => k.tlv_record_hex).join('\n');
    writeFileSync(join(dir, 'capk.hex'), hex);
    const out = join(dir, 'terminal.json');
    const imp = cli('config', 'import-capk', join(dir, 'capk.hex'), '--out', out);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).toMatch(/10 CA keys imported/);
    const check = cli('config', 'check', out);
    expect([check.status, check.stdout]).toEqual([0, expect.stringMatching(/valid \(5 AIDs, 10 RSA CA keys/)]);
    // One modulus nibble changed: the checksum no longer matches → exit 2 with the reason.
    writeFileSync(join(dir, 'bad.hex'), hex.replace('DF028180BB', 'DF028180BC'));
    const bad = cli('config', 'import-capk', join(dir, 'bad.hex'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/CAPK record 1: DF03 checksum .* does not match/);
  });
});
