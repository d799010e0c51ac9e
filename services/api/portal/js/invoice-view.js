// Pieces of an invoice shown to clients and staff alike: amounts, lines, payments, the PDF.

import { api, describe } from './api.js';
import { date, money } from './format.js';
import { announce, h, statusPill, table } from './ui.js';

const METHOD_LABELS = { card: 'Card', insurance: 'Insurance', cash: 'Cash', check: 'Check', external: 'Other (outside)' };
// A payment through Stripe says what it was paid with (wallets are cards).
const STRIPE_TYPE_LABELS = { card: 'Card', link: 'Link', us_bank_account: 'Bank debit (ACH)' };
export function methodLabel(method, paymentMethodType) {
  if (method === 'card' && paymentMethodType) return STRIPE_TYPE_LABELS[paymentMethodType] || paymentMethodType;
  return METHOD_LABELS[method] || method;
}

// Money on its way (a bank debit takes days and may still fail): said, never counted as paid.
export function pendingNote(invoice, { staff = false } = {}) {
  if (!invoice.processing_cents) return null;
  const amount = money(invoice.processing_cents, invoice.currency);
  return h('p', { class: 'notice pending-note', text: staff
    ? `${amount} is on its way by bank debit (ACH takes up to four business days). It is not counted as paid until the bank confirms it.`
    : `Your payment of ${amount} is pending: a bank payment takes up to four business days. The invoice shows as paid once your bank confirms it.` });
}

// Bank debits that came back failed (days after the client paid): the invoice is open again.
export function failedBankDebits(invoice, { staff = false } = {}) {
  const failed = (invoice.payments || []).filter((p) => p.status === 'failed' && p.payment_method_type === 'us_bank_account');
  if (!failed.length || invoice.balance_cents === 0) return null;
  return failed.map((p) => h('p', { class: 'notice warn', text: staff
    ? `A bank payment of ${money(p.amount_cents, invoice.currency)} failed: ${p.failure_message || 'the bank returned it'}. The invoice is open again — contact the client.`
    : `Your bank payment of ${money(p.amount_cents, invoice.currency)} did not go through: ${p.failure_message || 'your bank returned it'}. The invoice is open again; you can pay it now.` }));
}

export function amountsSummary(invoice) {
  const rows = [
    ['Total', money(invoice.total_cents, invoice.currency)],
    ['Paid', money(invoice.paid_cents, invoice.currency)],
    ['Balance', money(invoice.balance_cents, invoice.currency)],
  ];
  if (invoice.processing_cents) rows.push(['Pending (bank payment)', money(invoice.processing_cents, invoice.currency)]);
  if (invoice.overpaid_cents) rows.push(['Overpaid (to refund)', money(invoice.overpaid_cents, invoice.currency)]);
  return h('dl', { class: 'amounts' }, rows.map(([label, value]) => h('div', {}, h('dt', { text: label }), h('dd', { text: value }))));
}

export function invoiceFlags(invoice) {
  const flags = [];
  if (invoice.overdue) flags.push(h('span', { class: 'pill pill-overdue', text: 'Overdue' }));
  if (invoice.processing_cents) flags.push(h('span', { class: 'pill pill-processing', text: 'Payment pending' }));
  if (invoice.disputed) flags.push(h('span', { class: 'pill pill-disputed', text: 'Disputed' }));
  if (invoice.overpaid_cents) flags.push(h('span', { class: 'pill pill-overpaid', text: `Overpaid ${money(invoice.overpaid_cents, invoice.currency)}` }));
  return flags;
}

// The columns every list of invoices shows after its own (dates, amounts, status).
export function invoiceColumns() {
  return [
    { label: 'Invoiced', render: (inv) => date(inv.invoiced_date) },
    { label: 'Due', render: (inv) => date(inv.due_date) },
    { label: 'Total', className: 'num', render: (inv) => money(inv.total_cents, inv.currency) },
    { label: 'Paid', className: 'num', render: (inv) => money(inv.paid_cents, inv.currency) },
    { label: 'Balance', className: 'num strong', render: (inv) => money(inv.balance_cents, inv.currency) },
    { label: 'Status', render: (inv) => statusWithFlags(inv) },
  ];
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

const REFUND_WORDS = { pending: 'on its way', succeeded: 'refunded', failed: 'failed', canceled: 'canceled' };
const REASON_WORDS = { requested_by_customer: 'requested by the client', duplicate: 'duplicate', fraudulent: 'fraudulent' };

// `onRefund(payment)`: staff pages offer a Refund button on payments that can still be refunded.
export function paymentsTable(invoice, { staff = false, onRefund = null, onReverse = null } = {}) {
  const payments = (invoice.payments || []).filter((p) => staff || !['pending', 'canceled'].includes(p.status));
  if (!payments.length) return h('p', { class: 'muted', text: 'No payments yet.' });
  const columns = [
    { label: 'Date' }, { label: 'Method' }, { label: 'Amount', className: 'num' },
    { label: 'Refunded', className: 'num' }, { label: 'Status' },
    ...(staff ? [{ label: 'Reference' }] : []),
    { label: 'Receipt' },
    ...(onRefund || onReverse ? [{ label: 'Actions' }] : []),
  ];
  const t = table({ caption: `Payments on invoice ${invoice.number}`, columns, className: 'compact' });
  for (const p of payments) {
    const refunds = refundsOf(p, invoice);
    const status = h('span', {}, statusPill(p.status));
    if (p.status === 'failed' && p.failure_message) status.append(h('span', { class: 'failure', text: ` ${p.failure_message}` }));
    if (p.status === 'reversed' && p.reversal_reason && staff) status.append(h('span', { class: 'muted', text: ` (${p.reversal_reason})` }));
    const refunded = h('span', {}, p.refunded_cents ? money(p.refunded_cents, invoice.currency) : '—');
    if (staff && refunds.length) {
      refunded.append(h('ul', { class: 'sub-list refunds' }, refunds.map((r) => h('li', {
        'data-refund-status': r.status,
        text: `${money(r.amount_cents, invoice.currency)} ${REFUND_WORDS[r.status] || r.status || ''}`
          + `${r.reason ? ` · ${REASON_WORDS[r.reason] || r.reason}` : ''}`
          + `${r.failure_reason ? ` · ${r.failure_reason.replace(/_/g, ' ')}` : ''}${r.note ? ` · “${r.note}”` : ''}`,
      }))));
    }
    const cells = [date(p.received_date || (p.created_at || '').slice(0, 10)), methodLabel(p.method, p.payment_method_type),
      money(p.amount_cents, p.currency || invoice.currency), refunded, status];
    if (staff) cells.push(p.reference || '—');
    cells.push(p.status === 'succeeded' ? receiptButton(p, invoice, staff) : '—');
    if (onRefund || onReverse) {
      // Card money goes back by a refund; a manual payment entered by mistake is reversed.
      let button = null;
      if (onRefund && p.refundable_cents > 0) {
        button = h('button', { type: 'button', class: 'secondary small', text: 'Refund', 'aria-label': `Refund the ${money(p.amount_cents, invoice.currency)} payment` });
        button.addEventListener('click', () => onRefund(p));
      } else if (onReverse && p.method !== 'card' && p.status === 'succeeded') {
        button = h('button', { type: 'button', class: 'secondary small', text: 'Reverse', 'aria-label': `Reverse the ${money(p.amount_cents, invoice.currency)} payment` });
        button.addEventListener('click', () => onReverse(p));
      }
      cells.push(button || '—');
    }
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
// A received payment's receipt (PDF: amount, date, method, refunds; never the invoice's lines).
function receiptButton(payment, invoice, staff) {
  const path = staff ? `/v1/payments/${payment.id}/receipt` : `/v1/portal/payments/${payment.id}/receipt`;
  const button = h('button', { type: 'button', class: 'secondary small', text: 'Receipt',
    'aria-label': `Download the receipt of the ${money(payment.amount_cents, invoice.currency)} payment` });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const url = URL.createObjectURL(await api.blob(path));
      const link = h('a', { href: url, download: `receipt-${invoice.number}.pdf`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      announce(`Couldn’t download the receipt: ${describe(error)}`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

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
