// Staff record money received outside the portal on one invoice (whole or part), and reverse a
// manual payment entered by mistake. Both keep the history: a reversed payment stays listed.

import { api } from './api.js';
import { minorToInput, money, parseMoney, todayInPractice } from './format.js';
import { announce, field, formDialog, h, newIdempotencyKey } from './ui.js';

const MANUAL_METHODS = [['check', 'Check'], ['cash', 'Cash'], ['insurance', 'Insurance'], ['external', 'Other (outside)']];

// The fields of money received outside, shared by "Record a payment" and the Invoiced tab's "Mark paid".
export function receivedFields() {
  const dateInput = h('input', { type: 'date', name: 'received_date', required: true, value: todayInPractice() });
  const method = h('select', { name: 'method' }, MANUAL_METHODS.map(([value, label]) => h('option', { value, text: label })));
  const reference = h('input', { type: 'text', name: 'reference', maxlength: '200', autocomplete: 'off' });
  // Offered only once the API said a client's card payment is still waiting on the client.
  const cancelCard = h('input', { type: 'checkbox', name: 'cancel_pending_card_payment' });
  const cancelCardField = h('label', { class: 'checkbox-field', hidden: true }, cancelCard,
    ' Cancel the client’s card payment at Stripe first (it is charged nothing)');
  // After a refusal: offer to cancel the client's card payment when every one in the way can be.
  const offerCancel = (error) => {
    const inFlight = error.code === 'payment_in_flight' ? ((error.details && error.details.payments) || []) : [];
    const cancelable = inFlight.length > 0 && inFlight.every((p) => p.cancelable);
    if (cancelable) cancelCardField.hidden = false;
    return cancelable;
  };
  return { dateInput, method, reference, cancelCard, cancelCardField, offerCancel };
}

export function openRecordPaymentDialog(invoice, { onDone } = {}) {
  const currency = invoice.currency;
  const amount = h('input', { type: 'text', name: 'amount', inputmode: 'decimal', autocomplete: 'off', value: minorToInput(invoice.balance_cents, currency) });
  const { dateInput, method, reference, cancelCard, cancelCardField, offerCancel } = receivedFields();
  // One key per filled-in form: a double click or a retry after a lost answer records one payment.
  let key = newIdempotencyKey();
  for (const input of [amount, dateInput, method, reference, cancelCard]) input.addEventListener('input', () => { key = newIdempotencyKey(); });
  let cancelable = false;
  return formDialog({
    title: 'Record a payment',
    id: 'record-payment-form',
    submitLabel: 'Record payment',
    fields: [
      h('p', { text: `Money received outside the portal for invoice ${invoice.number}. The balance is ${money(invoice.balance_cents, currency)}; enter less for a partial payment.` }),
      field(`Amount (${currency})`, amount), field('Date received', dateInput), field('Method', method),
      field('Reference', reference, 'Optional: check number, insurer’s claim number…'), cancelCardField],
    async submit(dialog) {
      const cents = parseMoney(amount.value, currency);
      if (!cents) { dialog.problem('Enter the amount received, for example 40.00.', amount); return; }
      if (cents > invoice.balance_cents) {
        dialog.problem(`That is more than the balance of ${money(invoice.balance_cents, currency)}. Nothing was recorded.`, amount);
        return;
      }
      if (!dateInput.value) { dialog.problem('Enter the date the money was received.', dateInput); return; }
      const answer = await api.post(`/v1/invoices/${invoice.id}/payments`, {
        amount_cents: cents, method: method.value, received_date: dateInput.value,
        reference: reference.value.trim() || null, cancel_pending_card_payment: cancelCard.checked,
      }, { idempotencyKey: key });
      dialog.close();
      const canceled = (answer.canceled_card_payments || []).length;
      announce(`${money(answer.amount_cents, currency)} recorded on invoice ${invoice.number}.`
        + (canceled ? ' The client’s unfinished card payment was closed; nothing was charged on it.' : ''));
      if (onDone) onDone(answer);
    },
    onError(error) {
      cancelable = offerCancel(error);
      if (onDone) onDone(null);
    },
    errors: {
      payment_in_flight: () => (cancelable
        ? 'The client’s card payment is under way on this invoice (their bank may still ask for 3-D Secure). Nothing was recorded. Wait for it, or tick “Cancel the client’s card payment” and record again.'
        : 'The client’s card payment is processing at Stripe and can’t be canceled. Nothing was recorded; try again once it has settled.'),
      card_payment_succeeded: 'The client’s card payment went through at Stripe before it could be canceled, so the invoice is paid by card now. Nothing else was recorded.',
      invoice_already_paid: 'This invoice is already paid. Nothing was recorded.',
      amount_exceeds_balance: 'That is more than the invoice’s remaining balance (it may have just changed). Nothing was recorded.',
    },
  });
}

export function openReverseDialog(invoice, payment, { onDone } = {}) {
  const reason = h('input', { type: 'text', name: 'reason', maxlength: '500', autocomplete: 'off', required: true });
  return formDialog({
    title: 'Reverse a payment',
    id: 'reverse-form',
    submitLabel: 'Reverse payment',
    submitClass: 'danger',
    fields: [
      h('p', { text: `Undo the ${money(payment.amount_cents, invoice.currency)} payment on invoice ${invoice.number} entered by mistake. It stays in the history as reversed, and the amount is owed again.` }),
      field('Reason', reason, 'Required, for the practice only (for example “entered twice”).')],
    async submit(dialog) {
      if (!reason.value.trim()) { dialog.problem('Say why the payment is reversed.', reason); return; }
      const answer = await api.post(`/v1/payments/${payment.id}/reverse`, { reason: reason.value.trim() });
      dialog.close();
      announce(`The ${money(answer.amount_cents, invoice.currency)} payment was reversed.`);
      if (onDone) onDone(answer);
    },
    errors: {
      payment_already_reversed: 'This payment was already reversed.',
      card_payment_not_reversible: 'A card payment can’t be reversed: refund it instead.',
    },
  });
}
