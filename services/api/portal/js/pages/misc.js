import { ApiError, describe } from '../api.js';
import { poll } from '../poll.js';
import { homeFor, session } from '../session.js';
import { clear, errorBox, h } from '../ui.js';

export function renderNotFound(main) {
  document.title = 'Not found · clinicpay';
  clear(main, h('section', { class: 'card empty' },
    h('h1', { text: 'Page not found' }),
    h('p', { text: 'There is nothing at this address.' }),
    h('a', { href: `#${homeFor(session.me && session.me.role)}`, class: 'button secondary', text: 'Go to the start page' })));
  main.focus();
}

// An invoice (or other object) the caller may not see looks exactly like one that doesn't exist.
export function renderMissing(main, what, backPath, backLabel) {
  clear(main, h('section', { class: 'card empty' },
    h('h1', { text: `${what} not found` }),
    h('p', { text: `This ${what.toLowerCase()} was not found. It may have been removed, or the link is wrong.` }),
    h('a', { href: `#${backPath}`, class: 'button secondary', text: backLabel })));
  main.focus();
}

// One object's page (an invoice, a client): `refresh` draws it now and again every `intervalMs`
// while the page is visible. If the first read fails, polling stops: "not found" for a 404 (another
// practice's object looks the same), the error in plain words otherwise. Returns the poller.
export function pollOnePage(main, refresh, intervalMs, { what, backPath, backLabel }) {
  const ticker = poll(refresh, intervalMs);
  refresh().catch((error) => {
    ticker.stop();
    if (error instanceof ApiError && error.status === 404) renderMissing(main, what, backPath, backLabel);
    else clear(main, errorBox(describe(error)));
  });
  return ticker;
}

export function renderWelcome(main) {
  document.title = 'clinicpay';
  clear(main, h('section', { class: 'card' },
    h('h1', { text: 'Welcome' }),
    h('p', { text: 'Platform operators manage practices through the API. See ' },
      h('a', { href: '/docs', text: 'the API documentation' }), '.')));
}
