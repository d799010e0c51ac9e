// Services: a service's billing rate can be flipped (e.g. "General Service" → its self-pay
// copy) while it is not invoiced.

import { api, describe } from '../api.js';
import { date, money } from '../format.js';
import { pagedList } from '../list.js';
import { byId, clientName, clientSelect, loadBillingRates, loadClients } from '../lookups.js';
import { replaceQuery } from '../router.js';
import { announce, clear, field, h, loading, statusFilter, statusPill } from '../ui.js';

export async function renderServices(main, _params, filters) {
  document.title = 'Services · clinicpay';
  clear(main, loading());
  const [clientList, rateList] = await Promise.all([loadClients(), loadBillingRates()]);
  const clients = byId(clientList);
  const rates = byId(rateList);

  const clientFilter = clientSelect(clientList, filters.client_id);
  const status = statusFilter(['uninvoiced', 'invoiced', 'paid'], filters.status);
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter services' },
    field('Client', clientFilter), field('Status', status),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' })));
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); reload(); });

  const list = pagedList({
    path: '/v1/services',
    params: () => ({ client_id: clientFilter.value, status: status.value }),
    pageSize: 100,
    caption: 'Services',
    className: 'services',
    columns: [
      { label: 'Client', render: (s) => clientName(s, clients) },
      { label: 'Date', render: (s) => date(s.service_date) },
      { label: 'Service', render: (s) => s.description },
      { label: 'Billing rate', render: (s) => rateCell(s) },
      { label: 'Amount', className: 'num', render: (s) => money(s.amount_cents) },
      { label: 'Status', render: (s) => statusPill(s.status) },
    ],
    emptyText: 'No services match.',
  });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Services' }),
      h('p', { class: 'muted', text: 'Change a service’s billing rate while it is not invoiced, e.g. to its self-pay copy.' })),
    filterForm, list.area, list.more));

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
        const rate = rates.get(updated.billing_rate_id);
        announce(`Billing rate changed to ${rate ? rate.name : 'the new rate'}. Amount is now ${money(updated.amount_cents)}.`);
        list.replace(updated);
        const again = list.table.tbody.querySelector(`tr[data-key="${updated.id}"] select`);
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

  async function reload() {
    replaceQuery({ client_id: clientFilter.value, status: status.value }, filterForm);
    await list.reload();
  }

  await reload();
}
