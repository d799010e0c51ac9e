// Staff alerts: what the practice's staff must act on (a surplus to refund, a failed refund or bank
// debit, a dispute to answer, an email that bounced…), newest first, each marked handled once done.
// Open ones by default; refreshes itself while visible, so a new alert shows up.

import { api, describe, query } from '../api.js';
import { dateTime } from '../format.js';
import { poll } from '../poll.js';
import { replaceQuery } from '../router.js';
import { announce, clear, errorBox, field, h, KeyedRows, loading, table } from '../ui.js';

const POLL_MS = 5000;
const PAGE = 50;
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
  let wanted = PAGE;
  clear(main, loading('Loading alerts…'));

  const filter = h('select', { name: 'status' },
    FILTERS.map(([value, label]) => h('option', { value, text: label, selected: value === status })));
  const columns = [
    { label: 'Raised', render: (a) => dateTime(a.created_at) },
    { label: 'What', render: (a) => TITLES[a.kind] || a.kind },
    { label: 'Details', render: (a) => a.message },
    { label: 'Invoice', render: (a) => (a.invoice_id ? h('a', { href: `#/invoices/${a.invoice_id}`, text: 'Open invoice' }) : '—') },
    { label: 'Status', render: (a) => statusCell(a) },
  ];
  const t = table({ caption: 'Staff alerts', columns, className: 'alerts-table' });
  const rows = new KeyedRows(t.tbody, columns);
  const empty = h('p', { class: 'muted empty-note', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', text: 'Load more', hidden: true });
  const failure = h('div');
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Alerts' }),
      h('p', { class: 'muted', text: 'What needs a person: each alert says what to do. Mark it handled once it is done.' })),
    h('form', { class: 'filters compact', role: 'search', 'aria-label': 'Filter alerts' }, field('Show', filter)),
    failure, h('div', { class: 'card flush' }, t.el, empty), h('div', { class: 'more' }, more)));

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
    await refresh().catch(() => {});
  }

  async function refresh() {
    const found = [];
    let after = null;
    let hasMore = true;
    while (hasMore && found.length < wanted) {
      const page = await api.get(`/v1/alerts${query({ status: status || undefined, limit: PAGE, starting_after: after || undefined })}`);
      found.push(...page.data);
      hasMore = page.has_more;
      after = page.data.length ? page.data[page.data.length - 1].id : null;
      if (!after) break;
    }
    clear(failure);
    rows.update(found);
    empty.hidden = found.length > 0;
    empty.textContent = status === 'open' ? 'Nothing needs you right now.' : 'No alerts here.';
    more.hidden = !hasMore;
  }

  filter.addEventListener('change', () => {
    status = filter.value;
    wanted = PAGE;
    replaceQuery({ status: status === 'open' ? undefined : status });
    refresh().catch((error) => clear(failure, errorBox(describe(error))));
  });
  more.addEventListener('click', async () => {
    wanted += PAGE;
    more.disabled = true;
    try { await refresh(); } catch (error) { announce(describe(error)); } finally { more.disabled = false; }
  });

  const ticker = poll(refresh, POLL_MS);
  refresh().catch((error) => clear(failure, errorBox(describe(error))));
  return () => ticker.stop();
}
