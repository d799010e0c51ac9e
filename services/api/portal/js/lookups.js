// Names for ids: clients and billing rates, loaded once per page for selects and tables.

import { listAll } from './api.js';
import { h } from './ui.js';

export async function loadClients() {
  try { return await listAll('/v1/clients'); } catch { return []; }
}

export async function loadBillingRates() {
  try { return await listAll('/v1/billing-rates'); } catch { return []; }
}

export function byId(items) { return new Map(items.map((item) => [item.id, item])); }

export function clientName(item, clients) {
  return item.client_name || (item.client && item.client.name) || clients.get(item.client_id)?.name || '—';
}

export function clientSelect(clients, selected = '', { allLabel = 'All clients' } = {}) {
  const select = h('select', { name: 'client_id' }, h('option', { value: '', text: allLabel }),
    [...clients].sort((a, b) => a.name.localeCompare(b.name)).map((c) => h('option', { value: c.id, text: c.name })));
  select.value = selected || '';
  return select;
}
