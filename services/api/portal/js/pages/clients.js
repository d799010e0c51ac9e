// Clients: the practice's clients with what each owes now and their last activity, searched by any
// part of a name or email; "New client" adds one. Each name opens the client's own page.

import { api } from '../api.js';
import { dateTime, money } from '../format.js';
import { pagedList } from '../list.js';
import { go, replaceQuery } from '../router.js';
import { announce, clear, field, formDialog, h, newIdempotencyKey } from '../ui.js';

export function renderClients(main, _params, params = {}) {
  document.title = 'Clients · clinicpay';
  let search = params.q || '';
  const searchInput = h('input', { type: 'search', name: 'q', value: search, maxlength: '200', autocomplete: 'off', placeholder: 'Name or email' });
  const searchForm = h('form', { class: 'filters compact', role: 'search', 'aria-label': 'Find clients' },
    field('Search', searchInput),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Search' })));
  const newButton = h('button', { type: 'button', class: 'primary', text: 'New client' });
  const list = pagedList({
    path: '/v1/clients',
    params: () => ({ q: search }),
    caption: 'Clients',
    className: 'clients-table',
    columns: [
      { label: 'Name', render: (c) => h('a', { href: `#/clients/${c.id}`, text: c.name }) },
      { label: 'Email', render: (c) => c.email || '—' },
      { label: 'Portal', render: (c) => (c.has_portal_access ? 'Yes' : 'No') },
      { label: 'Open invoices', className: 'num', render: (c) => String(c.open_invoice_count) },
      { label: 'Balance', className: 'num strong', render: (c) => money(c.balance_cents) },
      { label: 'Last activity', render: (c) => (c.last_activity_at ? dateTime(c.last_activity_at) : '—') },
    ],
    emptyText: () => (search ? `No client matches “${search}”.` : 'No clients yet. Add the first with “New client”.'),
  });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Clients' }),
      h('p', { class: 'muted', text: 'What each client owes now, and when something last happened for them.' }), newButton),
    searchForm, list.area, list.more));

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    search = searchInput.value.trim();
    replaceQuery({ q: search || undefined }, searchForm);
    list.reload();
  });
  newButton.addEventListener('click', () => openClientDialog(null, { onSaved: (client) => go(`/clients/${client.id}`) }));
  list.reload();
}

// Add a client, or edit one (`client` given): name, email, the practice system's own id.
export function openClientDialog(client, { onSaved } = {}) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off', value: client ? client.name : '' });
  const email = h('input', { type: 'email', name: 'email', maxlength: '320', autocomplete: 'off', value: client ? client.email || '' : '' });
  const externalId = h('input', { type: 'text', name: 'external_id', maxlength: '128', autocomplete: 'off', value: client ? client.external_id || '' : '' });
  const key = newIdempotencyKey();
  return formDialog({
    title: client ? 'Edit client' : 'New client',
    id: 'client-form',
    submitLabel: client ? 'Save' : 'Add client',
    fields: [field('Name', name), field('Email', email, 'Where invoices and receipts are sent. Optional.'),
      field('Practice system id', externalId, 'Optional: the id your practice system gives this client.')],
    errors: {
      external_id_taken: 'Another client already has this practice system id.',
      idempotency_key_reused: 'This form was already sent with other details. Close it and add the client again.',
    },
    async submit(dialog) {
      if (!name.value.trim()) { dialog.problem('Enter the client’s name.', name); return; }
      const body = { name: name.value.trim(), email: email.value.trim() || null, external_id: externalId.value.trim() || null };
      const saved = client
        ? await api.patch(`/v1/clients/${client.id}`, body)
        : await api.post('/v1/clients', body, { idempotencyKey: key });
      dialog.close();
      announce(client ? 'Saved.' : `Added ${saved.name}.`);
      if (onSaved) onSaved(saved);
    },
  });
}
