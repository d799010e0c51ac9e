// The "Invoiced" tab: invoices with a status filter. Updates by itself every few seconds
// while visible (a card payment landing turns a row Paid). The green button marks the
// ticked invoices paid with money received outside.

import { api, describe, query } from '../api.js';
import { money, plural } from '../format.js';
import { invoiceColumns } from '../invoice-view.js';
import { byId, clientName, clientSelect } from '../lookups.js';
import { receivedFields } from '../payment-dialogs.js';
import { poll } from '../poll.js';
import { replaceQuery } from '../router.js';
import { Selection } from '../selection.js';
import { announce, clear, errorBox, field, h, KeyedRows, loading, newIdempotencyKey, openDialog, table } from '../ui.js';

const POLL_MS = 3000;
const PAGE = 50;
// "Overdue" is not a status of its own (an overdue invoice is open or partly paid): it filters by ?overdue=true.
const STATUSES = [['', 'All'], ['open', 'Open'], ['partially_paid', 'Partially paid'], ['overdue', 'Overdue'], ['paid', 'Paid'], ['void', 'Void']];

export async function invoicedTab(panel, { clientsPromise, fabButton, filters }) {
  clear(panel, loading());
  const clientList = await clientsPromise;
  const clients = byId(clientList);
  const selectedNote = h('span', { class: 'selected-note' });
  const selection = new Selection({
    describeItem: (inv) => `invoice ${inv.number}`,
    onChange: (count, { quiet } = {}) => {
      fabButton.setCount(count);
      selectedNote.textContent = count ? `${plural(count, 'invoice')} selected` : '';
      if (!quiet && count) announce(`${plural(count, 'invoice')} selected.`);
    },
  });
  selection.all.setAttribute('aria-label', 'Select all invoices');

  const statusFilter = h('select', { name: 'status' }, STATUSES.map(([value, label]) => h('option', { value, text: label })));
  statusFilter.value = filters.status || '';
  const clientFilter = clientSelect(clientList, filters.client_id);
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter invoices' },
    field('Status', statusFilter), field('Client', clientFilter),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' })));
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); reload(); });
  statusFilter.addEventListener('change', () => reload());

  const columns = [
    { label: 'Select', header: selection.header, className: 'check', sticky: true, render: (inv) => selection.box(inv) },
    { label: 'Invoice', sticky: true, render: (inv) => h('a', { href: `#/invoices/${inv.id}`, text: inv.number }) },
    { label: 'Client', render: (inv) => clientName(inv, clients) },
    ...invoiceColumns(),
  ];
  const t = table({ caption: 'Invoiced', columns, className: 'invoiced selectable' });
  const rows = new KeyedRows(t.tbody, columns, { rowClass: (inv) => `status-${inv.status}` });
  const listArea = h('div', { class: 'card flush' }, loading());
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  clear(panel, filterForm, h('div', { class: 'list-bar' }, selectedNote), listArea, h('div', { class: 'more' }, moreButton));

  let items = [];
  let hasMore = false;
  let wanted = PAGE;

  function params(extra) {
    const overdue = statusFilter.value === 'overdue';
    return { status: overdue ? '' : statusFilter.value, overdue: overdue ? 'true' : '', client_id: clientFilter.value, ...extra };
  }

  function show() {
    if (!items.length) clear(listArea, h('p', { class: 'empty-note', text: 'No invoices match.' }));
    else if (!t.el.isConnected) clear(listArea, t.el);
    rows.update(items);
    selection.keepOnly(items.map((inv) => inv.id));
    moreButton.hidden = !hasMore;
  }

  // The first `wanted` invoices, newest first: what the biller has loaded so far, refreshed.
  async function refresh() {
    const collected = [];
    let more = false;
    let startingAfter;
    while (collected.length < wanted) {
      const page = await api.get(`/v1/invoices${query(params({ limit: Math.min(200, wanted - collected.length), starting_after: startingAfter }))}`);
      collected.push(...page.data);
      more = page.has_more;
      if (!more || !page.data.length) break;
      startingAfter = page.data[page.data.length - 1].id;
    }
    items = collected;
    hasMore = more;
    show();
  }

  async function reload() {
    wanted = PAGE;
    replaceQuery({ tab: 'invoiced', status: statusFilter.value, client_id: clientFilter.value });
    try { await refresh(); } catch (error) { clear(listArea, errorBox(describe(error))); }
  }

  moreButton.addEventListener('click', async () => {
    wanted += PAGE;
    moreButton.disabled = true;
    try { await refresh(); } catch (error) { announce(describe(error)); } finally { moreButton.disabled = false; }
  });

  function edit() {
    const ids = selection.selected();
    if (!ids.length) { announce('Tick the invoices to mark paid first.'); return; }
    openMarkPaidDialog(ids);
  }

  function openMarkPaidDialog(ids) {
    const chosen = items.filter((inv) => ids.includes(inv.id));
    const total = chosen.reduce((sum, inv) => sum + inv.balance_cents, 0);
    const { dateInput, method, reference, cancelCard, cancelCardField } = receivedFields();
    const message = h('div', { class: 'form-message' });
    const save = h('button', { type: 'submit', form: 'mark-paid-form', class: 'primary', text: 'Mark paid' });
    const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
    const form = h('form', { id: 'mark-paid-form', novalidate: true },
      h('p', { text: ids.length === 1
        ? `Record a payment received outside for invoice ${chosen.map((i) => i.number).join('')}: its remaining balance of ${money(total)}.`
        : `Record payments received outside for ${plural(ids.length, 'invoice')} (${chosen.map((i) => i.number).join(', ')}): each one’s remaining balance, ${money(total)} in total.` }),
      field('Date received', dateInput), field('Method', method),
      field('Reference', reference, 'Optional: check number, insurer’s claim number…'), cancelCardField, message);
    const dialog = openDialog({ title: 'Mark invoices paid', body: [form], actions: [cancel, save] });
    cancel.addEventListener('click', () => dialog.close());
    let key = newIdempotencyKey();
    cancelCard.addEventListener('change', () => { key = newIdempotencyKey(); }); // another request now
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!dateInput.value) { clear(message, errorBox('Enter the date the money was received.')); dateInput.focus(); return; }
      save.disabled = true;
      clear(message);
      try {
        const answer = await api.post('/v1/invoices/mark-paid', {
          invoice_ids: ids, received_date: dateInput.value, method: method.value, reference: reference.value.trim() || null,
          cancel_pending_card_payment: cancelCard.checked,
        }, { idempotencyKey: key });
        dialog.close();
        selection.clear();
        const canceled = (answer.canceled_card_payments || []).length;
        announce(`${plural(ids.length, 'invoice')} marked paid.`
          + (canceled ? ` ${plural(canceled, 'unfinished card payment')} closed; nothing was charged on ${canceled === 1 ? 'it' : 'them'}.` : ''));
        await refresh();
      } catch (error) {
        const named = (e) => {
          const ids = (e.details && e.details.invoice_ids) || [];
          const numbers = items.filter((inv) => ids.includes(inv.id)).map((inv) => inv.number);
          return numbers.length ? ` (${numbers.join(', ')})` : '';
        };
        const on = (e) => {
          const ids = (e.details && e.details.invoice_ids) || [];
          const numbers = items.filter((inv) => ids.includes(inv.id)).map((inv) => inv.number);
          return numbers.length ? numbers.join(', ') : 'one of the selected invoices';
        };
        const inFlight = error.code === 'payment_in_flight' ? (error.details.payments || []) : [];
        const cancelable = inFlight.length > 0 && inFlight.every((p) => p.cancelable);
        if (cancelable) cancelCardField.hidden = false;
        clear(message, errorBox(describe(error, {
          payment_in_flight: (e) => (cancelable
            ? `A client’s card payment is under way on ${on(e)} (their bank may still ask for 3-D Secure). Nothing was recorded. Wait for it, or tick “Cancel the client’s card payment” and mark paid again.`
            : `A client’s card payment is processing at Stripe on ${on(e)} and can’t be canceled. Nothing was recorded; try again once it has settled.`),
          card_payment_succeeded: (e) => `The client’s card payment on ${on(e)} went through at Stripe before it could be canceled, so that invoice is paid by card now. Nothing else was recorded.`,
          invoice_already_paid: (e) => `One of the selected invoices is already paid${named(e)}. Nothing was recorded; untick it and try again.`,
          invoice_void: (e) => `One of the selected invoices was voided${named(e)}. Nothing was recorded; untick it and try again.`,
          409: 'One of the selected invoices is already paid or has been voided. Nothing was recorded.',
          resource_missing: 'One of the selected invoices no longer exists. Nothing was recorded.',
        })));
        refresh().catch(() => {});
        save.disabled = false;
      }
    });
  }

  await reload();
  const ticker = poll(refresh, POLL_MS);
  return { stop: () => ticker.stop(), edit };
}
