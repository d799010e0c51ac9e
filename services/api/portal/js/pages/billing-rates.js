// Billing rates: admins create and edit ("Do you need to bill…", "Is Invoiced", payer) and
// make self-pay copies; billers read.

import { api, describe, listAll } from '../api.js';
import { minorToInput, money, parseMoney, practiceCurrency } from '../format.js';
import { listView } from '../list.js';
import { isAdmin } from '../session.js';
import { announce, clear, field, formDialog, h, newIdempotencyKey, uid } from '../ui.js';

const PAYERS = [['insurance', 'Insurance'], ['self_pay', 'Self-pay (client pays)']];
const payerLabel = (payer) => (PAYERS.find(([v]) => v === payer) || [payer, payer])[1];

export function renderBillingRates(main) {
  document.title = 'Billing rates · clinicpay';
  const admin = isAdmin();
  const newButton = admin ? h('button', { type: 'button', class: 'primary', text: 'New billing rate' }) : null;
  const columns = [
    { label: 'Name', render: (r) => r.name },
    { label: 'Amount', className: 'num', render: (r) => money(r.amount_cents) },
    { label: 'Needs billing', render: (r) => (r.needs_billing ? 'Yes' : 'No') },
    { label: 'Is invoiced', render: (r) => (r.is_invoiced ? 'Yes' : 'No') },
    { label: 'Payer', render: (r) => payerLabel(r.payer) },
    ...(admin ? [{ label: 'Actions', className: 'actions', render: (r) => rowActions(r) }] : []),
  ];
  const list = listView({ caption: 'Billing rates', columns, className: 'rates', emptyText: 'No billing rates yet.' });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Billing rates' }),
      h('p', { class: 'muted', text: 'Services on a rate that needs billing and is invoiced appear on the Invoices page.' }),
      newButton), list.area));

  function rowActions(rate) {
    const edit = h('button', { type: 'button', class: 'secondary small', text: 'Edit', 'aria-label': `Edit ${rate.name}` });
    edit.addEventListener('click', () => openRateDialog(rate));
    const copy = rate.payer === 'insurance'
      ? h('button', { type: 'button', class: 'secondary small', text: 'Make self-pay copy', 'aria-label': `Make a self-pay copy of ${rate.name}` })
      : null;
    if (copy) {
      copy.addEventListener('click', async () => {
        copy.disabled = true;
        try {
          const made = await api.post(`/v1/billing-rates/${rate.id}/self-pay-copy`, undefined, { idempotencyKey: newIdempotencyKey() });
          announce(`Created “${made.name}”.`);
          await load();
        } catch (error) {
          announce(describe(error));
        } finally {
          copy.disabled = false;
        }
      });
    }
    return h('div', { class: 'row-actions' }, edit, copy);
  }

  function openRateDialog(rate = null) {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', value: rate ? rate.name : '' });
    const amount = h('input', { type: 'text', inputmode: 'decimal', name: 'amount', required: true,
      value: rate ? minorToInput(rate.amount_cents) : '' });
    const groupName = uid('needs-billing');
    const yes = h('input', { type: 'radio', name: groupName, value: 'yes', id: `${groupName}-yes` });
    const no = h('input', { type: 'radio', name: groupName, value: 'no', id: `${groupName}-no` });
    (rate && rate.needs_billing ? yes : no).checked = true;
    const needsBilling = h('fieldset', { class: 'field radios' },
      h('legend', { text: 'Do you need to bill for services on this rate?' }),
      h('label', { for: yes.id }, yes, ' Yes'), h('label', { for: no.id }, no, ' No'));
    const invoiced = h('input', { type: 'checkbox', name: 'is_invoiced', id: uid('is-invoiced') });
    invoiced.checked = Boolean(rate && rate.is_invoiced);
    const invoicedField = h('div', { class: 'field checkbox' }, h('label', { for: invoiced.id }, invoiced, ' Is Invoiced'),
      h('p', { class: 'hint', text: 'Invoiced rates send their services to the Invoices page, for the client to pay.' }));
    const payer = h('select', { name: 'payer' }, PAYERS.map(([value, label]) => h('option', { value, text: label })));
    payer.value = rate ? rate.payer : 'self_pay';
    const key = newIdempotencyKey();
    formDialog({
      title: rate ? `Edit ${rate.name}` : 'New billing rate',
      id: uid('rate-form'),
      submitLabel: 'Save',
      fields: [field('Name', name), field(`Amount (${practiceCurrency()})`, amount), needsBilling, invoicedField, field('Payer', payer)],
      async submit(dialog) {
        const cents = parseMoney(amount.value);
        if (!name.value.trim()) { dialog.problem('Enter a name.', name); return; }
        if (cents === null) { dialog.problem('Enter the amount, for example 120.00.', amount); return; }
        const body = { name: name.value.trim(), amount_cents: cents, needs_billing: yes.checked, is_invoiced: invoiced.checked, payer: payer.value };
        if (rate) await api.patch(`/v1/billing-rates/${rate.id}`, body);
        else await api.post('/v1/billing-rates', body, { idempotencyKey: key });
        dialog.close();
        announce(rate ? `Saved “${body.name}”.` : `Created “${body.name}”.`);
        await load();
      },
    });
  }

  if (newButton) newButton.addEventListener('click', () => openRateDialog());

  async function load() {
    try { list.show(await listAll('/v1/billing-rates')); } catch (error) { list.fail(error); }
  }

  load();
}
