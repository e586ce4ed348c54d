/**
 * The HTML report a QA lead opens in a browser: one self-contained file (inline CSS and JS, no network).
 * The verdict table with filters by group and result; a click on a case opens its taps — expected vs
 * actual, and a timeline of its exchanges (command, bytes, card time on the air, kernel time) whose
 * decoded data (decode.ts) is one more click away. A failing case opens on its first difference: the
 * exchange (or the outcome field) is highlighted and the exchange's decoded data already open.
 */
import type { LoadError } from './loader.js';
import type { CaseResult } from './runner.js';
import { ExchangeDecoder } from './decode.js';
import { reasonCoverage } from './coverage.js';
import type { RunSummary } from './report-text.js';

/** The data the page renders (also what a test can inspect). */
function pageData(results: readonly CaseResult[], loadErrors: readonly LoadError[], summary: RunSummary, generatedAt: string) {
  return {
    generatedAt,
    summary,
    loadErrors,
    coverage: reasonCoverage(results).map((r) => ({ code: r.code, reason: r.reason, count: r.cases.length, cases: r.cases.slice(0, 5), note: r.note ?? null })),
    cases: results.map((r) => ({
      id: r.id, title: r.title, group: r.group, covers: r.covers, file: r.file, status: r.status, error: r.error ?? null, difference: r.difference, micros: Math.round(r.micros),
      taps: r.taps.map((t) => {
        const decoder = new ExchangeDecoder();
        return {
          transaction: t.transaction,
          expect: t.expect,
          actual: { ...t.actual, apdus: undefined },
          exchanges: t.exchanges.map((x) => ({ command: x.command, c: x.c, r: x.r, sw: x.sw, error: x.error ?? null, air: Math.round(x.airMicros), kernel: +x.kernelMicros.toFixed(1), decoded: decoder.describe(x.c, x.r, x.error).join('\n') })),
        };
      }),
    })),
  };
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:20px;margin:0 0 4px}.sum{margin:0 0 12px;color:#555}
.filters{margin:8px 0;display:flex;gap:12px;align-items:center}
table{border-collapse:collapse;width:100%}th,td{padding:3px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}
tr.case{cursor:pointer}tr.case:hover{background:#f7f9ff}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600;color:#fff}
.pass{background:#2e7d32}.fail{background:#c62828}.error{background:#ef6c00}
.diffmsg{color:#b71c1c;font-family:monospace;font-size:12px}
td.detail{background:#fafafa;padding:8px 16px}
.fields td{font-family:monospace;font-size:12px;border:none;padding:1px 8px}
.fields tr.diff-field td{background:#ffcdd2;font-weight:600}
.exchange{font-family:monospace;font-size:12px;border-left:3px solid #90caf9;margin:2px 0;padding:2px 6px;cursor:pointer}
.exchange.diff{border-left-color:#c62828;background:#ffebee}
.exchange .bar{display:inline-block;height:8px;background:#64b5f6;vertical-align:middle;margin-left:6px}
.exchange .kbar{display:inline-block;height:8px;background:#ffb74d;vertical-align:middle}
pre.decoded{margin:4px 0 6px 24px;background:#fff;border:1px solid #ddd;padding:6px;white-space:pre-wrap;font-size:12px}
.hidden{display:none}
code{font-size:12px;word-break:break-all}
table#cases{table-layout:fixed}
#cases th:nth-child(1){width:4.5em}#cases th:nth-child(2){width:16em}#cases th:nth-child(3){width:8em}#cases th:nth-child(5){width:16em}
td.diffmsg,.exchange,pre.decoded,code{word-break:break-all;overflow-wrap:anywhere}
table.fields{width:auto}
mark{background:#ffeb3b;font-weight:700}
`;

const JS = `
const data = JSON.parse(document.getElementById('report-data').textContent);
const $ = (s, e = document) => e.querySelector(s);
const el = (tag, attrs = {}, ...kids) => { const n = document.createElement(tag); for (const [k, v] of Object.entries(attrs)) { if (k === 'class') n.className = v; else if (k.startsWith('data-')) n.setAttribute(k, v); else n[k] = v; } for (const k of kids) n.append(k); return n; };
const s = data.summary;
$('#summary').textContent = s.total + ' cases: ' + s.passed + ' passed, ' + s.failed + ' failed, ' + (s.errors + s.loadErrors) + ' could not run — ' + s.casesPerSecond + ' cases/s — ' + data.generatedAt;
const groups = [...new Set(data.cases.map((c) => c.group))];
for (const g of groups) $('#group').append(el('option', { value: g, textContent: g }));
const tbody = $('#cases tbody');
const verdict = (c) => { const t = c.taps[c.taps.length - 1]; return t ? t.actual.outcome + ' ' + t.actual.reason : '-'; };
for (const c of data.cases) {
  const row = el('tr', { class: 'case', 'data-id': c.id, 'data-group': c.group, 'data-status': c.status },
    el('td', {}, el('span', { class: 'badge ' + c.status, textContent: c.status })),
    el('td', {}, el('code', { textContent: c.id })), el('td', { textContent: c.group }), el('td', { textContent: c.title }),
    el('td', { textContent: verdict(c) }),
    el('td', { class: 'diffmsg', textContent: c.difference ? c.difference.message : c.error || '' }));
  const detail = el('tr', { class: 'details hidden', 'data-for': c.id }, el('td', { class: 'detail', colSpan: 6 }));
  row.addEventListener('click', () => toggle(c, detail));
  tbody.append(row, detail);
}
/** hex with the first byte that differs from other marked. */
function marked(hex, other) {
  let i = 0;
  while (i < hex.length && hex[i] === other[i]) i++;
  i -= i % 2;
  if (i >= hex.length) return el('span', { textContent: hex });
  return el('span', {}, hex.slice(0, i), el('mark', { textContent: hex.slice(i, i + 2) }), hex.slice(i + 2));
}
function fmt(v) { return v === null || v === undefined ? '(none)' : String(v); }
function toggle(c, detail) {
  detail.classList.toggle('hidden');
  const cell = detail.firstChild;
  if (cell.childNodes.length) return;
  cell.append(el('div', { textContent: 'covers: ' + c.covers }), el('div', { textContent: 'file: ' + c.file }));
  if (c.error) cell.append(el('div', { class: 'diffmsg', textContent: 'could not run: ' + c.error }));
  c.taps.forEach((t, ti) => {
    const tx = t.transaction;
    cell.append(el('h3', { textContent: 'tap ' + (ti + 1) + ' — amount ' + (tx.amount / 100).toFixed(2) + ', ' + tx.date + ' ' + tx.time + ', UN ' + tx.unpredictableNumber }));
    const d = c.difference && c.difference.tap === ti ? c.difference : null;
    const fields = el('table', { class: 'fields' }, el('tr', {}, el('td', { textContent: 'field' }), el('td', { textContent: 'expected' }), el('td', { textContent: 'actual' })));
    for (const [k, v] of Object.entries(t.expect)) {
      if (k === 'apdus') continue;
      const tr = el('tr', { 'data-field': k }, el('td', { textContent: k }), el('td', { textContent: fmt(v) }), el('td', { textContent: fmt(t.actual[k]) }));
      if (d && d.exchange === null && d.field === k) tr.classList.add('diff-field');
      fields.append(tr);
    }
    cell.append(fields);
    const max = Math.max(1, ...t.exchanges.map((x) => x.air));
    const timeline = el('div', { class: 'timeline' });
    t.exchanges.forEach((x, i) => {
      const isDiff = d && d.exchange === i;
      const line = el('div', { class: 'exchange' + (isDiff ? ' diff' : ''), 'data-index': String(i) },
        (i + 1) + '. ' + x.command.padEnd(24) + ' ' + (x.sw || x.error || '') + '  air ' + (x.air / 1000).toFixed(2) + ' ms, kernel ' + x.kernel + ' µs',
        el('span', { class: 'bar', style: 'width:' + Math.round(200 * x.air / max) + 'px' }),
        el('span', { class: 'kbar', style: 'width:' + Math.max(1, Math.round(x.kernel / 50)) + 'px' }),
        el('div', {}, el('code', { textContent: '→ ' + x.c })), el('div', {}, el('code', { textContent: '← ' + (x.r || '(' + x.error + ')') })));
      if (isDiff) line.append(el('div', { class: 'diffmsg' }, 'expected ', marked(d.expected, d.actual)), el('div', { class: 'diffmsg' }, 'actual   ', marked(d.actual, d.expected)));
      const dec = el('pre', { class: 'decoded' + (isDiff ? '' : ' hidden'), textContent: x.decoded });
      line.addEventListener('click', (e) => { e.stopPropagation(); dec.classList.toggle('hidden'); });
      timeline.append(line, dec);
    });
    if (d && d.exchange !== null && d.exchange >= t.exchanges.length) timeline.append(el('div', { class: 'exchange diff', 'data-index': String(d.exchange), textContent: (d.exchange + 1) + '. (not sent) expected ' + d.expected }));
    cell.append(timeline);
  });
}
function applyFilters() {
  const g = $('#group').value, r = $('#result').value, q = $('#search').value.trim();
  for (const row of tbody.querySelectorAll('tr.case')) {
    const show = (!g || row.dataset.group === g) && (!r || row.dataset.status === r) && (!q || row.dataset.id.includes(q));
    row.classList.toggle('hidden', !show);
    const det = row.nextSibling;
    if (!show) det.classList.add('hidden');
  }
  $('#shown').textContent = tbody.querySelectorAll('tr.case:not(.hidden)').length + ' shown';
}
for (const id of ['group', 'result']) $('#' + id).addEventListener('change', applyFilters);
$('#search').addEventListener('input', applyFilters);
applyFilters();
const cov = $('#coverage tbody');
for (const r of data.coverage) cov.append(el('tr', { class: r.count ? '' : 'uncovered' }, el('td', { textContent: r.code }), el('td', { textContent: r.reason }), el('td', { textContent: r.count }), el('td', { textContent: r.count ? r.cases.join(', ') : (r.note || 'NOT REACHED') })));
`;

/** The report page. `generatedAt` is printed in the header (pass a fixed string for reproducible files). */
export function htmlReport(results: readonly CaseResult[], loadErrors: readonly LoadError[], summary: RunSummary, generatedAt = new Date().toISOString()): string {
  // </script> inside the JSON must not end the script element.
  const json = JSON.stringify(pageData(results, loadErrors, summary, generatedAt)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shanfu replay report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${CSS}</style></head>
<body>
<h1>shanfu replay report</h1>
<p class="sum" id="summary"></p>
<div class="filters">
<label>group <select id="group"><option value="">all groups</option></select></label>
<label>result <select id="result"><option value="">all results</option><option value="pass">pass</option><option value="fail">fail</option><option value="error">error</option></select></label>
<label>id <input id="search" placeholder="filter by id"></label>
<span id="shown"></span>
</div>
<table id="cases"><thead><tr><th>result</th><th>case</th><th>group</th><th>title</th><th>actual (last tap)</th><th>first difference</th></tr></thead><tbody></tbody></table>
<h2>Reason coverage</h2>
<table id="coverage"><thead><tr><th>code</th><th>reason</th><th>cases</th><th>examples / note</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="report-data">${json}</script>
<script>${JS}</script>
</body></html>
`;
}
