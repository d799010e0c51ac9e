// Clients: the practice's clients with what each owes now and their last activity, searched by any
// part of a name or email; "New client" adds one. Each name opens the client's own page.

import { api, describe, query } from '../api.js';
import { dateTime, money } from '../format.js';
import { go, replaceQuery } from '../router.js';
import { announce, clear, errorBox, field, h, KeyedRows, loading, newIdempotencyKey, openDialog, table } from '../ui.js';

const PAGE = 50;

export function renderClients(main, _params, params = {}) {
  document.title = 'Clients · clinicpay';
  let search = params.q || '';
  let wanted = PAGE;
  const searchInput = h('input', { type: 'search', name: 'q', value: search, maxlength: '200', autocomplete: 'off', placeholder: 'Name or email' });
  const searchForm = h('form', { class: 'filters compact', role: 'search', 'aria-label': 'Find clients' },
    field('Search', searchInput),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'secondary', text: 'Search' })));
  const newButton = h('button', { type: 'button', class: 'primary', text: 'New client' });
  const columns = [
    { label: 'Name', render: (c) => h('a', { href: `#/clients/${c.id}`, text: c.name }) },
    { label: 'Email', render: (c) => c.email || '—' },
    { label: 'Portal', render: (c) => (c.has_portal_access ? 'Yes' : 'No') },
    { label: 'Open invoices', className: 'num', render: (c) => String(c.open_invoice_count) },
    { label: 'Balance', className: 'num strong', render: (c) => money(c.balance_cents) },
    { label: 'Last activity', render: (c) => (c.last_activity_at ? dateTime(c.last_activity_at) : '—') },
  ];
  const t = table({ caption: 'Clients', columns, className: 'clients-table' });
  const rows = new KeyedRows(t.tbody, columns);
  const empty = h('p', { class: 'muted empty-note', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', text: 'Load more', hidden: true });
  const listArea = h('div', { class: 'card flush' }, loading());
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Clients' }),
      h('p', { class: 'muted', text: 'What each client owes now, and when something last happened for them.' }), newButton),
    searchForm, listArea, h('div', { class: 'more' }, more)));

  async function load() {
    const found = [];
    let after = null;
    let hasMore = true;
    while (hasMore && found.length < wanted) {
      const page = await api.get(`/v1/clients${query({ q: search, limit: PAGE, starting_after: after })}`);
      found.push(...page.data);
      hasMore = page.has_more;
      after = page.data.length ? page.data[page.data.length - 1].id : null;
      if (!after) break;
    }
    clear(listArea, t.el, empty);
    rows.update(found);
    empty.hidden = found.length > 0;
    empty.textContent = search ? `No client matches “${search}”.` : 'No clients yet. Add the first with “New client”.';
    more.hidden = !hasMore;
  }

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    search = searchInput.value.trim();
    wanted = PAGE;
    replaceQuery({ q: search || undefined });
    load().catch((error) => clear(listArea, errorBox(describe(error))));
  });
  more.addEventListener('click', async () => {
    wanted += PAGE;
    more.disabled = true;
    try { await load(); } catch (error) { announce(describe(error)); } finally { more.disabled = false; }
  });
  newButton.addEventListener('click', () => openClientDialog(null, { onSaved: (client) => go(`/clients/${client.id}`) }));
  load().catch((error) => clear(listArea, errorBox(describe(error))));
}

// Add a client, or edit one (`client` given): name, email, the practice system's own id.
export function openClientDialog(client, { onSaved } = {}) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off', value: client ? client.name : '' });
  const email = h('input', { type: 'email', name: 'email', maxlength: '320', autocomplete: 'off', value: client ? client.email || '' : '' });
  const externalId = h('input', { type: 'text', name: 'external_id', maxlength: '128', autocomplete: 'off', value: client ? client.external_id || '' : '' });
  const message = h('div', { class: 'form-message' });
  const save = h('button', { type: 'submit', form: 'client-form', class: 'primary', text: client ? 'Save' : 'Add client' });
  const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = h('form', { id: 'client-form', novalidate: true },
    field('Name', name), field('Email', email, 'Where invoices and receipts are sent. Optional.'),
    field('Practice system id', externalId, 'Optional: the id your practice system gives this client.'), message);
  const dialog = openDialog({ title: client ? 'Edit client' : 'New client', body: [form], actions: [cancel, save] });
  cancel.addEventListener('click', () => dialog.close());
  const key = newIdempotencyKey();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) { clear(message, errorBox('Enter the client’s name.')); name.focus(); return; }
    save.disabled = true;
    clear(message);
    const body = { name: name.value.trim(), email: email.value.trim() || null, external_id: externalId.value.trim() || null };
    try {
      const saved = client
        ? await api.patch(`/v1/clients/${client.id}`, body)
        : await api.post('/v1/clients', body, { idempotencyKey: key });
      dialog.close();
      announce(client ? 'Saved.' : `Added ${saved.name}.`);
      if (onSaved) onSaved(saved);
    } catch (error) {
      clear(message, errorBox(describe(error, {
        external_id_taken: 'Another client already has this practice system id.',
        idempotency_key_reused: 'This form was already sent with other details. Close it and add the client again.',
      })));
      save.disabled = false;
    }
  });
  return dialog;
}
