// Reports: A/R aging — what each client owes by days past due, as of today in the practice's time
// zone: the practice's total and its ten largest balances as stacked bars, the largest hundred in the
// table (every client in the CSV) — and what was collected each month (card, bank debit, by hand,
// insurance, less refunds) for a chosen range of months, as a chart, a table and CSV.

import { api, describe, query } from '../api.js';
import { date, money } from '../format.js';
import { announce, clear, errorBox, field, h, KeyedRows, loading, table } from '../ui.js';

const BUCKETS = [
  ['current', 'Current', '#2f855a'],
  ['days_1_30', '1–30 days', '#b7791f'],
  ['days_31_60', '31–60 days', '#dd6b20'],
  ['days_61_90', '61–90 days', '#c53030'],
  ['days_over_90', 'Over 90 days', '#822727'],
];
const KINDS = [
  ['card', 'Card', '#2b6cb0'],
  ['ach', 'Bank debit (ACH)', '#2c7a7b'],
  ['manual', 'Cash, check, other', '#6b46c1'],
  ['insurance', 'Insurance', '#718096'],
];
const CHART_CLIENTS = 10;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  el.append(...children);
  return el;
}

// Colours: the SVG's fill attributes, and app.css's .bucket-* for the legend (the CSP allows no inline styles).
// One stacked bar a row: the label, the segments (each with a tooltip), the total.
function stackedBars(rows, currency, segments = BUCKETS, name = 'Open balances by days past due') {
  const largest = Math.max(1, ...rows.map((r) => r.total));
  const rowHeight = 34;
  const chart = svg('svg', {
    class: 'aging-chart',
    viewBox: `0 0 1000 ${rows.length * rowHeight}`,
    // Stretched across, never taller: each bar stays level with its label's 34 px row.
    preserveAspectRatio: 'none',
    width: '100%',
    height: String(rows.length * rowHeight),
    role: 'img',
    'aria-label': `${name}: ${rows.map((r) => `${r.label} ${money(r.total, currency)}`).join('; ')}.`,
  });
  rows.forEach((row, i) => {
    let x = 0;
    for (const [key, label, colour] of segments) {
      const width = (row[key] / largest) * 1000;
      if (width > 0) {
        chart.append(svg('rect', { x, y: i * rowHeight + 6, width, height: rowHeight - 12, fill: colour },
          svg('title', {}, `${row.label} · ${label}: ${money(row[key], currency)}`)));
      }
      x += width;
    }
  });
  const labels = h('ol', { class: 'aging-labels', 'aria-hidden': 'true' },
    rows.map((row) => h('li', {}, h('span', { class: 'who', text: row.label }), h('span', { class: 'num', text: money(row.total, currency) }))));
  const legend = h('ul', { class: 'aging-legend' },
    segments.map(([key, label]) => h('li', {}, h('span', { class: `swatch bucket-${key}` }), label)));
  return h('div', { class: 'aging-chart-wrap' }, legend, h('div', { class: 'aging-bars' }, labels, chart));
}

export function renderReports(main) {
  document.title = 'Reports · clinicpay';
  const asOf = h('p', { class: 'muted' });
  const download = h('button', { type: 'button', class: 'secondary', text: 'Download CSV' });
  const chartArea = h('div', { class: 'card aging-chart-card' }, loading());
  const listArea = h('div', { class: 'card flush' });
  const collections = collectionsSection();
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Accounts receivable aging' }), asOf, download),
    chartArea, listArea, collections));

  const columns = [
    { label: 'Client', sticky: true, render: (r) => r.client_name },
    ...BUCKETS.map(([key, label]) => ({ label, className: 'num', render: (r, currency) => money(r[key], currency) })),
    { label: 'Total', className: 'num strong', render: (r, currency) => money(r.total, currency) },
    { label: 'Oldest due', render: (r) => date(r.oldest_due_date) },
  ];
  let report = null;
  const withCurrency = columns.map((c) => ({ ...c, render: (r) => c.render(r, report.currency) }));
  const t = table({ caption: 'Open balances by client', columns: withCurrency, className: 'aging' });
  const rows = new KeyedRows(t.tbody, withCurrency, { keyOf: (r) => r.client_id });

  download.addEventListener('click', () => downloadCsv(download, '/v1/reports/aging.csv', `aging-${report ? report.as_of : 'today'}.csv`, 'The aging report'));

  (async () => {
    try {
      report = await api.get('/v1/reports/aging');
    } catch (error) {
      clear(chartArea, errorBox(describe(error)));
      return;
    }
    asOf.textContent = `As of ${date(report.as_of)} · ${money(report.totals.total, report.currency)} owed on ${report.totals.invoice_count} invoice${report.totals.invoice_count === 1 ? '' : 's'}`;
    if (!report.clients.length) {
      clear(chartArea, h('p', { class: 'empty-note', text: 'Nobody owes anything. Every invoice is paid.' }));
      return;
    }
    const bars = [{ label: 'All clients', ...report.totals },
      ...report.clients.slice(0, CHART_CLIENTS).map((c) => ({ label: c.client_name, ...c }))];
    clear(chartArea, stackedBars(bars, report.currency));
    const totalsRow = { client_id: 'all', client_name: 'All clients', oldest_due_date: null, ...report.totals };
    rows.update([...report.clients, totalsRow]);
    const more = report.has_more
      ? h('p', { class: 'muted table-note', dataset: { testid: 'aging-more' }, text: `The ${report.clients.length} largest balances of ${report.client_count} clients who owe; “All clients” counts every one, and the CSV lists them all.` })
      : null;
    clear(listArea, t.el, more);
  })();
}

async function downloadCsv(button, path, filename, what) {
  button.disabled = true;
  try {
    const url = URL.createObjectURL(await api.blob(path));
    const link = h('a', { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(`${what} was downloaded.`);
  } catch (error) {
    announce(`Couldn’t download the report: ${describe(error)}`);
  } finally {
    button.disabled = false;
  }
}

const monthLabel = (month) => new Date(`${month}-15T12:00:00Z`).toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

// Collected per month: the last twelve months by default, or the range chosen (at most 24).
function collectionsSection() {
  const from = h('input', { type: 'month', name: 'from' });
  const to = h('input', { type: 'month', name: 'to' });
  const range = h('form', { class: 'filters compact', 'aria-label': 'Choose the months' },
    field('From', from), field('To', to),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Show' })));
  const download = h('button', { type: 'button', class: 'secondary', text: 'Download collections CSV' });
  const summary = h('p', { class: 'muted' });
  const chartArea = h('div', { class: 'card aging-chart-card' }, loading());
  const listArea = h('div', { class: 'card flush' });
  let report = null;
  const columns = [
    { label: 'Month', render: (m) => (m.month === 'total' ? 'All months' : monthLabel(m.month)) },
    ...KINDS.map(([key, label]) => ({ label, className: 'num', render: (m) => money(m[key], report.currency) })),
    { label: 'Refunds', className: 'num', render: (m) => (m.refunds ? `−${money(m.refunds, report.currency)}` : money(0, report.currency)) },
    { label: 'Net', className: 'num strong', render: (m) => money(m.net, report.currency) },
  ];
  const t = table({ caption: 'Collected per month', columns, className: 'collections' });
  const rows = new KeyedRows(t.tbody, columns, { keyOf: (m) => m.month });

  let asked = 0;
  async function load() {
    clear(chartArea, loading());
    const mine = ++asked;
    const wanted = { from: from.value, to: to.value };
    let answer;
    try {
      answer = await api.get(`/v1/reports/collections${query(wanted)}`);
    } catch (error) {
      if (mine !== asked) return;
      clear(chartArea, errorBox(describe(error, {
        month_range_too_long: 'Choose at most 24 months.',
        month_range_reversed: 'The first month is after the last one.',
      })));
      return;
    }
    // An answer overtaken by a newer question is dropped, and months typed meanwhile are kept.
    if (mine !== asked) return;
    report = answer;
    if (from.value === wanted.from) from.value = report.from_month;
    if (to.value === wanted.to) to.value = report.to_month;
    summary.textContent = `${money(report.totals.net, report.currency)} collected, net of ${money(report.totals.refunds, report.currency)} refunded, ${monthLabel(report.from_month)} – ${monthLabel(report.to_month)}`;
    const bars = report.months.map((m) => ({ ...m, label: monthLabel(m.month), total: KINDS.reduce((sum, [key]) => sum + m[key], 0) }));
    clear(chartArea, bars.some((b) => b.total) ? stackedBars(bars, report.currency, KINDS, 'Collected per month')
      : h('p', { class: 'empty-note', text: 'Nothing was collected in these months.' }));
    rows.update([...report.months, report.totals]);
    clear(listArea, t.el);
  }

  range.addEventListener('submit', (event) => { event.preventDefault(); load(); });
  download.addEventListener('click', () => downloadCsv(download,
    `/v1/reports/collections.csv${query({ from: from.value, to: to.value })}`,
    `collections-${from.value || 'from'}-to-${to.value || 'now'}.csv`, 'The collections report'));
  load();
  return h('div', { class: 'report-section' },
    h('div', { class: 'page-head' }, h('h2', { text: 'Collected per month' }), summary, download),
    range, chartArea, listArea);
}
