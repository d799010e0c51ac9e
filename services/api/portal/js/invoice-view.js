// Pieces of an invoice shown to clients and staff alike: amounts, lines, payments, the PDF.

import { api, describe } from './api.js';
import { date, money } from './format.js';
import { announce, h, statusPill, table } from './ui.js';

const METHOD_LABELS = { card: 'Card', insurance: 'Insurance', cash: 'Cash', check: 'Check', external: 'Other (outside)' };
export function methodLabel(method) { return METHOD_LABELS[method] || method; }

export function amountsSummary(invoice) {
  const rows = [
    ['Total', money(invoice.total_cents, invoice.currency)],
    ['Paid', money(invoice.paid_cents, invoice.currency)],
    ['Balance', money(invoice.balance_cents, invoice.currency)],
  ];
  if (invoice.overpaid_cents) rows.push(['Overpaid (to refund)', money(invoice.overpaid_cents, invoice.currency)]);
  return h('dl', { class: 'amounts' }, rows.map(([label, value]) => h('div', {}, h('dt', { text: label }), h('dd', { text: value }))));
}

export function invoiceFlags(invoice) {
  const flags = [];
  if (invoice.disputed) flags.push(h('span', { class: 'pill pill-disputed', text: 'Disputed' }));
  if (invoice.overpaid_cents) flags.push(h('span', { class: 'pill pill-overpaid', text: `Overpaid ${money(invoice.overpaid_cents, invoice.currency)}` }));
  return flags;
}

export function statusWithFlags(invoice) {
  return h('span', { class: 'status-cell' }, statusPill(invoice.status), invoiceFlags(invoice));
}

export function linesTable(invoice) {
  const lines = invoice.lines || [];
  if (!lines.length) return h('p', { class: 'muted', text: 'No lines.' });
  const showInsurance = lines.some((line) => line.insurance_paid_cents);
  const columns = [
    { label: 'Date' }, { label: 'Service' }, { label: 'Amount', className: 'num' },
    ...(showInsurance ? [{ label: 'Insurance paid', className: 'num' }, { label: 'Your part', className: 'num' }] : []),
  ];
  const t = table({ caption: `Lines of invoice ${invoice.number}`, columns, className: 'compact' });
  for (const line of lines) {
    const cells = [date(line.service_date), line.description, money(line.amount_cents, invoice.currency)];
    if (showInsurance) {
      cells.push(money(line.insurance_paid_cents, invoice.currency));
      cells.push(money(line.client_part_cents ?? (line.amount_cents - (line.insurance_paid_cents || 0)), invoice.currency));
    }
    t.tbody.append(h('tr', {}, cells.map((content, i) => h('td', { class: columns[i].className || '', 'data-label': columns[i].label }, content))));
  }
  return t.el;
}

function refundsOf(payment, invoice) {
  if (Array.isArray(payment.refunds)) return payment.refunds;
  return (invoice.refunds || []).filter((r) => r.payment_id === payment.id);
}

export function paymentsTable(invoice, { staff = false } = {}) {
  const payments = (invoice.payments || []).filter((p) => staff || !['pending', 'canceled'].includes(p.status));
  if (!payments.length) return h('p', { class: 'muted', text: 'No payments yet.' });
  const columns = [
    { label: 'Date' }, { label: 'Method' }, { label: 'Amount', className: 'num' },
    { label: 'Refunded', className: 'num' }, { label: 'Status' },
    ...(staff ? [{ label: 'Reference' }] : []),
  ];
  const t = table({ caption: `Payments on invoice ${invoice.number}`, columns, className: 'compact' });
  for (const p of payments) {
    const refunds = refundsOf(p, invoice);
    const status = h('span', {}, statusPill(p.status));
    if (p.status === 'failed' && p.failure_message) status.append(h('span', { class: 'failure', text: ` ${p.failure_message}` }));
    if (p.status === 'reversed' && p.reversal_reason && staff) status.append(h('span', { class: 'muted', text: ` (${p.reversal_reason})` }));
    const refunded = h('span', {}, p.refunded_cents ? money(p.refunded_cents, invoice.currency) : '—');
    if (staff && refunds.length) {
      refunded.append(h('ul', { class: 'sub-list' }, refunds.map((r) => h('li', {
        text: `${money(r.amount_cents, invoice.currency)} ${r.status || ''}${r.reason ? ` · ${r.reason}` : ''}`,
      }))));
    }
    const cells = [date(p.received_date || (p.created_at || '').slice(0, 10)), methodLabel(p.method),
      money(p.amount_cents, p.currency || invoice.currency), refunded, status];
    if (staff) cells.push(p.reference || '—');
    t.tbody.append(h('tr', {}, cells.map((content, i) => h('td', { class: columns[i].className || '', 'data-label': columns[i].label }, content))));
  }
  return t.el;
}

export function disputesList(invoice) {
  const disputes = invoice.disputes || [];
  if (!disputes.length) return null;
  return h('ul', { class: 'plain-list' }, disputes.map((d) => h('li', {},
    h('span', { class: 'pill pill-disputed', text: d.status || 'disputed' }), ' ',
    `${money(d.amount_cents, invoice.currency)}${d.reason ? ` · ${d.reason.replace(/_/g, ' ')}` : ''}`,
    d.funds_withdrawn_cents ? ` · withdrawn ${money(d.funds_withdrawn_cents, invoice.currency)}` : '',
    d.funds_reinstated_cents ? ` · reinstated ${money(d.funds_reinstated_cents, invoice.currency)}` : '')));
}

// View opens the PDF in a new tab; Download saves it. Both fetch it with the bearer token
// (a plain link could not carry it) into a blob URL.
export function pdfButtons(pdfPath, number) {
  const view = h('button', { type: 'button', class: 'secondary', text: 'View', 'aria-label': `View invoice ${number} (PDF, opens a new tab)` });
  const download = h('button', { type: 'button', class: 'secondary', text: 'Download', 'aria-label': `Download invoice ${number} (PDF)` });
  view.addEventListener('click', async () => {
    // Open the tab inside the click, before any await, so popup blockers allow it.
    const tab = window.open('', '_blank');
    try {
      const url = URL.createObjectURL(await api.blob(pdfPath));
      if (tab) { tab.opener = null; tab.location.href = url; } else { window.location.href = url; }
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      if (tab) tab.close();
      announce(`Couldn’t open the invoice: ${describe(error)}`);
    }
  });
  download.addEventListener('click', async () => {
    download.disabled = true;
    try {
      const url = URL.createObjectURL(await api.blob(pdfPath));
      const link = h('a', { href: url, download: `${number}.pdf`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      announce(`Invoice ${number} downloaded.`);
    } catch (error) {
      announce(`Couldn’t download the invoice: ${describe(error)}`);
    } finally {
      download.disabled = false;
    }
  });
  return [view, download];
}
