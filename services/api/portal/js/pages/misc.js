import { clear, h } from '../ui.js';
import { homeFor, session } from '../session.js';

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

export function renderWelcome(main) {
  document.title = 'clinicpay';
  clear(main, h('section', { class: 'card' },
    h('h1', { text: 'Welcome' }),
    h('p', { text: 'Platform operators manage practices through the API. See ' },
      h('a', { href: '/docs', text: 'the API documentation' }), '.')));
}
