// The pay page of an invoice email's link (#/pay/<token>), for anyone holding the link: no sign-in.
// It shows the practice, the invoice's number, dates and amounts — never its lines — and pays
// through the portal's own dialog on /v1/pay/<token>/… (pay-dialog.js).
// The token is moved out of the address bar as soon as the page opens (into this tab's
// sessionStorage), so it is not left in the history, a bookmark, or a URL read by a script.

import { api, ApiError, describe } from '../api.js';
import { date, money } from '../format.js';
import { takeLinkToken } from '../link-token.js';
import { openPayDialog } from '../pay-dialog.js';
import { poll } from '../poll.js';
import { announce, clear, errorBox, h, loading, statusPill } from '../ui.js';

const LINK_KEY = 'clinicpay.paylink';

function page(...children) {
  return h('section', { class: 'page pay-link-page' }, ...children);
}

function signInHint() {
  return h('p', { class: 'hint' }, 'Have a portal account? ', h('a', { href: '#/login', text: 'Sign in' }), ' to see all your invoices.');
}

function invalidPage(main) {
  document.title = 'Payment link not valid · clinicpay';
  clear(main, page(h('div', { class: 'card pay-link-card', dataset: { testid: 'pay-link-invalid' } },
    h('h1', { text: 'This payment link isn’t valid' }),
    h('p', { text: 'It may have been replaced by a newer one, or copied incompletely. Use the link in your latest email from the practice, or contact the practice.' }),
    signInHint())));
}

function expiredPage(main, token) {
  document.title = 'Payment link expired · clinicpay';
  const button = h('button', { type: 'button', class: 'primary', text: 'Email me a new link' });
  const result = h('p', { class: 'pay-link-result', role: 'status', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const answer = await api.post(`/v1/pay/${encodeURIComponent(token)}/fresh-link`, {}, { auth: false });
      result.textContent = answer.message;
      button.hidden = true;
    } catch (error) {
      result.textContent = describe(error);
      button.disabled = false;
    }
  });
  clear(main, page(h('div', { class: 'card pay-link-card', dataset: { testid: 'pay-link-expired' } },
    h('h1', { text: 'This payment link has expired' }),
    h('p', { text: 'For your security, payment links work for a limited time. We can email a new link to the address the practice has on file for you.' }),
    h('div', { class: 'details-actions' }, button), result, signInHint())));
}

// The amounts, as the invoice email gives them: no lines, no descriptions.
function amounts(summary) {
  const rows = [
    ['Total', money(summary.total_cents, summary.currency)],
    ['Paid', money(summary.paid_cents, summary.currency)],
    ['Amount due', money(summary.amount_due_cents, summary.currency)],
  ];
  return h('dl', { class: 'amounts' }, rows.map(([label, value]) => h('div', {}, h('dt', { text: label }), h('dd', { text: value }))));
}

function statusWords(summary) {
  if (summary.status === 'paid') return h('p', { class: 'notice paid-notice', dataset: { testid: 'pay-link-paid' }, text: 'Paid — thank you. Nothing is owed on this invoice.' });
  if (summary.status === 'void') return h('p', { class: 'notice', text: 'This invoice was voided; nothing is owed on it.' });
  if (summary.processing_cents > 0) return h('p', { class: 'processing-note', text: `A payment of ${money(summary.processing_cents, summary.currency)} is being processed.` });
  if (summary.amount_due_cents > 0 && !summary.can_pay) return h('p', { class: 'notice warn', text: 'This practice doesn’t take payments online yet. Please contact the practice to pay.' });
  return null;
}

export function renderPayLink(main, params) {
  const token = takeLinkToken(params, LINK_KEY, '/pay');
  document.title = 'Pay your invoice · clinicpay';
  if (!token) { invalidPage(main); return null; }
  const base = `/v1/pay/${encodeURIComponent(token)}`;
  const endpoints = { start: () => `${base}/payments`, payment: (paymentId) => `${base}/payments/${paymentId}` };
  let shown = null;
  let waiting = false;
  let ticker = null;

  function draw(summary) {
    document.title = `Invoice ${summary.invoice_number} · ${summary.practice_name}`;
    document.getElementById('practice-name').textContent = summary.practice_name;
    const payable = summary.can_pay && summary.amount_due_cents > 0 && !summary.processing_cents && !waiting;
    const payButton = h('button', { type: 'button', class: 'primary', text: `Pay ${money(summary.amount_due_cents, summary.currency)}`, hidden: !payable });
    payButton.addEventListener('click', () => openPayDialog(
      { id: null, number: summary.invoice_number, balance_cents: summary.amount_due_cents, currency: summary.currency },
      {
        endpoints,
        rules: { allow_partial_payments: summary.allow_partial_payments, minimum_payment_cents: summary.minimum_payment_cents },
        onSubmitted: () => { waiting = true; quickPolls = 0; payButton.parentElement.hidden = true; ticker.setInterval(2000); ticker.now(); },
        fallbackFocus: () => document.getElementById('main').focus(),
      }));
    clear(main, page(
      h('div', { class: 'page-head' },
        h('h1', {}, `Invoice ${summary.invoice_number} `, statusPill(summary.status)),
        h('p', { class: 'muted', text: `From ${summary.practice_name} · Invoiced ${date(summary.invoiced_date)} · Due ${date(summary.due_date)}` })),
      h('div', { class: 'card pay-link-card' },
        amounts(summary),
        statusWords(summary),
        waiting && summary.amount_due_cents > 0 && !summary.processing_cents ? h('p', { class: 'processing-note', text: 'Payment processing…' }) : null,
        h('div', { class: 'details-actions', hidden: !payable }, payButton),
        h('p', { class: 'hint', text: 'The full invoice, with its services, is in the portal for signed-in clients.' })),
      signInHint()));
  }

  // Every call counts against this address's pay-link allowance (120 in 15 minutes): quick polls
  // only for the first minute after paying, and none once the payment landed or a bank debit is
  // processing (it takes days).
  let quickPolls = 0;

  async function refresh() {
    const summary = await api.get(base, { auth: false });
    if (waiting) quickPolls += 1;
    const landed = summary.amount_due_cents === 0 || (shown && summary.amount_due_cents < shown.amount_due_cents);
    if (waiting && (landed || summary.processing_cents > 0 || quickPolls > 30)) {
      waiting = false;
      ticker.setInterval(30000);
      if (summary.status === 'paid') announce(`Invoice ${summary.invoice_number} is paid. Thank you.`);
    }
    if (!shown || JSON.stringify(summary) !== JSON.stringify(shown)) draw(summary);
    shown = summary;
  }

  clear(main, loading('Loading the invoice…'));
  ticker = poll(refresh, 30000);
  refresh().catch((error) => {
    ticker.stop();
    if (error instanceof ApiError && error.code === 'pay_link_expired') expiredPage(main, token);
    else if (error instanceof ApiError && error.status === 404) invalidPage(main);
    else clear(main, page(errorBox(describe(error))));
  });
  return () => ticker.stop();
}
