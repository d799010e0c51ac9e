// One client for staff: their details (edit), portal access, what they owe, and all their invoices
// and payments on one page. Refreshes itself while visible, so a payment landing shows up.

import { api, describe, query } from '../api.js';
import { date, dateTime, money } from '../format.js';
import { invoiceColumns, methodLabel } from '../invoice-view.js';
import { listView } from '../list.js';
import { announce, clear, confirmDialog, h, loading, statusPill } from '../ui.js';
import { openClientDialog } from './clients.js';
import { pollOnePage } from './misc.js';

const POLL_MS = 5000;
const LIMIT = 100;

export function renderClientDetail(main, { id }) {
  document.title = 'Client · clinicpay';
  clear(main, loading('Loading the client…'));
  let drawn = false;
  const head = h('div', { class: 'page-head' });
  const summary = h('div', { class: 'card client-summary' });
  const invoiceCols = [
    { label: 'Invoice', render: (inv) => h('a', { href: `#/invoices/${inv.id}`, text: inv.number }) },
    ...invoiceColumns(),
  ];
  const invoices = listView({ caption: 'The client’s invoices', columns: invoiceCols, className: 'compact',
    emptyText: 'No invoices yet.', areaClass: '' });
  const numbers = new Map();
  const paymentColumns = [
    { label: 'Date', render: (p) => date(p.received_date || (p.created_at || '').slice(0, 10)) },
    { label: 'Invoice', render: (p) => h('a', { href: `#/invoices/${p.invoice_id}`, text: numbers.get(p.invoice_id) || 'Invoice' }) },
    { label: 'Method', render: (p) => methodLabel(p.method, p.payment_method_type) },
    { label: 'Amount', className: 'num', render: (p) => money(p.amount_cents, p.currency) },
    { label: 'Refunded', className: 'num', render: (p) => (p.refunded_cents ? money(p.refunded_cents, p.currency) : '—') },
    { label: 'Status', render: (p) => statusPill(p.status) },
  ];
  const payments = listView({ caption: 'The client’s payments', columns: paymentColumns, className: 'compact',
    emptyText: 'No payments yet.', areaClass: '' });
  const moreNote = h('p', { class: 'muted', hidden: true });

  function drawClient(client) {
    document.title = `${client.name} · clinicpay`;
    const edit = h('button', { type: 'button', class: 'secondary', text: 'Edit' });
    edit.addEventListener('click', () => openClientDialog(client, { onSaved: () => refresh().catch(() => {}) }));
    clear(head, h('h1', { text: client.name }),
      h('p', { class: 'muted', text: [client.email || 'No email address', client.external_id ? `Practice system id ${client.external_id}` : null].filter(Boolean).join(' · ') }),
      edit);
    clear(summary,
      h('dl', { class: 'amounts' },
        h('div', {}, h('dt', { text: 'Balance' }), h('dd', { text: money(client.balance_cents) })),
        h('div', {}, h('dt', { text: 'Open invoices' }), h('dd', { text: String(client.open_invoice_count) })),
        h('div', {}, h('dt', { text: 'Last activity' }), h('dd', { text: client.last_activity_at ? dateTime(client.last_activity_at) : '—' }))),
      h('div', { class: 'portal-access' },
        h('p', { text: client.has_portal_access ? `Signs in to the portal as ${client.portal_email}.` : 'No portal access yet.' }),
        inviteButton(client), removeButton(client)),
      remindersBlock(client));
  }

  // Payment reminders: stopped by the client's link (or by staff, for a client who asked), and sent
  // again only when the client asks for them back. Invoice emails and receipts go either way.
  function remindersBlock(client) {
    const stopped = Boolean(client.reminders_opted_out_at);
    const byStaff = client.reminders_stopped_by === 'staff';
    const button = h('button', { type: 'button', class: 'secondary small', dataset: { testid: stopped ? 'resume-reminders' : 'stop-reminders' },
      text: stopped ? 'Send reminders again' : 'Stop reminders' });
    button.addEventListener('click', async () => {
      const sure = stopped
        ? await confirmDialog(`Send ${client.name} payment reminders again?`,
          `Only when ${byStaff ? 'the client asked for them back: staff stopped them at their request' : 'they asked for them back: they stopped them with the link in a reminder'}. The latest reminder of the practice’s schedule goes within minutes; the ones missed meanwhile are not sent.`,
          'Send reminders again')
        : await confirmDialog(`Stop ${client.name}’s payment reminders?`,
          'As the link in a reminder does. Invoice emails and receipts are still sent.', 'Stop reminders');
      if (!sure) return;
      button.disabled = true;
      try {
        await api.post(`/v1/clients/${client.id}/${stopped ? 'resume' : 'stop'}-reminders`);
        announce(stopped ? `${client.name} gets payment reminders again.` : `${client.name} gets no more payment reminders.`);
      } catch (error) {
        announce(describe(error));
      }
      await refresh().catch(() => {});
    });
    return h('div', { class: 'reminders' },
      stopped
        ? h('p', { class: 'notice', dataset: { testid: 'reminders-stopped' }, text: `${byStaff ? 'Staff stopped payment reminders, at the client’s request,' : 'The client stopped payment reminders with the link in one'} on ${dateTime(client.reminders_opted_out_at)}. Invoices and receipts are still emailed.` })
        : h('p', { class: 'muted', text: 'Gets payment reminders on the practice’s schedule.' }),
      button);
  }

  function removeButton(client) {
    if (!client.has_portal_access) return null;
    const button = h('button', { type: 'button', class: 'danger small', text: 'Remove portal access' });
    button.addEventListener('click', async () => {
      const sure = await confirmDialog(`Remove ${client.name}’s portal access?`,
        'Their sign-in stops working at once, on every device. Their invoices and payments stay; you can invite them again.',
        'Remove access', { danger: true });
      if (!sure) return;
      button.disabled = true;
      try {
        await api.delete(`/v1/clients/${client.id}/portal-access`);
        announce(`${client.name} can no longer sign in to the portal.`);
      } catch (error) {
        announce(describe(error));
      }
      await refresh().catch(() => {});
    });
    return button;
  }

  // An email with a link to choose a password (or, for an address that already signs in, a note).
  function inviteButton(client) {
    if (!client.email) return h('p', { class: 'muted', text: 'Add an email address to invite them to the portal.' });
    const button = h('button', { type: 'button', class: 'secondary small',
      text: client.has_portal_access ? 'Send a new invitation' : 'Invite to the portal' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.post(`/v1/clients/${client.id}/invitations`, { email: client.email });
        announce(`Invitation sent to ${client.email}.`);
      } catch (error) {
        announce(describe(error));
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  async function refresh() {
    const [client, invoicePage, paymentPage] = await Promise.all([
      api.get(`/v1/clients/${id}`),
      api.get(`/v1/invoices${query({ client_id: id, limit: LIMIT })}`),
      api.get(`/v1/payments${query({ client_id: id, limit: LIMIT })}`),
    ]);
    if (!drawn) {
      clear(main, h('section', { class: 'page' },
        h('p', { class: 'breadcrumb' }, h('a', { href: '#/clients', text: '← Clients' })),
        head, summary,
        h('div', { class: 'card' }, h('h2', { text: 'Invoices' }), invoices.area,
          h('h2', { text: 'Payments' }), payments.area, moreNote)));
      drawn = true;
    }
    drawClient(client);
    for (const inv of invoicePage.data) numbers.set(inv.id, inv.number);
    invoices.show(invoicePage.data);
    payments.show(paymentPage.data);
    moreNote.hidden = !(invoicePage.has_more || paymentPage.has_more);
    moreNote.textContent = `Showing the newest ${LIMIT}; see the Invoiced tab filtered by this client for all.`;
  }

  const ticker = pollOnePage(main, refresh, POLL_MS, { what: 'Client', backPath: '/clients', backLabel: 'Back to Clients' });
  return () => ticker.stop();
}
