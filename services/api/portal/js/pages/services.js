// Services: a service's billing rate can be flipped (e.g. "General Service" → its self-pay
// copy) while it is not invoiced.

import { api, describe, query } from '../api.js';
import { date, money } from '../format.js';
import { byId, clientName, clientSelect, loadBillingRates, loadClients } from '../lookups.js';
import { replaceQuery } from '../router.js';
import { announce, clear, errorBox, field, h, KeyedRows, loading, statusPill, table } from '../ui.js';

const STATUSES = [['', 'All'], ['uninvoiced', 'Uninvoiced'], ['invoiced', 'Invoiced'], ['paid', 'Paid']];
const PAGE = 100;

export async function renderServices(main, _params, filters) {
  document.title = 'Services · clinicpay';
  clear(main, loading());
  const [clientList, rateList] = await Promise.all([loadClients(), loadBillingRates()]);
  const clients = byId(clientList);
  const rates = byId(rateList);

  const clientFilter = clientSelect(clientList, filters.client_id);
  const statusFilter = h('select', { name: 'status' }, STATUSES.map(([v, l]) => h('option', { value: v, text: l })));
  statusFilter.value = filters.status || '';
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter services' },
    field('Client', clientFilter), field('Status', statusFilter),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' })));
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); reload(); });

  const columns = [
    { label: 'Client', render: (s) => clientName(s, clients) },
    { label: 'Date', render: (s) => date(s.service_date) },
    { label: 'Service', render: (s) => s.description },
    { label: 'Billing rate', render: (s) => rateCell(s) },
    { label: 'Amount', className: 'num', render: (s) => money(s.amount_cents) },
    { label: 'Status', render: (s) => statusPill(s.status) },
  ];
  const t = table({ caption: 'Services', columns, className: 'services' });
  const rows = new KeyedRows(t.tbody, columns);
  const listArea = h('div', { class: 'card flush' }, loading());
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Services' }),
      h('p', { class: 'muted', text: 'Change a service’s billing rate while it is not invoiced, e.g. to its self-pay copy.' })),
    filterForm, listArea, h('div', { class: 'more' }, moreButton)));

  let items = [];

  function rateCell(service) {
    const current = rates.get(service.billing_rate_id);
    if (service.status !== 'uninvoiced') return current ? current.name : '—';
    const select = h('select', { 'aria-label': `Billing rate of ${service.description} on ${date(service.service_date)}` },
      rateList.map((r) => h('option', { value: r.id, text: r.name })));
    select.value = service.billing_rate_id;
    select.addEventListener('change', async () => {
      select.disabled = true;
      try {
        const updated = await api.patch(`/v1/services/${service.id}`, { billing_rate_id: select.value });
        items = items.map((s) => (s.id === updated.id ? updated : s));
        const rate = rates.get(updated.billing_rate_id);
        announce(`Billing rate changed to ${rate ? rate.name : 'the new rate'}. Amount is now ${money(updated.amount_cents)}.`);
        rows.update(items);
        const again = t.tbody.querySelector(`tr[data-key="${updated.id}"] select`);
        if (again) again.focus();
      } catch (error) {
        select.value = service.billing_rate_id;
        select.disabled = false;
        announce(describe(error, {
          service_already_invoiced: 'This service is already invoiced (or being invoiced), so its billing rate can no longer change.',
        }));
      }
    });
    return select;
  }

  async function fetchPage(startingAfter) {
    return api.get(`/v1/services${query({ client_id: clientFilter.value, status: statusFilter.value, limit: PAGE, starting_after: startingAfter })}`);
  }

  function show(hasMore) {
    if (!items.length) clear(listArea, h('p', { class: 'empty-note', text: 'No services match.' }));
    else if (!t.el.isConnected) clear(listArea, t.el);
    rows.update(items);
    moreButton.hidden = !hasMore;
  }

  async function reload() {
    replaceQuery({ client_id: clientFilter.value, status: statusFilter.value });
    try {
      const page = await fetchPage();
      items = page.data;
      show(page.has_more);
    } catch (error) {
      clear(listArea, errorBox(describe(error)));
    }
  }

  moreButton.addEventListener('click', async () => {
    try {
      const page = await fetchPage(items[items.length - 1].id);
      items = items.concat(page.data);
      show(page.has_more);
    } catch (error) {
      announce(describe(error));
    }
  });

  await reload();
}
