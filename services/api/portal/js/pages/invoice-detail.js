// One invoice for staff: lines, payments (method, status, refunds), disputes, balance, and what
// staff do on it — record money received outside, reverse a mistaken entry, refund a card payment,
// void it, download any PDF version — with its timeline (who did what, and the emails sent).
// Refreshes itself every few seconds while visible, so a payment landing shows up.

import { api, describe } from '../api.js';
import { date, dateTime, money } from '../format.js';
import { amountsSummary, disputesList, failedBankDebits, linesTable, paymentsTable, pdfButtons, pendingNote, statusWithFlags } from '../invoice-view.js';
import { openRecordPaymentDialog, openReverseDialog } from '../payment-dialogs.js';
import { openRefundDialog } from '../refund-dialog.js';
import { announce, clear, confirmDialog, h, loading } from '../ui.js';
import { pollOnePage } from './misc.js';

const POLL_MS = 3000;

export function renderInvoiceDetail(main, { id }) {
  document.title = 'Invoice · clinicpay';
  clear(main, loading('Loading the invoice…'));
  let shown = null;
  let clientNameText = null;
  let versions = [];
  let shownTimeline = [];

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
    const alerts = invoice.alerts || [];
    // Each open staff alert says what to do in its own words (e.g. "Refund the surplus of $150.00").
    for (const alert of alerts) notes.push(alertNotice(alert));
    if (invoice.overpaid_cents && !alerts.some((a) => a.kind === 'overpayment')) {
      notes.push(h('p', { class: 'notice warn', text: 'More was paid than owed (e.g. a card payment crossed a manual one). Refund the difference to the client.' }));
    }
    notes.push(surplusOffer(invoice));
    notes.push(pendingNote(invoice, { staff: true }), failedBankDebits(invoice, { staff: true }));
    const disputes = disputesList(invoice);
    clear(main, h('section', { class: 'page' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/invoices?tab=invoiced', text: '← Invoiced' })),
      h('div', { class: 'page-head' },
        h('h1', {}, `Invoice ${invoice.number} `, statusWithFlags(invoice)),
        h('p', { class: 'muted', text: `${clientNameText ? `${clientNameText} · ` : ''}Invoiced ${date(invoice.invoiced_date)} · Due ${date(invoice.due_date)}` })),
      notes,
      h('div', { class: 'card' },
        amountsSummary(invoice),
        h('div', { class: 'details-actions' }, pdfButtons(`/v1/invoices/${invoice.id}/pdf`, invoice.number), actions(invoice)),
        h('h2', { text: 'Lines' }), linesTable(invoice),
        h('h2', { text: 'Payments' }),
        paymentsTable(invoice, { staff: true, onRefund: (p) => refund(invoice, p), onReverse: (p) => reverse(invoice, p) }),
        disputes ? [h('h2', { text: 'Disputes' }), disputes] : null,
        versionsList(invoice)),
      h('div', { class: 'card timeline-card' }, h('h2', { text: 'Timeline' }), timelineList(shownTimeline))));
  }

  // What staff can do on the invoice as it stands now; each button appears only where the API allows it.
  function actions(invoice) {
    const buttons = [];
    if (['open', 'partially_paid'].includes(invoice.status) && invoice.balance_cents > 0) {
      const record = h('button', { type: 'button', class: 'primary', text: 'Record a payment' });
      record.addEventListener('click', () => openRecordPaymentDialog(invoice, { onDone: () => refresh().catch(() => {}) }));
      buttons.push(record);
    }
    if (invoice.status !== 'void' && invoice.paid_cents === 0 && !invoice.processing_cents && !invoice.disputed) {
      const voidButton = h('button', { type: 'button', class: 'danger', text: 'Void invoice' });
      voidButton.addEventListener('click', () => voidInvoice(invoice, voidButton));
      buttons.push(voidButton);
    }
    if (invoice.status !== 'void') {
      const revoke = h('button', { type: 'button', class: 'secondary', text: 'Revoke payment links' });
      revoke.addEventListener('click', () => revokeLinks(invoice, revoke));
      buttons.push(revoke);
    }
    return buttons;
  }

  // The links in emails already sent stop working (e.g. one was forwarded to the wrong person).
  async function revokeLinks(invoice, button) {
    const sure = await confirmDialog(`Revoke the payment links of invoice ${invoice.number}?`,
      'Links in the emails already sent for this invoice stop working at once. The client can still pay from the portal.',
      'Revoke links', { danger: true });
    if (!sure) return;
    button.disabled = true;
    try {
      const answer = await api.post(`/v1/invoices/${invoice.id}/pay-links/revoke`);
      announce(answer.revoked ? `${answer.revoked} payment link${answer.revoked === 1 ? '' : 's'} revoked.` : 'No payment link was working.');
    } catch (error) {
      announce(describe(error));
    } finally {
      button.disabled = false;
    }
  }

  async function voidInvoice(invoice, button) {
    const sure = await confirmDialog(`Void invoice ${invoice.number}?`,
      `Nothing will be owed on it; its services go back to the invoicing queue, and its number stays used. A client’s unfinished card payment on it is closed.`,
      'Void invoice', { danger: true });
    if (!sure) return;
    button.disabled = true;
    try {
      await api.post(`/v1/invoices/${invoice.id}/void`);
      announce(`Invoice ${invoice.number} voided.`);
    } catch (error) {
      announce(describe(error, {
        invoice_has_payments: 'This invoice has payments now. Reverse or refund them before voiding it.',
        payment_in_flight: 'A card payment on this invoice is being processed. Try again once it settles.',
      }));
    }
    await refresh().catch(() => {});
  }

  // Every PDF this invoice has had (a new version each time its ledger changes), newest first.
  function versionsList(invoice) {
    if (versions.length < 2) return null;
    const newest = Math.max(...versions.map((v) => v.version));
    const items = [...versions].reverse().map((v) => h('li', { class: 'pdf-version' },
      h('span', { text: `Version ${v.version} · ${dateTime(v.created_at)}${v.version === newest ? ' (current)' : ''}` }),
      pdfButtons(`/v1/invoices/${invoice.id}/pdf?version=${v.version}`, `${invoice.number}-v${v.version}`)));
    return h('details', { class: 'pdf-versions' }, h('summary', { text: `All PDF versions (${versions.length})` }), h('ul', { class: 'plain-list' }, items));
  }

  function timelineList(entries) {
    if (!entries.length) return h('p', { class: 'muted', text: 'Nothing has happened on this invoice yet.' });
    return h('ol', { class: 'timeline' }, entries.map((e) => h('li', { 'data-action': e.action, class: `timeline-${e.source}` },
      h('time', { datetime: e.at, text: dateTime(e.at) }),
      h('span', { class: 'timeline-summary', text: e.summary }),
      h('span', { class: 'muted timeline-actor', text: e.actor }))));
  }

  function reverse(invoice, payment) {
    openReverseDialog(invoice, payment, { onDone: () => refresh().catch(() => {}) });
  }

  function refund(invoice, payment, options = {}) {
    openRefundDialog(invoice, payment, { ...options, onDone: () => refresh().catch(() => {}) });
  }

  // An overpaid invoice: offer to refund the surplus from the newest card payment that can take it.
  function surplusOffer(invoice) {
    if (!invoice.overpaid_cents || invoice.status === 'void') return null;
    const cards = (invoice.payments || []).filter((p) => p.refundable_cents > 0).reverse();
    const payment = cards.find((p) => p.refundable_cents >= invoice.overpaid_cents) || cards[0];
    if (!payment) return null;
    const amount = Math.min(invoice.overpaid_cents, payment.refundable_cents);
    const button = h('button', { type: 'button', class: 'primary small', text: `Refund the surplus (${money(amount, invoice.currency)})` });
    button.addEventListener('click', () => refund(invoice, payment, { amountCents: amount, title: 'Refund the surplus' }));
    return h('div', { class: 'notice surplus-offer' },
      h('p', { text: `The client paid ${money(invoice.overpaid_cents, invoice.currency)} too much on this invoice.` }), button);
  }

  function alertNotice(alert) {
    const handled = h('button', { type: 'button', class: 'secondary small', text: 'Mark handled' });
    handled.addEventListener('click', async () => {
      handled.disabled = true;
      try {
        await api.post(`/v1/alerts/${alert.id}/resolve`);
        announce('Marked handled.');
      } catch (error) {
        announce(describe(error));
      }
      await refresh().catch(() => {});
    });
    return h('div', { class: 'notice warn alert-notice', 'data-alert-kind': alert.kind },
      h('p', { text: alert.message }), handled);
  }

  async function refresh() {
    const [invoice, timeline, pdfs] = await Promise.all([
      api.get(`/v1/invoices/${id}`), api.get(`/v1/invoices/${id}/timeline`), api.get(`/v1/invoices/${id}/pdfs`)]);
    await lookupClient(invoice);
    // Redraw only on a change, so focus and scroll stay put between polls.
    const changed = !shown || JSON.stringify(invoice) !== JSON.stringify(shown)
      || JSON.stringify(timeline.data) !== JSON.stringify(shownTimeline) || pdfs.data.length !== versions.length;
    shownTimeline = timeline.data;
    versions = pdfs.data;
    if (changed) draw(invoice);
    shown = invoice;
  }

  const ticker = pollOnePage(main, refresh, POLL_MS, { what: 'Invoice', backPath: '/invoices?tab=invoiced', backLabel: 'Back to Invoiced' });
  return () => ticker.stop();
}
