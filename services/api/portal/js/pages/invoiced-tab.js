// The "Invoiced" tab: invoices with a status filter. Updates by itself every few seconds
// while visible (a card payment landing turns a row Paid). The green button marks the
// ticked invoices paid with money received outside.

import { api } from '../api.js';
import { money, plural } from '../format.js';
import { invoiceColumns } from '../invoice-view.js';
import { pagedList } from '../list.js';
import { byId, clientName, clientSelect } from '../lookups.js';
import { receivedFields } from '../payment-dialogs.js';
import { poll } from '../poll.js';
import { replaceQuery } from '../router.js';
import { fabSelection } from '../selection.js';
import { announce, clear, field, formDialog, h, loading, newIdempotencyKey, statusFilter } from '../ui.js';

const POLL_MS = 3000;

export async function invoicedTab(panel, { clientsPromise, fabButton, filters }) {
  clear(panel, loading());
  const clientList = await clientsPromise;
  const clients = byId(clientList);
  const selection = fabSelection({ noun: 'invoice', describeItem: (inv) => `invoice ${inv.number}`, fabButton });

  const status = statusFilter(['open', 'partially_paid', 'overdue', 'paid', 'void'], filters.status);
  const clientFilter = clientSelect(clientList, filters.client_id);
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter invoices' },
    field('Status', status), field('Client', clientFilter),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' })));
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); reload(); });
  status.addEventListener('change', () => reload());

  const list = pagedList({
    path: '/v1/invoices',
    // "Overdue" is not a status of its own (an overdue invoice is open or partly paid): it filters by ?overdue=true.
    params: () => (status.value === 'overdue'
      ? { overdue: 'true', client_id: clientFilter.value }
      : { status: status.value, client_id: clientFilter.value }),
    caption: 'Invoiced',
    className: 'invoiced selectable',
    rowClass: (inv) => `status-${inv.status}`,
    columns: [
      { label: 'Select', header: selection.header, className: 'check', sticky: true, render: (inv) => selection.box(inv) },
      { label: 'Invoice', sticky: true, render: (inv) => h('a', { href: `#/invoices/${inv.id}`, text: inv.number }) },
      { label: 'Client', render: (inv) => clientName(inv, clients) },
      ...invoiceColumns(),
    ],
    emptyText: 'No invoices match.',
    onShow: (items) => selection.keepOnly(items.map((inv) => inv.id)),
  });
  clear(panel, filterForm, h('div', { class: 'list-bar' }, selection.note), list.area, list.more);

  async function reload() {
    replaceQuery({ tab: 'invoiced', status: status.value, client_id: clientFilter.value }, filterForm);
    await list.reload();
  }

  function edit() {
    const ids = selection.selected();
    if (!ids.length) { announce('Tick the invoices to mark paid first.'); return; }
    openMarkPaidDialog(ids);
  }

  function openMarkPaidDialog(ids) {
    const chosen = list.items().filter((inv) => ids.includes(inv.id));
    const total = chosen.reduce((sum, inv) => sum + inv.balance_cents, 0);
    const { dateInput, method, reference, cancelCard, cancelCardField, offerCancel } = receivedFields();
    let key = newIdempotencyKey();
    cancelCard.addEventListener('change', () => { key = newIdempotencyKey(); }); // another request now
    // The refused invoices by their numbers, as the biller sees them in the list.
    const numbersIn = (e) => {
      const refused = (e.details && e.details.invoice_ids) || [];
      return list.items().filter((inv) => refused.includes(inv.id)).map((inv) => inv.number);
    };
    const named = (e) => (numbersIn(e).length ? ` (${numbersIn(e).join(', ')})` : '');
    const on = (e) => (numbersIn(e).length ? numbersIn(e).join(', ') : 'one of the selected invoices');
    let cancelable = false;
    formDialog({
      title: 'Mark invoices paid',
      id: 'mark-paid-form',
      submitLabel: 'Mark paid',
      fields: [
        h('p', { text: ids.length === 1
          ? `Record a payment received outside for invoice ${chosen.map((i) => i.number).join('')}: its remaining balance of ${money(total)}.`
          : `Record payments received outside for ${plural(ids.length, 'invoice')} (${chosen.map((i) => i.number).join(', ')}): each one’s remaining balance, ${money(total)} in total.` }),
        field('Date received', dateInput), field('Method', method),
        field('Reference', reference, 'Optional: check number, insurer’s claim number…'), cancelCardField],
      async submit(dialog) {
        if (!dateInput.value) { dialog.problem('Enter the date the money was received.', dateInput); return; }
        const answer = await api.post('/v1/invoices/mark-paid', {
          invoice_ids: ids, received_date: dateInput.value, method: method.value, reference: reference.value.trim() || null,
          cancel_pending_card_payment: cancelCard.checked,
        }, { idempotencyKey: key });
        dialog.close();
        selection.clear();
        const canceled = (answer.canceled_card_payments || []).length;
        announce(`${plural(ids.length, 'invoice')} marked paid.`
          + (canceled ? ` ${plural(canceled, 'unfinished card payment')} closed; nothing was charged on ${canceled === 1 ? 'it' : 'them'}.` : ''));
        await list.refresh();
      },
      onError(error) {
        cancelable = offerCancel(error);
        list.refresh().catch(() => {});
      },
      errors: {
        payment_in_flight: (e) => (cancelable
          ? `A client’s card payment is under way on ${on(e)} (their bank may still ask for 3-D Secure). Nothing was recorded. Wait for it, or tick “Cancel the client’s card payment” and mark paid again.`
          : `A client’s card payment is processing at Stripe on ${on(e)} and can’t be canceled. Nothing was recorded; try again once it has settled.`),
        card_payment_succeeded: (e) => `The client’s card payment on ${on(e)} went through at Stripe before it could be canceled, so that invoice is paid by card now. Nothing else was recorded.`,
        invoice_already_paid: (e) => `One of the selected invoices is already paid${named(e)}. Nothing was recorded; untick it and try again.`,
        invoice_void: (e) => `One of the selected invoices was voided${named(e)}. Nothing was recorded; untick it and try again.`,
        409: 'One of the selected invoices is already paid or has been voided. Nothing was recorded.',
        resource_missing: 'One of the selected invoices no longer exists. Nothing was recorded.',
      },
    });
  }

  await reload();
  const ticker = poll(list.refresh, POLL_MS);
  return { stop: () => ticker.stop(), edit };
}
