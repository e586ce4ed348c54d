/**
 * The HTML replay report in a real headless browser (Debian chromium driven by playwright-core): the
 * whole suite plus one case whose expected GPO C-APDU has one byte changed. The page must show every
 * case, filter by group and by result, and open the failing case on the altered exchange (highlighted,
 * its decoded data already shown). A screenshot of that view is written beside the report (temp folder).
 * Skips with the reason when /usr/bin/chromium is absent, except in CI.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadCases } from '../src/qa/loader.js';
import { validateCase } from '../src/qa/case.js';
import { runCases, type CaseResult } from '../src/qa/runner.js';
import { htmlReport } from '../src/qa/report-html.js';
import { summarize } from '../src/qa/report-text.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (missing && process.env.CI) throw new Error(`CI must run the browser test: ${missing}`);
const ALTERED_EXCHANGE = 2; // the GPO of gpo-format2-tc

let browser: Browser;
let page: Page;
let results: CaseResult[] = [];
let file = '';

describe.skipIf(!!missing)(`HTML report in headless chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    const { cases, errors } = loadCases(['test-vectors/cases']);
    expect(errors).toEqual([]);
    const raw = JSON.parse(readFileSync('test-vectors/cases/03-gpo/gpo-format2-tc.json', 'utf8'));
    raw.id = 'gpo-format2-tc-altered';
    const gpo: string = raw.expect.apdus[ALTERED_EXCHANGE];
    raw.expect.apdus[ALTERED_EXCHANGE] = gpo.slice(0, 20) + (gpo.slice(20, 22) === 'FF' ? '00' : 'FF') + gpo.slice(22);
    results = await runCases([...cases, validateCase(raw, 'altered.json')]);
    const dir = mkdtempSync(join(tmpdir(), 'shanfu-qa-html-'));
    file = join(dir, 'report.html');
    writeFileSync(file, htmlReport(results, [], summarize(results, [], 1), 'test run'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    const errorsSeen: string[] = [];
    page.on('pageerror', (e) => errorsSeen.push(e.message));
    await page.goto(pathToFileURL(file).href);
    expect(errorsSeen).toEqual([]);
    expect(requests).toEqual([]); // self-contained: no network
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows every case with its verdict', async () => {
    const ids = await page.$$eval('#cases tr.case', (rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(ids).toEqual(results.map((r) => r.id));
    expect(await page.locator('#cases tr.case[data-status="fail"]').count()).toBe(1);
    expect(await page.locator('#summary').textContent()).toContain(`${results.length} cases: ${results.length - 1} passed, 1 failed`);
    expect(await page.locator('#coverage tbody tr').count()).toBe(42);
  });

  it('filters by group and by result', async () => {
    await page.selectOption('#group', 'removal');
    const visible = () => page.$$eval('#cases tr.case', (rows) => rows.filter((r) => !r.classList.contains('hidden')).map((r) => `${r.getAttribute('data-group')} ${r.getAttribute('data-status')}`));
    const removal = await visible();
    expect(removal.length).toBe(results.filter((r) => r.group === 'removal').length);
    expect(new Set(removal)).toEqual(new Set(['removal pass']));
    await page.selectOption('#group', '');
    await page.selectOption('#result', 'fail');
    expect(await visible()).toEqual(['gpo fail']);
  });

  it('opens the failing case on the altered exchange, highlighted with its decoded data', async () => {
    await page.click('#cases tr.case[data-id="gpo-format2-tc-altered"]');
    const details = page.locator('tr.details[data-for="gpo-format2-tc-altered"]');
    await expect.poll(() => details.isVisible()).toBe(true);
    const diff = details.locator('.exchange.diff');
    expect(await diff.count()).toBe(1);
    expect(await diff.getAttribute('data-index')).toBe(String(ALTERED_EXCHANGE));
    expect(await diff.textContent()).toContain('GET PROCESSING OPTIONS');
    expect(await diff.locator('mark').first().textContent()).toBe(results.find((x) => x.id === 'gpo-format2-tc-altered')!.difference!.expected.slice(20, 22));
    const decoded = diff.locator('xpath=following-sibling::pre[1]');
    expect(await decoded.isVisible()).toBe(true);
    expect(await decoded.textContent()).toContain('9F66 Terminal Transaction Qualifiers');
    // Any other exchange's decoded data is one click away.
    const first = details.locator('.exchange[data-index="0"]');
    const firstDecoded = first.locator('xpath=following-sibling::pre[1]');
    expect(await firstDecoded.isVisible()).toBe(false);
    await first.click();
    expect(await firstDecoded.isVisible()).toBe(true);
    expect(await firstDecoded.textContent()).toContain('2PAY.SYS.DDF01');
    const shot = join(dirname(file), 'qa-report-failure.png');
    await diff.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot, fullPage: false });
    expect(existsSync(shot)).toBe(true);
    console.log(`screenshot: ${shot}; report: ${file}`);
  });

  it('a field difference highlights the field row', async () => {
    const r = results.find((x) => x.id === 'gpo-format2-tc-altered')!;
    expect(r.difference?.field).toBe('apdu');
    // A passing case has no highlight at all.
    await page.selectOption('#result', '');
    await page.click('#cases tr.case[data-id="sel-ppse-single-aid"]');
    const details = page.locator('tr.details[data-for="sel-ppse-single-aid"]');
    expect(await details.locator('.diff, .diff-field').count()).toBe(0);
    expect(await details.locator('.exchange').count()).toBe(8);
  });
});
