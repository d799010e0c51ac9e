// Boot: who is signed in → navigation for their role → the page the hash names.

import { clearToken, getToken, whenSignedOut } from './api.js';
import { attachBadge, refreshBadge } from './badge.js';
import { beforeEach, go, notFound, parseHash, render, route, start } from './router.js';
import { endSession, homeFor, loadMe, session } from './session.js';
import { announce, clear, h } from './ui.js';
import { renderLogin } from './pages/login.js';
import { renderForgotPassword, renderResetPassword, renderSetPassword } from './pages/account.js';
import { renderBilling } from './pages/billing.js';
import { renderClientInvoice } from './pages/client-invoice.js';
import { renderInvoices } from './pages/invoices.js';
import { renderInvoiceDetail } from './pages/invoice-detail.js';
import { renderBillingRates } from './pages/billing-rates.js';
import { renderServices } from './pages/services.js';
import { renderReports } from './pages/reports.js';
import { renderAlerts } from './pages/alerts.js';
import { renderClients } from './pages/clients.js';
import { renderClientDetail } from './pages/client-detail.js';
import { renderStripeSettings } from './pages/stripe-settings.js';
import { renderPracticeSettings } from './pages/practice-settings.js';
import { renderAccount } from './pages/my-account.js';
import { renderStaff } from './pages/staff.js';
import { renderOperator } from './pages/operator.js';
import { renderNotFound, renderWelcome } from './pages/misc.js';
import { renderPayLink } from './pages/pay-link.js';
import { renderUnsubscribe } from './pages/unsubscribe.js';

// What every staff member sees; admins also see the practice's settings.
const STAFF_NAV = [
  { path: '/invoices', label: 'Invoices' },
  { path: '/clients', label: 'Clients' },
  { path: '/services', label: 'Services' },
  { path: '/billing-rates', label: 'Billing rates' },
  { path: '/reports', label: 'Reports' },
  { path: '/alerts', label: 'Alerts' },
];

const NAV = {
  operator: [{ path: '/operator', label: 'Operator console' }],
  client: [{ path: '/billing', label: 'Billing', badge: true }],
  biller: STAFF_NAV,
  admin: [
    ...STAFF_NAV,
    { path: '/settings/practice', label: 'Settings' },
    { path: '/settings/staff', label: 'Staff' },
    { path: '/settings/stripe', label: 'Stripe' },
  ],
};

// Which roles may open which pages; anyone else lands on their home page.
const ACCESS = [
  [/^\/billing(\/|$)/, ['client']],
  [/^\/(invoices|services|billing-rates|reports|alerts|clients)(\/|$)/, ['admin', 'biller']],
  [/^\/settings\//, ['admin']],
  [/^\/operator(\/|$)/, ['operator']],
];

// A sign-in that may only enrol a second factor (the practice requires one) sees only its account page.
const mustEnrol = () => Boolean(session.me && session.me.totp_enrollment_required);

function buildNav() {
  const nav = document.getElementById('nav');
  const items = mustEnrol() ? [{ path: '/account', label: 'My account' }] : NAV[session.me.role] || [];
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
    if (current) {
      link.setAttribute('aria-current', 'page');
      showInNav(link);
    } else link.removeAttribute('aria-current');
  }
}

// Where the items scroll sideways (a phone, app.css), the page's own item is scrolled into the row's view:
// the row only, never the page (scrollIntoView would also move the window). A no-op when all items show.
function showInNav(link) {
  const nav = document.getElementById('nav');
  const row = nav.getBoundingClientRect();
  const item = link.getBoundingClientRect();
  if (item.left < row.left || item.right > row.right) nav.scrollLeft += item.left - row.left - 16;
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

// Open without signing in: asking for a reset link, the pages the emailed sign-in links open, and
// the pay page of an invoice email's link (its token is its sign-in, for that one invoice), and the
// opt-out page of a reminder's link.
const PUBLIC = ['/forgot-password', '/set-password', '/reset-password'];
const LINK_PAGES = /^\/(pay|unsubscribe)(\/[^/]+)?$/;

beforeEach((path) => {
  if (PUBLIC.includes(path) || LINK_PAGES.test(path)) return null;
  if (!session.me) return path === '/login' ? null : '/login';
  if (mustEnrol()) return path === '/account' ? null : '/account';
  if (path === '/login' || path === '/' || path === '') return homeFor(session.me.role);
  for (const [pattern, roles] of ACCESS) {
    if (pattern.test(path) && !roles.includes(session.me.role)) return homeFor(session.me.role);
  }
  return null;
});

route('/login', (main) => renderLogin(main, { onSignedIn: async () => { await signedIn(); go(homeFor(session.me.role)); } }));
route('/forgot-password', renderForgotPassword);
route('/set-password', renderSetPassword);
route('/reset-password', renderResetPassword);
route('/welcome', renderWelcome);
route('/pay', renderPayLink);
route('/pay/:token', renderPayLink);
route('/unsubscribe', renderUnsubscribe);
route('/unsubscribe/:token', renderUnsubscribe);
route('/billing', renderBilling);
route('/billing/:id', renderClientInvoice);
route('/invoices', renderInvoices);
route('/invoices/:id', renderInvoiceDetail);
route('/billing-rates', renderBillingRates);
route('/services', renderServices);
route('/reports', renderReports);
route('/alerts', renderAlerts);
route('/clients', renderClients);
route('/clients/:id', renderClientDetail);
route('/settings/stripe', renderStripeSettings);
route('/settings/practice', renderPracticeSettings);
route('/settings/staff', renderStaff);
route('/operator', renderOperator);
route('/account', (main, params, query) => renderAccount(main, params, query, {
  onEnrolled: () => { buildNav(); go(homeFor(session.me.role)); },
}));
notFound(renderNotFound);

window.addEventListener('hashchange', markCurrent);
whenSignedOut((message) => signOut(message));
const signOutButton = document.getElementById('sign-out');
signOutButton.addEventListener('click', async () => {
  signOutButton.disabled = true;
  try {
    await endSession();
    signOut('You are signed out.');
  } finally {
    signOutButton.disabled = false;
  }
});
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
