// Staff refund a card or bank-debit payment, whole or in part, from the invoice page.
// Stripe gets the amount and one of its reason codes; the note stays in clinicpay.

import { api } from './api.js';
import { minorToInput, money, parseMoney } from './format.js';
import { announce, field, formDialog, h, newIdempotencyKey } from './ui.js';

const REASONS = [
  ['requested_by_customer', 'Requested by the client'],
  ['duplicate', 'Duplicate payment'],
  ['fraudulent', 'Fraudulent payment'],
];

// `amountCents`: what to offer (everything refundable, or an overpaid invoice's surplus).
export function openRefundDialog(invoice, payment, { amountCents, title = 'Refund a payment', onDone } = {}) {
  const currency = payment.currency || invoice.currency;
  const offered = Math.min(amountCents || payment.refundable_cents, payment.refundable_cents);
  const amount = h('input', { type: 'text', name: 'amount', inputmode: 'decimal', autocomplete: 'off', value: minorToInput(offered, currency) });
  const reason = h('select', { name: 'reason' }, REASONS.map(([value, label]) => h('option', { value, text: label })));
  const note = h('input', { type: 'text', name: 'note', maxlength: '1000', autocomplete: 'off' });
  // One key per dialog: a double click or a retry after a lost answer is the same refund.
  let key = newIdempotencyKey();
  for (const input of [amount, reason, note]) input.addEventListener('input', () => { key = newIdempotencyKey(); });
  return formDialog({
    title,
    id: 'refund-form',
    submitLabel: 'Refund',
    submitClass: 'danger',
    fields: [
      h('p', { text: `Refund the ${money(payment.amount_cents, currency)} payment on invoice ${invoice.number} to the client’s ${payment.payment_method_type === 'us_bank_account' ? 'bank account' : 'card'}. Up to ${money(payment.refundable_cents, currency)} can still be refunded.` }),
      field(`Amount (${currency})`, amount),
      field('Reason', reason, 'Sent to Stripe.'),
      field('Note', note, 'Optional, for the practice only: it stays in clinicpay and is never sent to Stripe or the client.')],
    async submit(dialog) {
      const cents = parseMoney(amount.value, currency);
      if (!cents) { dialog.problem('Enter the amount to refund, for example 25.00.', amount); return; }
      if (cents > payment.refundable_cents) {
        dialog.problem(`At most ${money(payment.refundable_cents, currency)} can be refunded.`, amount);
        return;
      }
      const sent = await api.post(`/v1/payments/${payment.id}/refunds`,
        { amount_cents: cents, reason: reason.value, note: note.value.trim() || null }, { idempotencyKey: key });
      dialog.close();
      const what = money(sent.amount_cents, currency);
      if (sent.status === 'succeeded') announce(`Refunded ${what} to the client.`);
      else if (!sent.stripe_refund_id) announce(`The refund of ${what} is saved. Stripe couldn’t be reached; it is sent again shortly.`);
      else announce(`The refund of ${what} is on its way to the client.`);
      if (onDone) onDone(sent);
    },
    onError() { if (onDone) onDone(null); },
    errors: {
      amount_exceeds_refundable: (e) => `At most ${money((e.details && e.details.refundable_cents) || 0, currency)} of this payment can still be refunded. Nothing was refunded.`,
    },
  });
}
