// The "Invoices" tab: services waiting to be invoiced. Tick them, press the green button,
// enter the invoiced date, "Update": an invoicing run (202) the page follows to the end.

import { api, ApiError, describe } from '../api.js';
import { date, money, plural, todayInPractice } from '../format.js';
import { pagedList } from '../list.js';
import { byId, clientName, clientSelect, loadBillingRates } from '../lookups.js';
import { followJob } from '../poll.js';
import { replaceQuery } from '../router.js';
import { fabSelection } from '../selection.js';
import { announce, clear, field, formDialog, h, loading, newIdempotencyKey } from '../ui.js';

export async function queueTab(panel, { clientsPromise, fabButton, filters }) {
  clear(panel, loading());
  const [clientList, rateList] = await Promise.all([clientsPromise, loadBillingRates()]);
  const clients = byId(clientList);
  const rates = byId(rateList);
  const describeService = (s) => `${clientName(s, clients)}, ${date(s.service_date)}, ${s.description}`;

  const selection = fabSelection({ noun: 'service', describeItem: describeService, fabButton });

  // Filters: client and date range.
  const clientFilter = clientSelect(clientList, filters.client_id);
  const fromFilter = h('input', { type: 'date', name: 'from', value: filters.from || '' });
  const toFilter = h('input', { type: 'date', name: 'to', value: filters.to || '' });
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter services' },
    field('Client', clientFilter), field('From', fromFilter), field('To', toFilter),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' }),
      h('button', { type: 'button', class: 'link-button', text: 'Clear', onclick: () => {
        clientFilter.value = ''; fromFilter.value = ''; toFilter.value = ''; reload();
      } })));
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); reload(); });

  const list = pagedList({
    path: '/v1/invoicing/queue',
    params: () => ({ client_id: clientFilter.value, from: fromFilter.value, to: toFilter.value }),
    pageSize: 100,
    caption: 'Services waiting to be invoiced',
    className: 'queue selectable',
    columns: [
      { label: 'Select', header: selection.header, className: 'check', sticky: true, render: (s) => selection.box(s) },
      { label: 'Client', render: (s) => clientName(s, clients) },
      { label: 'Date', render: (s) => date(s.service_date) },
      { label: 'Service', render: (s) => s.description },
      { label: 'Billing rate', render: (s) => s.billing_rate_name || rates.get(s.billing_rate_id)?.name || '—' },
      { label: 'Amount', className: 'num', render: (s) => money(s.amount_cents) },
      { label: 'Insurance paid', className: 'num', render: (s) => (s.insurance_paid_cents ? money(s.insurance_paid_cents) : '—') },
      { label: 'Client part', className: 'num strong', render: (s) => money(s.client_part_cents ?? (s.amount_cents - (s.insurance_paid_cents || 0))) },
    ],
    emptyText: 'Nothing waiting to be invoiced.',
    onShow: (items) => selection.keepOnly(items.map((s) => s.id)),
  });
  clear(panel, filterForm, h('div', { class: 'list-bar' }, selection.note), list.area, list.more);

  async function reload() {
    replaceQuery({ client_id: clientFilter.value, from: fromFilter.value, to: toFilter.value }, filterForm);
    await list.reload();
  }

  function edit() {
    const ids = selection.selected();
    if (!ids.length) { announce('Tick the services to invoice first.'); return; }
    openRunDialog(ids);
  }

  function openRunDialog(ids) {
    const dateInput = h('input', { type: 'date', name: 'invoiced_date', required: true, value: todayInPractice() });
    // Empty: the practice's payment terms decide (Settings); a date here is these invoices' own.
    const dueInput = h('input', { type: 'date', name: 'due_date' });
    const clientsCount = new Set(list.items().filter((s) => ids.includes(s.id)).map((s) => s.client_id)).size;
    const key = newIdempotencyKey();
    formDialog({
      title: 'Invoice the selected services',
      id: 'run-form',
      submitLabel: 'Update',
      fields: [
        h('p', { text: `Invoice ${plural(ids.length, 'service')} for ${plural(clientsCount, 'client')}: one invoice per client.` }),
        field('Invoiced date', dateInput),
        field('Due date (optional)', dueInput, 'Leave empty to use the practice’s payment terms.')],
      async submit(dialog) {
        if (!dateInput.value) { dialog.problem('Enter the invoiced date.', dateInput); return; }
        clear(dialog.message, h('div', { class: 'progress-line', role: 'status' }, h('progress', { 'aria-label': 'Creating invoices' }), ' Creating invoices…'));
        const body = { service_ids: ids, invoiced_date: dateInput.value, ...(dueInput.value ? { due_date: dueInput.value } : {}) };
        const started = await api.post('/v1/invoicing/runs', body, { idempotencyKey: key });
        const run = await followJob('/v1/invoicing/runs', started, { intervalMs: 700 });
        if (run.status !== 'succeeded') {
          const reasons = (run.errors || []).map((e) => e.message || e.code);
          dialog.problem(`The invoices could not be created${reasons.length ? `: ${reasons.join(' ')}` : '.'} Nothing was invoiced.`);
          return;
        }
        const count = (run.invoice_ids || []).length;
        dialog.close();
        selection.clear();
        announce(`Done: ${plural(count, 'invoice')} created. ${count === 1 ? 'It is' : 'They are'} on the “Invoiced” tab.`);
        await reload();
      },
      errorText: runErrorMessage,
      onError(error) { if (error instanceof ApiError && [404, 409].includes(error.status)) reload(); },
    });
  }

  // A refused selection names its services: show them as the biller sees them.
  function runErrorMessage(error) {
    const base = describe(error, {
      404: 'Some of the selected services no longer exist. The list has been refreshed.',
      409: 'Some of the selected services were invoiced already, or are being invoiced right now. The list has been refreshed.',
      422: 'Some of the selected services can’t be invoiced (their billing rate isn’t invoiced).',
    });
    const details = (error && error.details) || {};
    const named = details.service_ids || details.services || [];
    const names = named.map((entry) => {
      const id = typeof entry === 'string' ? entry : entry.id;
      const service = list.items().find((s) => s.id === id);
      return service ? describeService(service) : null;
    }).filter(Boolean);
    return names.length ? `${base} (${names.join('; ')})` : base;
  }

  await reload();
  return { stop() {}, edit };
}
