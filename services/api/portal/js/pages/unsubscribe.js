// The opt-out page of a payment reminder's link (#/unsubscribe/<token>), for anyone holding the
// link: no sign-in. Opening it changes nothing (mail scanners open every link); the button stops the
// client's reminders from that practice. Invoice emails and receipts still come.
// As on the pay page, the token is moved out of the address bar as soon as the page opens.

import { api, ApiError, describe } from '../api.js';
import { takeLinkToken } from '../link-token.js';
import { clear, errorBox, h, loading } from '../ui.js';

const LINK_KEY = 'clinicpay.unsubscribe';

function page(...children) {
  return h('section', { class: 'page pay-link-page' }, h('div', { class: 'card pay-link-card' }, ...children));
}

function invalidPage(main) {
  document.title = 'Link not valid · clinicpay';
  clear(main, page(
    h('h1', { text: 'This link isn’t valid' }),
    h('p', { text: 'It may have been copied incompletely. Use the link in the reminder email, or contact the practice to stop its reminders.' })));
}

function stoppedWords(state) {
  return `You will get no more payment reminders from ${state.practice_name}. Invoices and receipts will still be emailed to you.`;
}

export function renderUnsubscribe(main, params) {
  const token = takeLinkToken(params, LINK_KEY, '/unsubscribe');
  document.title = 'Stop payment reminders · clinicpay';
  if (!token) { invalidPage(main); return; }
  const url = `/v1/unsubscribe/${encodeURIComponent(token)}`;

  function draw(state) {
    document.getElementById('practice-name').textContent = state.practice_name;
    const result = h('p', { role: 'status', 'aria-live': 'polite', dataset: { testid: 'unsubscribe-result' } });
    if (state.reminders_stopped) {
      result.textContent = stoppedWords(state);
      clear(main, page(h('h1', { text: 'Reminders stopped' }), result));
      return;
    }
    const button = h('button', { type: 'button', class: 'primary', text: 'Stop reminders' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const answer = await api.post(url, {}, { auth: false });
        draw(answer);
        document.querySelector('[data-testid="unsubscribe-result"]')?.focus();
      } catch (error) {
        result.textContent = describe(error);
        button.disabled = false;
      }
    });
    clear(main, page(
      h('h1', { text: `Stop payment reminders from ${state.practice_name}?` }),
      h('p', { text: 'You will no longer get emails reminding you of invoices that are due. Invoices and receipts will still be emailed to you.' }),
      h('div', { class: 'details-actions' }, button), result));
  }

  clear(main, loading('Loading…'));
  api.get(url, { auth: false }).then(draw).catch((error) => {
    if (error instanceof ApiError && error.status === 404) invalidPage(main);
    else clear(main, page(errorBox(describe(error))));
  });
}
