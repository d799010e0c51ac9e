// Boot: who is signed in → navigation for their role → the page the hash names.

import { clearToken, getToken, whenSignedOut } from './api.js';
import { attachBadge, refreshBadge } from './badge.js';
import { beforeEach, go, notFound, parseHash, render, route, start } from './router.js';
import { homeFor, loadMe, session } from './session.js';
import { announce, clear, h } from './ui.js';
import { renderLogin } from './pages/login.js';
import { renderBilling } from './pages/billing.js';
import { renderClientInvoice } from './pages/client-invoice.js';
import { renderInvoices } from './pages/invoices.js';
import { renderInvoiceDetail } from './pages/invoice-detail.js';
import { renderBillingRates } from './pages/billing-rates.js';
import { renderServices } from './pages/services.js';
import { renderStripeSettings } from './pages/stripe-settings.js';
import { renderNotFound, renderWelcome } from './pages/misc.js';

const NAV = {
  client: [{ path: '/billing', label: 'Billing', badge: true }],
  biller: [
    { path: '/invoices', label: 'Invoices' },
    { path: '/services', label: 'Services' },
    { path: '/billing-rates', label: 'Billing rates' },
  ],
  admin: [
    { path: '/invoices', label: 'Invoices' },
    { path: '/services', label: 'Services' },
    { path: '/billing-rates', label: 'Billing rates' },
    { path: '/settings/stripe', label: 'Stripe' },
  ],
};

// Which roles may open which pages; anyone else lands on their home page.
const ACCESS = [
  [/^\/billing(\/|$)/, ['client']],
  [/^\/(invoices|services|billing-rates)(\/|$)/, ['admin', 'biller']],
  [/^\/settings\//, ['admin']],
];

function buildNav() {
  const nav = document.getElementById('nav');
  const items = NAV[session.me.role] || [];
  const list = h('ul', {}, items.map((item) => {
    const link = h('a', { href: `#${item.path}`, dataset: { path: item.path } }, item.label);
    if (item.badge) {
      const badge = h('span', { class: 'badge', hidden: true, dataset: { testid: 'unpaid-count' } },
        h('span', { class: 'count', 'aria-hidden': 'false' }), h('span', { class: 'sr-only' }));
      link.append(' ', badge);
      attachBadge(badge);
    }
    return h('li', {}, link);
  }));
  clear(nav, list);
  nav.hidden = !items.length;
  document.getElementById('who').textContent = session.me.email || '';
  document.getElementById('account').hidden = false;
  document.getElementById('practice-name').textContent = session.me.group_name || 'clinicpay';
  markCurrent();
}

function markCurrent() {
  const { path } = parseHash();
  for (const link of document.querySelectorAll('#nav a')) {
    const current = path === link.dataset.path || path.startsWith(`${link.dataset.path}/`);
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
}

function resetChrome() {
  clear(document.getElementById('nav'));
  document.getElementById('nav').hidden = true;
  document.getElementById('account').hidden = true;
  document.getElementById('practice-name').textContent = 'clinicpay';
}

export async function signedIn() {
  await loadMe();
  buildNav();
  if (session.me.role === 'client') refreshBadge().catch(() => {});
}

function signOut(message) {
  clearToken();
  session.me = null;
  resetChrome();
  if (message) announce(message);
  go('/login');
}

beforeEach((path) => {
  if (!session.me) return path === '/login' ? null : '/login';
  if (path === '/login' || path === '/' || path === '') return homeFor(session.me.role);
  for (const [pattern, roles] of ACCESS) {
    if (pattern.test(path) && !roles.includes(session.me.role)) return homeFor(session.me.role);
  }
  return null;
});

route('/login', (main) => renderLogin(main, { onSignedIn: async () => { await signedIn(); go(homeFor(session.me.role)); } }));
route('/welcome', renderWelcome);
route('/billing', renderBilling);
route('/billing/:id', renderClientInvoice);
route('/invoices', renderInvoices);
route('/invoices/:id', renderInvoiceDetail);
route('/billing-rates', renderBillingRates);
route('/services', renderServices);
route('/settings/stripe', renderStripeSettings);
notFound(renderNotFound);

window.addEventListener('hashchange', markCurrent);
whenSignedOut((message) => signOut(message));
document.getElementById('sign-out').addEventListener('click', () => signOut('You are signed out.'));
// The skip link moves focus without touching the route.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});

async function boot() {
  if (getToken()) {
    try { await signedIn(); } catch { clearToken(); session.me = null; resetChrome(); }
  }
  await start();
}

boot();

export { render };
