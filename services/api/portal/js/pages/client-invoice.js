// One invoice, for its client (#/billing/<id>). Another client's invoice answers 404,
// exactly like one that doesn't exist.

import { api } from '../api.js';
import { refreshBadge } from '../badge.js';
import { date } from '../format.js';
import { amountsSummary, failedBankDebits, linesTable, paymentsTable, pdfButtons, pendingNote, statusWithFlags } from '../invoice-view.js';
import { openPayDialog } from '../pay-dialog.js';
import { clear, h, loading } from '../ui.js';
import { pollOnePage } from './misc.js';

export function renderClientInvoice(main, { id }) {
  document.title = 'Invoice · clinicpay';
  clear(main, loading('Loading the invoice…'));
  let paying = false;
  let ticker = null;
  let shown = null;

  function draw(invoice) {
    document.title = `Invoice ${invoice.number} · clinicpay`;
    const payButton = h('button', { type: 'button', class: 'primary', text: 'Make Payment',
      hidden: !(invoice.balance_cents > 0 && invoice.status !== 'void') || paying || invoice.processing_cents > 0 });
    payButton.addEventListener('click', () => openPayDialog(invoice, {
      onSubmitted: () => {
        paying = true;
        payButton.hidden = true;
        ticker.setInterval(1500);
        ticker.now();
      },
      fallbackFocus: () => document.getElementById('main').focus(),
    }));
    clear(main, h('section', { class: 'page' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/billing', text: '← All invoices' })),
      h('div', { class: 'page-head' },
        h('h1', {}, `Invoice ${invoice.number} `, statusWithFlags(invoice)),
        h('p', { class: 'muted', text: `Invoiced ${date(invoice.invoiced_date)} · Due ${date(invoice.due_date)}` })),
      h('div', { class: 'card' },
        amountsSummary(invoice),
        pendingNote(invoice), failedBankDebits(invoice),
        paying && invoice.balance_cents > 0 && !invoice.processing_cents ? h('p', { class: 'processing-note', text: 'Payment processing…' }) : null,
        h('div', { class: 'details-actions' }, pdfButtons(`/v1/portal/invoices/${invoice.id}/pdf`, invoice.number), payButton),
        h('h2', { text: 'Services' }), linesTable(invoice),
        h('h2', { text: 'Payments' }), paymentsTable(invoice))));
  }

  async function refresh() {
    const invoice = await api.get(`/v1/portal/invoices/${id}`);
    const signature = JSON.stringify(invoice);
    if (paying && (invoice.balance_cents === 0 || (shown && invoice.balance_cents < shown.balance_cents))) {
      paying = false;
      ticker.setInterval(20000);
      refreshBadge().catch(() => {});
    }
    // Redraw only when something changed, so focus stays where the person left it.
    if (!shown || signature !== JSON.stringify(shown)) draw(invoice);
    shown = invoice;
  }

  ticker = pollOnePage(main, refresh, 20000, { what: 'Invoice', backPath: '/billing', backLabel: 'Back to Billing' });
  return () => ticker.stop();
}
