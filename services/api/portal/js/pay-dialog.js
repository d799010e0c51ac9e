// "Make Payment" with Stripe's Payment Element: card (Apple Pay, Google Pay and HSA/FSA cards are
// cards), Link, and a US bank account (ACH) where the practice takes it. Payment details are typed
// into Stripe's own element (Stripe.js), never into ours, so they never reach our server.
// The flow ("finalize payments on the server"):
//   1. POST /v1/portal/invoices/{id}/payments → the pending payment, amount, and the payment method
//      types this practice offers (a closed dialog gets the same payment back: never locked out)
//   2. elements.submit() → stripe.createConfirmationToken({elements})
//   3. POST /v1/portal/payments/{payment_id}/confirm {confirmation_token} → the server creates (once)
//      and confirms the PaymentIntent → succeeded | processing | requires_action | failed
//   4. on requires_action: stripe.handleNextAction({clientSecret}) (3-D Secure), then confirm again
//      with no token: the server re-reads Stripe.
// The pay link page (pages/pay-link.js) opens the same dialog on /v1/pay/{token}/… (`endpoints`):
// the same server functions answer both.
// The invoice itself turns paid when Stripe's word lands (webhook or the server's own confirm); a
// bank payment stays processing for days. The billing page polls for that.

import { api, ApiError, describe } from './api.js';
import { currencyExponent, minorToInput, money, parseMoney } from './format.js';
import { session } from './session.js';
import { APPEARANCE, loadStripe } from './stripe.js';
import { announce, clear, h, newIdempotencyKey, openDialog, uid } from './ui.js';

const BANK_DEBIT = 'us_bank_account';

// The signed-in client's routes.
const PORTAL_ENDPOINTS = {
  start: (invoice) => `/v1/portal/invoices/${invoice.id}/payments`,
  payment: (paymentId) => `/v1/portal/payments/${paymentId}`,
};

// `endpoints`: where the payment is started and followed (default: the portal's); `rules`: the
// practice's partial-payment rules when there is no signed-in session to read them from.
export function openPayDialog(invoice, { onSubmitted, fallbackFocus, endpoints = PORTAL_ENDPOINTS, rules } = {}) {
  const state = { payment: null, stripe: null, elements: null, element: null, needsNewPayment: false, partial: false, minimum: 0, chosenType: 'card' };
  const formId = uid('pay-form');
  const currency = invoice.currency;

  const amountLine = h('p', { class: 'pay-amount' }, 'Amount: ', h('strong', { text: money(invoice.balance_cents, currency) }));
  const amountInput = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', name: 'amount',
    value: minorToInput(invoice.balance_cents, currency) });
  const amountHint = h('p', { class: 'hint', id: uid('amount-hint') });
  amountInput.setAttribute('aria-describedby', amountHint.id);
  const amountField = h('div', { class: 'field', hidden: true },
    h('label', { for: (amountInput.id = uid('amount')), text: `Amount to pay (${currency})` }), amountInput, amountHint);

  const detailsLabelId = uid('details-label');
  const elementBox = h('div', { class: 'payment-element', id: uid('payment-element'), role: 'group', 'aria-labelledby': detailsLabelId },
    h('span', { class: 'muted', text: 'Loading the secure payment form…' }));
  const detailsField = h('div', { class: 'field' },
    h('p', { class: 'field-label', id: detailsLabelId, text: 'Payment details' }), elementBox,
    h('p', { class: 'hint', text: 'Your details go straight to Stripe, our payment processor. We never see or store your card or account number.' }));

  const errorArea = h('div', { class: 'pay-error', role: 'alert' });
  const progress = h('p', { class: 'pay-progress muted', role: 'status', 'aria-live': 'polite' });
  const resumeArea = h('div', { class: 'pay-resume', hidden: true });
  const form = h('form', { id: formId, class: 'pay-form', novalidate: true },
    h('p', {}, `Invoice ${invoice.number} · balance ${money(invoice.balance_cents, currency)}`),
    amountLine, amountField, detailsField, resumeArea, errorArea, progress);

  const payButton = h('button', { type: 'submit', form: formId, class: 'primary', disabled: true, text: 'Pay' });
  const cancelButton = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const dialog = openDialog({
    title: `Pay invoice ${invoice.number}`, body: [form], actions: [cancelButton, payButton], className: 'pay-dialog', fallbackFocus,
    onClose: () => { if (state.element) { try { state.element.destroy(); } catch { /* already gone */ } } },
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
    const payment = await api.post(endpoints.start(invoice), body,
      { idempotencyKey: newIdempotencyKey() });
    state.payment = payment;
    state.needsNewPayment = false;
    return payment;
  }

  function cannotPay(message) {
    detailsField.hidden = true;
    amountLine.hidden = true;
    amountField.hidden = true;
    showError(message);
    payButton.hidden = true;
    cancelButton.textContent = 'Close';
    cancelButton.focus();
  }

  async function prepare() {
    let payment;
    try {
      payment = await createPayment();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'payment_in_flight') { await offerResume(error.details); return; }
      cannotPay(describe(error, { 409: 'This invoice can’t be paid online right now. It may already be paid, or a payment is on its way.' }));
      return;
    }
    try {
      // The practice's rule for smaller payments: from the answer when it says, else from /v1/me.
      const me = rules || session.me || {};
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
      mountPaymentElement(payment);
      payButton.disabled = false;
      updatePayLabel();
      if (state.partial) amountInput.focus(); else if (state.element) state.element.focus();
    } catch (error) {
      cannotPay(describe(error));
    }
  }

  function mountPaymentElement(payment) {
    clear(elementBox);
    state.elements = state.stripe.elements({
      mode: 'payment',
      amount: payment.amount_cents,
      currency: payment.currency.toLowerCase(),
      allowedPaymentMethodTypes: payment.payment_method_types,
      appearance: APPEARANCE,
    });
    state.element = state.elements.create('payment', { layout: 'tabs' });
    state.element.on('change', (event) => {
      if (event && event.value && event.value.type) state.chosenType = event.value.type;
    });
    state.element.mount(elementBox);
  }

  // A payment already on its way: a bank waiting for 3-D Secure can be resumed (or given up, so the
  // client can start again); a bank debit processing is waited for.
  async function offerResume(details) {
    detailsField.hidden = true;
    amountLine.hidden = true;
    payButton.hidden = true;
    const paymentId = details && details.payment_id;
    if (!details || details.payment_status !== 'requires_action' || !paymentId) {
      resumeArea.hidden = false;
      clear(resumeArea, h('p', { class: 'notice', text: (details && details.message)
        || 'A payment for this invoice is already being processed. It will show here as soon as it lands.' }));
      cancelButton.textContent = 'Close';
      cancelButton.focus();
      return;
    }
    const resume = h('button', { type: 'button', class: 'primary', text: 'Continue the payment' });
    const giveUp = h('button', { type: 'button', class: 'secondary', text: 'Cancel that payment' });
    resumeArea.hidden = false;
    clear(resumeArea,
      h('p', { text: 'You started paying this invoice and your bank still wants to confirm it’s you.' }),
      h('div', { class: 'details-actions' }, resume, giveUp));
    resume.focus();
    resume.addEventListener('click', () => busy(async () => {
      const payment = await api.get(endpoints.payment(paymentId));
      state.payment = { payment_id: paymentId, amount_cents: payment.amount_cents, currency: payment.currency };
      state.stripe = state.stripe || await loadStripe(payment.stripe_js_url, payment.publishable_key);
      await handle(payment);
    }));
    giveUp.addEventListener('click', () => busy(async () => {
      await api.post(`${endpoints.payment(paymentId)}/cancel`);
      announce('The earlier payment was canceled. Nothing was charged.');
      resumeArea.hidden = true;
      detailsField.hidden = false;
      payButton.hidden = false;
      cancelButton.textContent = 'Cancel';
      await prepare();
    }));
  }

  amountInput.addEventListener('input', updatePayLabel);

  function validAmount(amount) {
    if (amount === null || amount <= 0) return `Enter an amount, for example ${minorToInput(10 ** currencyExponent(currency) * 25, currency)}.`;
    if (amount > invoice.balance_cents) return `That is more than the balance of ${money(invoice.balance_cents, currency)}.`;
    if (state.minimum && amount < state.minimum && amount !== invoice.balance_cents) return `The smallest payment is ${money(state.minimum, currency)}.`;
    return null;
  }

  function submitted(result) {
    const { payment } = state;
    const bank = result.payment_method_type === BANK_DEBIT;
    if (onSubmitted) onSubmitted({ paymentId: payment.payment_id, amountCents: payment.amount_cents, status: result.status });
    dialog.close();
    announce(result.status === 'succeeded'
      ? `Payment of ${money(payment.amount_cents, currency)} received for invoice ${invoice.number}.`
      : bank
        ? `Bank payment of ${money(payment.amount_cents, currency)} submitted for invoice ${invoice.number}. It takes up to four business days; the invoice shows it as pending until then.`
        : `Payment of ${money(payment.amount_cents, currency)} sent for invoice ${invoice.number}. It will show as paid as soon as the payment processor confirms it.`);
  }

  function failed(message) {
    state.needsNewPayment = true;
    showError(message);
    payButton.disabled = false;
    payButton.textContent = 'Try again';
    if (state.element) state.element.focus();
  }

  async function busy(fn) {
    clear(errorArea);
    payButton.disabled = true;
    cancelButton.disabled = true;
    dialog.setBusy(true);
    try {
      await fn();
    } catch (error) {
      failed(describe(error, { 409: 'This invoice can’t be paid right now: it may already be paid, or another payment is on its way. Close this window to see its current state.' }));
    } finally {
      if (!dialog.closed) {
        cancelButton.disabled = false;
        dialog.setBusy(false);
        if (payButton.textContent !== 'Try again') updatePayLabel();
        if (!errorArea.textContent || payButton.textContent === 'Try again') payButton.disabled = false;
      }
    }
  }

  // What the server says after a confirm; a 3-D Secure step, then the server reads Stripe again.
  async function handle(result, authenticated = false) {
    if (result.status === 'requires_action' && result.payment_intent_client_secret && !authenticated) {
      progress.textContent = 'Your bank wants to confirm it’s you…';
      const auth = await dialog.whileStripeShows(
        () => state.stripe.handleNextAction({ clientSecret: result.payment_intent_client_secret }));
      progress.textContent = auth.error ? 'Checking with your bank…' : 'Finishing the payment…';
      const after = await api.post(`${endpoints.payment(state.payment.payment_id)}/confirm`);
      await handle(after, true);
      return;
    }
    if (result.status === 'requires_action') {
      failed('Your bank has not confirmed the payment yet. Nothing was charged. Try again, or cancel and use another card.');
      return;
    }
    if (result.status === 'failed') {
      failed(result.failure_message || 'The payment was declined. Try another card or contact your bank.');
      return;
    }
    if (result.status === 'pending' && result.failure_code) {
      // The details could not be used (expired, say): the same payment takes them again.
      showError(result.failure_message || 'Enter your payment details again.');
      return;
    }
    submitted(result);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.payment || payButton.disabled || !state.elements) return;
    const amount = chosenAmount();
    const problem = validAmount(amount);
    if (problem) { showError(problem); amountInput.focus(); return; }
    busy(async () => {
      if (state.needsNewPayment || amount !== state.payment.amount_cents) {
        progress.textContent = 'Preparing the payment…';
        const before = state.payment.amount_cents;
        await createPayment(amount);
        if (state.payment.amount_cents !== amount) {
          failed(`The amount could not be changed to ${money(amount, currency)}. Please contact the office.`);
          return;
        }
        if (amount !== before) await state.elements.update({ amount });
      }
      progress.textContent = 'Checking your details with Stripe…';
      const checked = await state.elements.submit();
      if (checked.error) { showError(checked.error.message || 'Check your payment details and try again.'); return; }
      const made = await state.stripe.createConfirmationToken({ elements: state.elements });
      if (made.error) { showError(made.error.message || 'Your payment details could not be checked. Check them and try again.'); return; }
      progress.textContent = 'Paying…';
      const result = await api.post(`${endpoints.payment(state.payment.payment_id)}/confirm`,
        { confirmation_token: made.confirmationToken.id });
      await handle(result);
    });
  });

  prepare();
  return dialog;
}
