// The operator's console: create a practice with its first admin; every practice with its Stripe
// connection and sync health; the platform's background work. Counts and health only — the
// operator never sees a practice's clients, invoices or payments.

import { api, describe } from '../api.js';
import { date } from '../format.js';
import { pagedList } from '../list.js';
import { poll } from '../poll.js';
import { announce, clear, connectionPill, errorBox, field, formDialog, h, loading } from '../ui.js';

const POLL_MS = 10000;

function ago(value) {
  if (!value) return '—';
  const minutes = Math.round((Date.now() - new Date(value).getTime()) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

export function renderOperator(main) {
  document.title = 'Operator console · clinicpay';
  const healthArea = h('div', { class: 'health-grid' }, loading());
  const newButton = h('button', { type: 'button', class: 'primary', text: 'New practice' });
  const list = pagedList({
    path: '/v1/operator/practices',
    caption: 'Practices',
    className: 'practices-table',
    rowClass: (p) => (p.events_failing ? 'attention' : ''),
    columns: [
      { label: 'Practice', render: (p) => p.name },
      { label: 'Since', render: (p) => date(p.created_at.slice(0, 10)) },
      { label: 'Stripe', render: (p) => connectionPill(p.stripe_connected) },
      { label: 'Staff', className: 'num', render: (p) => String(p.staff_count) },
      { label: 'Clients', className: 'num', render: (p) => String(p.client_count) },
      { label: 'Open invoices', className: 'num', render: (p) => String(p.open_invoice_count) },
      { label: 'Last reconciliation', render: (p) => (p.last_reconciliation_status ? `${p.last_reconciliation_status}, ${ago(p.last_reconciliation_finished_at)}` : '—') },
      { label: 'Stripe events', render: (p) => h('span', { class: p.events_failing ? 'failure' : '',
        text: p.events_unapplied ? `${p.events_failing} failing, ${p.events_unapplied} waiting (oldest ${ago(p.oldest_unapplied_event_at)})` : 'none waiting' }) },
    ],
    emptyText: 'No practices yet. Create the first with “New practice”.',
  });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Operator console' }),
      h('p', { class: 'muted', text: 'The platform’s practices and background work — counts and health only, never a practice’s clients or invoices.' }), newButton),
    h('h2', { text: 'Background work' }), healthArea,
    h('h2', { text: 'Practices' }), list.area, list.more));

  function tile(label, value, { warn = false, note = '' } = {}) {
    return h('div', { class: `card health-tile${warn ? ' warn' : ''}` },
      h('p', { class: 'tile-label', text: label }), h('p', { class: 'tile-value', text: String(value) }),
      note ? h('p', { class: 'muted tile-note', text: note }) : null);
  }

  async function loadHealth() {
    const health = await api.get('/v1/operator/health');
    clear(healthArea,
      tile('Practices', health.practice_count),
      tile('Stripe events failing', health.events_failing, { warn: health.events_failing > 0, note: health.oldest_unapplied_event_at ? `oldest waiting ${ago(health.oldest_unapplied_event_at)}` : 'none waiting' }),
      tile('Invoicing runs failed (24 h)', health.invoicing_runs_failed_24h, { warn: health.invoicing_runs_failed_24h > 0 }),
      tile('Invoicing runs stuck', health.invoicing_runs_stuck, { warn: health.invoicing_runs_stuck > 0, note: 'queued or running over 15 min' }),
      tile('Emails waiting', health.emails_pending, { warn: health.emails_pending > 0 && Date.now() - new Date(health.oldest_pending_email_at).getTime() > 15 * 60000, note: health.oldest_pending_email_at ? `oldest ${ago(health.oldest_pending_email_at)}` : '' }),
      tile('Emails undeliverable (24 h)', health.emails_failed_24h, { warn: health.emails_failed_24h > 0 }),
      tile('Reconciliations failed (24 h)', health.reconciliations_failed_24h, { warn: health.reconciliations_failed_24h > 0 }));
  }

  function refreshAll() { return Promise.all([loadHealth(), list.refresh()]); }

  newButton.addEventListener('click', () => {
    const name = h('input', { type: 'text', name: 'name', maxlength: '200', required: true, autocomplete: 'off' });
    const currency = h('input', { type: 'text', name: 'currency', maxlength: '3', value: 'USD', autocomplete: 'off' });
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['America/New_York'];
    const timezone = h('select', { name: 'timezone' }, zones.map((z) => h('option', { value: z, text: z.replace(/_/g, ' ') })));
    timezone.value = zones.includes('America/New_York') ? 'America/New_York' : zones[0];
    const email = h('input', { type: 'email', name: 'admin_email', maxlength: '320', required: true, autocomplete: 'off' });
    const password = h('input', { type: 'password', name: 'admin_password', required: true, autocomplete: 'new-password' });
    formDialog({
      title: 'New practice',
      id: 'practice-form',
      submitLabel: 'Create practice',
      fields: [field('Practice name', name), field('Currency', currency, 'ISO code, e.g. USD, EUR, CAD. It cannot change once invoices exist.'),
        field('Time zone', timezone), field('First admin’s email', email),
        field('First admin’s password', password, 'At least 12 characters; they change it on “My account”.')],
      async submit(dialog) {
        if (!name.value.trim() || !email.value.trim() || !password.value) {
          dialog.problem('Enter the practice’s name and its first admin’s email and password.');
          return;
        }
        const made = await api.post('/v1/groups', { name: name.value.trim(), currency: currency.value.trim().toUpperCase(),
          timezone: timezone.value, admin_email: email.value.trim(), admin_password: password.value });
        dialog.close();
        announce(`${made.name} created; ${email.value.trim()} can sign in as its admin.`);
        await refreshAll();
      },
    });
  });

  const ticker = poll(refreshAll, POLL_MS);
  loadHealth().catch((error) => clear(healthArea, errorBox(describe(error))));
  list.reload();
  return () => ticker.stop();
}
