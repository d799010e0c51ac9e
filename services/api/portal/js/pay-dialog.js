// "Make Payment": the card is typed into Stripe's own field (Stripe.js), never into ours,
// so card data never reaches our server. Flow (works on Stripe and on the stand-in):
//   1. POST /v1/portal/invoices/{id}/payments → a SetupIntent secret and where Stripe.js lives
//   2. stripe.confirmCardSetup(secret, {payment_method: {card}})   (may show 3-D Secure)
//   3. POST /v1/portal/payments/{payment_id}/confirm → processing | succeeded | requires_action | failed
//   4. on requires_action: stripe.confirmCardPayment(payment_intent_client_secret)
// The invoice itself turns paid when Stripe's answer lands (webhook or the server's own
// confirm); the billing page polls for that.

import { api, describe } from './api.js';
import { currencyExponent, minorToInput, money, parseMoney } from './format.js';
import { session } from './session.js';
import { CARD_STYLE, loadStripe } from './stripe.js';
import { announce, clear, h, newIdempotencyKey, openDialog, uid } from './ui.js';

export function openPayDialog(invoice, { onSubmitted, fallbackFocus } = {}) {
  const state = { payment: null, stripe: null, card: null, needsNewPayment: false, partial: false, minimum: 0 };
  const formId = uid('pay-form');
  const currency = invoice.currency;

  const amountLine = h('p', { class: 'pay-amount' }, 'Amount: ', h('strong', { text: money(invoice.balance_cents, currency) }));
  const amountInput = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', name: 'amount',
    value: minorToInput(invoice.balance_cents, currency) });
  const amountHint = h('p', { class: 'hint', id: uid('amount-hint') });
  amountInput.setAttribute('aria-describedby', amountHint.id);
  const amountField = h('div', { class: 'field', hidden: true },
    h('label', { for: (amountInput.id = uid('amount')), text: `Amount to pay (${currency})` }), amountInput, amountHint);

  const cardLabelId = uid('card-label');
  const cardBox = h('div', { class: 'card-element', id: uid('card-element'), role: 'group', 'aria-labelledby': cardLabelId },
    h('span', { class: 'muted', text: 'Loading the secure card form…' }));
  const cardField = h('div', { class: 'field' },
    h('p', { class: 'field-label', id: cardLabelId, text: 'Card details' }), cardBox,
    h('p', { class: 'hint', text: 'Your card is sent straight to Stripe, our card processor. We never see or store the number.' }));

  const errorArea = h('div', { class: 'pay-error', role: 'alert' });
  const progress = h('p', { class: 'pay-progress muted', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { id: formId, class: 'pay-form', novalidate: true },
    h('p', {}, `Invoice ${invoice.number} · balance ${money(invoice.balance_cents, currency)}`),
    amountLine, amountField, cardField, errorArea, progress);

  const payButton = h('button', { type: 'submit', form: formId, class: 'primary', disabled: true, text: 'Pay' });
  const cancelButton = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const dialog = openDialog({
    title: `Pay invoice ${invoice.number}`, body: [form], actions: [cancelButton, payButton], className: 'pay-dialog', fallbackFocus,
    onClose: () => { if (state.card) { try { state.card.destroy(); } catch { /* already gone */ } } },
  });
  cancelButton.addEventListener('click', () => dialog.close());

  function showError(message) {
    clear(errorArea, h('p', { text: message }));
    progress.textContent = '';
  }

  function chosenAmount() {
    if (!state.partial) return state.payment.amount_cents;
    return parseMoney(amountInput.value, currency);
  }

  function updatePayLabel() {
    const amount = state.payment ? chosenAmount() : null;
    payButton.textContent = amount ? `Pay ${money(amount, currency)}` : 'Pay';
  }

  async function createPayment(amountCents) {
    const body = amountCents && amountCents !== invoice.balance_cents ? { amount_cents: amountCents } : {};
    const payment = await api.post(`/v1/portal/invoices/${invoice.id}/payments`, body,
      { idempotencyKey: newIdempotencyKey() });
    state.payment = payment;
    state.needsNewPayment = false;
    return payment;
  }

  async function prepare() {
    try {
      const payment = await createPayment();
      // The practice's rule for smaller payments: from the answer when it says, else from /v1/me.
      const me = session.me || {};
      state.partial = Boolean(payment.allow_partial_payments ?? me.allow_partial_payments);
      state.minimum = payment.minimum_payment_cents ?? me.minimum_payment_cents ?? 0;
      if (state.partial) {
        amountField.hidden = false;
        amountLine.hidden = true;
        amountInput.value = minorToInput(payment.amount_cents, currency);
        amountHint.textContent = state.minimum
          ? `You can pay part of the balance: at least ${money(state.minimum, currency)}, at most ${money(invoice.balance_cents, currency)}.`
          : `You can pay part of the balance, up to ${money(invoice.balance_cents, currency)}.`;
      } else {
        clear(amountLine, 'Amount: ', h('strong', { text: money(payment.amount_cents, payment.currency || currency) }));
      }
      state.stripe = await loadStripe(payment.stripe_js_url, payment.publishable_key);
      if (dialog.closed) return;
      if (payment.setup_intent_status === 'succeeded') {
        // The card was already confirmed in an earlier, closed dialog: only the charge is left.
        state.cardReady = true;
        clear(cardBox, h('span', { text: 'The card you entered earlier is ready. Press Pay to finish.' }));
        payButton.disabled = false;
        updatePayLabel();
        payButton.focus();
        return;
      }
      mountCard();
      payButton.disabled = false;
      updatePayLabel();
      const firstInput = cardBox.querySelector('input');
      if (state.partial) amountInput.focus(); else if (firstInput) firstInput.focus();
    } catch (error) {
      cardField.hidden = true;
      amountLine.hidden = true;
      showError(describe(error, { 409: 'This invoice can’t be paid by card right now. It may already be paid, or a payment is on its way.' }));
      payButton.hidden = true;
      cancelButton.textContent = 'Close';
      cancelButton.focus();
    }
  }

  function mountCard() {
    clear(cardBox);
    state.card = state.stripe.elements().create('card', { style: CARD_STYLE });
    state.card.mount(cardBox);
    state.cardReady = false;
  }

  amountInput.addEventListener('input', updatePayLabel);

  function validAmount(amount) {
    if (amount === null || amount <= 0) return `Enter an amount, for example ${minorToInput(10 ** currencyExponent(currency) * 25, currency)}.`;
    if (amount > invoice.balance_cents) return `That is more than the balance of ${money(invoice.balance_cents, currency)}.`;
    if (state.minimum && amount < state.minimum && amount !== invoice.balance_cents) return `The smallest payment is ${money(state.minimum, currency)}.`;
    return null;
  }

  function submitted(status) {
    const { payment } = state;
    if (onSubmitted) onSubmitted({ paymentId: payment.payment_id, amountCents: payment.amount_cents, status });
    dialog.close();
    announce(status === 'succeeded'
      ? `Payment of ${money(payment.amount_cents, currency)} received for invoice ${invoice.number}.`
      : `Payment of ${money(payment.amount_cents, currency)} sent for invoice ${invoice.number}. It will show as paid as soon as the card processor confirms it.`);
  }

  function failed(message) {
    state.needsNewPayment = true;
    // A new attempt needs a card typed in again (the earlier one may have been the problem).
    if (!state.card && state.stripe) mountCard();
    showError(message);
    payButton.disabled = false;
    payButton.textContent = 'Try again';
    const firstInput = cardBox.querySelector('input');
    if (firstInput) firstInput.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!state.payment || payButton.disabled) return;
    const amount = chosenAmount();
    const problem = validAmount(amount);
    if (problem) { showError(problem); amountInput.focus(); return; }
    clear(errorArea);
    payButton.disabled = true;
    cancelButton.disabled = true;
    dialog.setBusy(true);
    try {
      if (state.needsNewPayment || amount !== state.payment.amount_cents) {
        progress.textContent = 'Preparing the payment…';
        await createPayment(amount);
        if (state.payment.amount_cents !== amount) {
          failed(`The amount could not be changed to ${money(amount, currency)}. Please contact the office.`);
          return;
        }
      }
      progress.textContent = 'Checking your card with Stripe…';
      const setup = state.cardReady && state.payment.setup_intent_status === 'succeeded' ? {}
        : await dialog.whileStripeShows(() => state.stripe.confirmCardSetup(
          state.payment.setup_intent_client_secret, { payment_method: { card: state.card } }));
      if (setup.error) {
        // The same payment can be tried again with corrected card details.
        showError(setup.error.message || 'Your card could not be checked. Check the details and try again.');
        payButton.disabled = false;
        payButton.textContent = 'Try again';
        return;
      }
      progress.textContent = 'Paying…';
      const result = await api.post(`/v1/portal/payments/${state.payment.payment_id}/confirm`);
      if (result.status === 'requires_action') {
        progress.textContent = 'Your bank wants to confirm it’s you…';
        const auth = await dialog.whileStripeShows(
          () => state.stripe.confirmCardPayment(result.payment_intent_client_secret));
        if (auth.error) {
          failed(auth.error.message || 'Your bank did not confirm the payment. Nothing was charged. Try again or use another card.');
          return;
        }
        submitted((auth.paymentIntent && auth.paymentIntent.status) || 'processing');
        return;
      }
      if (result.status === 'failed') {
        failed(result.failure_message || 'The card was declined. Try another card or contact your bank.');
        return;
      }
      submitted(result.status);
    } catch (error) {
      failed(describe(error, { 409: 'This invoice can’t be paid right now: it may already be paid, or another payment is on its way. Close this window to see its current state.' }));
    } finally {
      if (!dialog.closed) {
        cancelButton.disabled = false;
        dialog.setBusy(false);
        if (payButton.textContent !== 'Try again') updatePayLabel();
        if (!state.needsNewPayment && !errorArea.textContent) payButton.disabled = false;
      }
    }
  });

  prepare();
  return dialog;
}
