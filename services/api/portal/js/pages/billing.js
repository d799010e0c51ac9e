// Client "Billing": every invoice, paid and unpaid; each expands to its lines, payments,
// the PDF and "Make Payment". Updates by itself: fast while a payment is on its way.

import { api, describe, listAll } from '../api.js';
import { lastSummary, refreshBadge } from '../badge.js';
import { date, money, plural } from '../format.js';
import { amountsSummary, failedBankDebits, linesTable, paymentsTable, pdfButtons, pendingNote, statusWithFlags } from '../invoice-view.js';
import { listView } from '../list.js';
import { openPayDialog } from '../pay-dialog.js';
import { poll } from '../poll.js';
import { announce, clear, errorBox, h, loading } from '../ui.js';

const FAST_MS = 1500;
const SLOW_MS = 20000;
const PENDING_MS = 5000; // while a bank payment is pending (it settles or fails within days)
const IN_FLIGHT_KEY = 'clinicpay.paymentsInFlight';

// Payments on their way survive a reload of the page (sessionStorage), so the page keeps watching.
function loadInFlight() {
  try { return new Map(Object.entries(JSON.parse(sessionStorage.getItem(IN_FLIGHT_KEY) || '{}'))); } catch { return new Map(); }
}
function saveInFlight(map) { sessionStorage.setItem(IN_FLIGHT_KEY, JSON.stringify(Object.fromEntries(map))); }

export function renderBilling(main) {
  document.title = 'Billing · clinicpay';
  const summaryLine = h('p', { class: 'summary-line' });
  const inFlight = loadInFlight();
  const expanded = new Map(); // invoice id → {row, body, actions, payButton, signature}
  const columns = [
    { label: 'Invoice', sticky: true, render: (inv, entry) => expander(inv, entry) },
    { label: 'Invoiced', render: (inv) => date(inv.invoiced_date) },
    { label: 'Due', render: (inv) => date(inv.due_date) },
    { label: 'Total', className: 'num', render: (inv) => money(inv.total_cents, inv.currency) },
    { label: 'Balance', className: 'num strong', render: (inv) => money(inv.balance_cents, inv.currency) },
    { label: 'Status', render: (inv) => statusCell(inv) },
  ];
  const list = listView({ caption: 'Your invoices', columns, className: 'invoices expandable',
    rowClass: (inv) => `invoice-row status-${inv.status}`, emptyText: 'You have no invoices yet.' });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Billing' }), summaryLine), list.area));

  function statusCell(inv) {
    const cellContent = statusWithFlags(inv);
    if (inFlight.has(inv.id) && inv.balance_cents > 0 && !inv.processing_cents) {
      cellContent.append(h('span', { class: 'processing-note', text: 'Payment processing…' }));
    }
    return cellContent;
  }

  function expander(inv, entry) {
    const detailsId = `invoice-details-${inv.id}`;
    const button = h('button', { type: 'button', class: 'expander', 'aria-expanded': 'false', 'aria-controls': detailsId },
      h('span', { class: 'chevron', 'aria-hidden': 'true' }), h('span', { text: inv.number }),
      h('span', { class: 'sr-only', text: ' details' }));
    const body = h('div', { class: 'details-body' });
    const payButton = h('button', { type: 'button', class: 'primary', text: 'Make Payment' });
    const actions = h('div', { class: 'details-actions' }, pdfButtons(`/v1/portal/invoices/${inv.id}/pdf`, inv.number), payButton,
      h('a', { href: `#/billing/${inv.id}`, class: 'link', text: 'Open invoice page' }));
    const detailsRow = h('tr', { class: 'details-row', id: detailsId, hidden: true },
      // Actions first: they must not jump while the details below load.
      h('td', { colspan: String(columns.length) }, actions, body));
    entry.extras = [detailsRow];
    const state = { row: detailsRow, body, actions, payButton, signature: null, open: false };
    payButton.addEventListener('click', () => {
      const current = list.rows.rows.get(inv.id).item;
      openPayDialog(current, {
        onSubmitted: (result) => paymentSubmitted(current, result),
        fallbackFocus: () => button.focus(),
      });
    });
    button.addEventListener('click', async () => {
      state.open = !state.open;
      button.setAttribute('aria-expanded', String(state.open));
      detailsRow.hidden = !state.open;
      if (state.open) { expanded.set(inv.id, state); await loadDetails(inv.id, state, true); } else expanded.delete(inv.id);
    });
    return button;
  }

  async function loadDetails(id, state, force = false) {
    const item = list.rows.rows.get(id)?.item;
    const signature = JSON.stringify(item);
    if (!force && signature === state.signature) return;
    state.signature = signature;
    if (force) clear(state.body, loading('Loading the invoice…'));
    state.payButton.hidden = !(item && item.balance_cents > 0 && item.status !== 'void') || inFlight.has(id) || item.processing_cents > 0;
    try {
      const invoice = await api.get(`/v1/portal/invoices/${id}`);
      clear(state.body,
        amountsSummary(invoice), pendingNote(invoice), failedBankDebits(invoice),
        h('h3', { text: 'Services' }), linesTable(invoice),
        h('h3', { text: 'Payments' }), paymentsTable(invoice));
    } catch (error) {
      clear(state.body, errorBox(describe(error)));
    }
  }

  function renderSummary(invoices) {
    const summary = lastSummary();
    const unpaid = summary ? summary.unpaid_invoice_count : invoices.filter((i) => i.balance_cents > 0 && i.status !== 'void').length;
    const due = summary ? summary.balance_due_cents : invoices.reduce((sum, i) => sum + (i.status === 'void' ? 0 : i.balance_cents), 0);
    const currency = (summary && summary.currency) || (invoices[0] && invoices[0].currency);
    summaryLine.textContent = unpaid
      ? `You owe ${money(due, currency)} on ${plural(unpaid, 'unpaid invoice')}.`
      : 'You have nothing to pay. Thank you!';
  }

  async function refresh() {
    const [invoices] = await Promise.all([listAll('/v1/portal/invoices'), refreshBadge().catch(() => null)]);
    await settleInFlight(invoices);
    list.show(invoices);
    renderSummary(invoices);
    for (const [id, state] of expanded) await loadDetails(id, state);
    ticker.setInterval(inFlight.size ? FAST_MS : invoices.some((i) => i.processing_cents) ? PENDING_MS : SLOW_MS);
  }

  // A payment is settled when our server has Stripe's word on it: the payment succeeded
  // (and the invoice's balance dropped with it, same transaction) or failed.
  async function settleInFlight(invoices) {
    for (const [invoiceId, flight] of [...inFlight]) {
      const invoice = invoices.find((i) => i.id === invoiceId);
      let payment = null;
      try { payment = await api.get(`/v1/portal/payments/${flight.paymentId}`); } catch { payment = null; }
      const status = payment && payment.status;
      const balanceDropped = invoice && invoice.balance_cents <= flight.balanceBefore - flight.amountCents;
      if (!invoice || status === 'succeeded' || balanceDropped || (invoice && invoice.balance_cents === 0)) {
        inFlight.delete(invoiceId);
        if (invoice) {
          announce(invoice.status === 'paid'
            ? `Payment received. Invoice ${invoice.number} is now paid.`
            : `Payment received for invoice ${invoice.number}. Remaining balance ${money(invoice.balance_cents, invoice.currency)}.`);
        }
      } else if (status === 'processing' && payment.payment_method_type === 'us_bank_account') {
        // A bank debit takes days: the invoice itself now says it is pending (processing_cents).
        inFlight.delete(invoiceId);
      } else if (status === 'mismatched') {
        inFlight.delete(invoiceId);
        announce(`The payment for invoice ${invoice.number} is being reviewed by the practice.`);
      } else if (status === 'failed' || status === 'canceled') {
        inFlight.delete(invoiceId);
        announce(`The payment for invoice ${invoice.number} did not go through: ${payment.failure_message || 'the card was declined'}.`);
      }
    }
    saveInFlight(inFlight);
  }

  function paymentSubmitted(invoice, { paymentId, amountCents }) {
    inFlight.set(invoice.id, { paymentId, amountCents, balanceBefore: invoice.balance_cents });
    saveInFlight(inFlight);
    const state = expanded.get(invoice.id);
    if (state) state.payButton.hidden = true;
    ticker.setInterval(FAST_MS);
    ticker.now();
  }

  const ticker = poll(refresh, inFlight.size ? FAST_MS : SLOW_MS);
  refresh().catch(list.fail);
  return () => ticker.stop();
}
