// The red number on "Billing": unpaid invoices, from GET /v1/portal/summary.

import { api } from './api.js';
import { setPractice } from './format.js';

let badgeEl = null;
let last = null;

export function attachBadge(el) { badgeEl = el; render(); }

function render() {
  if (!badgeEl) return;
  const count = last ? last.unpaid_invoice_count : 0;
  badgeEl.hidden = !count;
  badgeEl.querySelector('.count').textContent = String(count || 0);
  badgeEl.querySelector('.sr-only').textContent = count === 1 ? ' (1 unpaid invoice)' : ` (${count} unpaid invoices)`;
}

export async function refreshBadge() {
  last = await api.get('/v1/portal/summary');
  if (last.timezone || last.currency) setPractice({ currency: last.currency, timezone: last.timezone });
  render();
  return last;
}

export function lastSummary() { return last; }
