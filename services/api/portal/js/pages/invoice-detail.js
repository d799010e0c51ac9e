// One invoice for staff: lines, payments (method, status, refunds), disputes, balance.
// Refreshes itself every few seconds while visible, so a payment landing shows up.

import { api, ApiError, describe } from '../api.js';
import { date } from '../format.js';
import { amountsSummary, disputesList, linesTable, paymentsTable, pdfButtons, statusWithFlags } from '../invoice-view.js';
import { poll } from '../poll.js';
import { clear, errorBox, h, loading } from '../ui.js';
import { renderMissing } from './misc.js';

const POLL_MS = 3000;

export function renderInvoiceDetail(main, { id }) {
  document.title = 'Invoice · clinicpay';
  clear(main, loading('Loading the invoice…'));
  let shown = null;
  let clientNameText = null;

  async function lookupClient(invoice) {
    if (clientNameText !== null) return;
    clientNameText = invoice.client_name || '';
    if (clientNameText) return;
    try { clientNameText = (await api.get(`/v1/clients/${invoice.client_id}`)).name; } catch { clientNameText = ''; }
  }

  function draw(invoice) {
    document.title = `Invoice ${invoice.number} · clinicpay`;
    const notes = [];
    if (invoice.disputed) notes.push(h('p', { class: 'notice warn', text: 'The client disputed a card payment on this invoice with their bank. Answer the dispute in Stripe.' }));
    if (invoice.overpaid_cents) notes.push(h('p', { class: 'notice warn', text: 'More was paid than owed (e.g. a card payment crossed a manual one). Refund the difference to the client.' }));
    const disputes = disputesList(invoice);
    clear(main, h('section', { class: 'page' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/invoices?tab=invoiced', text: '← Invoiced' })),
      h('div', { class: 'page-head' },
        h('h1', {}, `Invoice ${invoice.number} `, statusWithFlags(invoice)),
        h('p', { class: 'muted', text: `${clientNameText ? `${clientNameText} · ` : ''}Invoiced ${date(invoice.invoiced_date)}` })),
      notes,
      h('div', { class: 'card' },
        amountsSummary(invoice),
        h('div', { class: 'details-actions' }, pdfButtons(`/v1/invoices/${invoice.id}/pdf`, invoice.number)),
        h('h2', { text: 'Lines' }), linesTable(invoice),
        h('h2', { text: 'Payments' }), paymentsTable(invoice, { staff: true }),
        disputes ? [h('h2', { text: 'Disputes' }), disputes] : null)));
  }

  async function refresh() {
    const invoice = await api.get(`/v1/invoices/${id}`);
    await lookupClient(invoice);
    // Redraw only on a change, so focus and scroll stay put between polls.
    if (!shown || JSON.stringify(invoice) !== JSON.stringify(shown)) draw(invoice);
    shown = invoice;
  }

  const ticker = poll(refresh, POLL_MS);
  refresh().catch((error) => {
    ticker.stop();
    if (error instanceof ApiError && error.status === 404) renderMissing(main, 'Invoice', '/invoices?tab=invoiced', 'Back to Invoiced');
    else clear(main, errorBox(describe(error)));
  });
  return () => ticker.stop();
}
