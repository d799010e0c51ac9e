// Staff alerts: what the practice's staff must act on (a surplus to refund, a failed refund or bank
// debit, a dispute to answer, an email that bounced…), newest first, each marked handled once done.
// Open ones by default; refreshes itself while visible, so a new alert shows up.

import { api, describe } from '../api.js';
import { dateTime } from '../format.js';
import { pagedList } from '../list.js';
import { poll } from '../poll.js';
import { replaceQuery } from '../router.js';
import { announce, clear, field, h } from '../ui.js';

const POLL_MS = 5000;
const FILTERS = [['open', 'Open'], ['resolved', 'Handled'], ['', 'All']];
const TITLES = {
  overpayment: 'Overpaid invoice',
  payment_intent_mismatch: 'Card payment mismatch',
  ach_payment_failed: 'Bank payment failed',
  refund_failed: 'Refund failed',
  dispute_needs_response: 'Dispute to answer',
  stripe_event_failing: 'Stripe event failing',
  reconciliation_mismatch: 'Reconciliation mismatch',
  email_undeliverable: 'Email not delivered',
};

export function renderAlerts(main, _params, params = {}) {
  document.title = 'Alerts · clinicpay';
  let status = FILTERS.some(([value]) => value === params.status) ? params.status : 'open';

  const filter = h('select', { name: 'status' },
    FILTERS.map(([value, label]) => h('option', { value, text: label, selected: value === status })));
  const list = pagedList({
    path: '/v1/alerts',
    params: () => ({ status }),
    caption: 'Staff alerts',
    className: 'alerts-table',
    columns: [
      { label: 'Raised', render: (a) => dateTime(a.created_at) },
      { label: 'What', render: (a) => TITLES[a.kind] || a.kind },
      { label: 'Details', render: (a) => a.message },
      { label: 'Invoice', render: (a) => (a.invoice_id ? h('a', { href: `#/invoices/${a.invoice_id}`, text: 'Open invoice' }) : '—') },
      { label: 'Status', render: (a) => statusCell(a) },
    ],
    emptyText: () => (status === 'open' ? 'Nothing needs you right now.' : 'No alerts here.'),
  });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Alerts' }),
      h('p', { class: 'muted', text: 'What needs a person: each alert says what to do. Mark it handled once it is done.' })),
    h('form', { class: 'filters compact', role: 'search', 'aria-label': 'Filter alerts' }, field('Show', filter)),
    list.area, list.more));

  function statusCell(alert) {
    if (alert.status !== 'open') return h('span', { class: 'muted', text: `Handled ${dateTime(alert.resolved_at)}` });
    const button = h('button', { type: 'button', class: 'secondary small', text: 'Mark handled', 'aria-label': `Mark “${TITLES[alert.kind] || alert.kind}” handled` });
    button.addEventListener('click', () => resolve(alert, button));
    return button;
  }

  async function resolve(alert, button) {
    button.disabled = true;
    try {
      await api.post(`/v1/alerts/${alert.id}/resolve`);
      announce('Marked handled.');
    } catch (error) {
      announce(describe(error, { 409: 'Someone already marked this alert handled.' }));
    }
    await list.refresh().catch(() => {});
  }

  filter.addEventListener('change', () => {
    status = filter.value;
    replaceQuery({ status: status === 'open' ? undefined : status }, filter);
    list.reload();
  });

  const ticker = poll(list.refresh, POLL_MS);
  list.reload();
  return () => ticker.stop();
}
