// Hash routing: #/billing, #/invoices?tab=invoiced, #/invoices/<id>. Each page renders into
// <main> and may return a cleanup function (stop its polling) run when the page changes.

const routes = [];
let cleanup = null;
let fallback = null;

export function route(pattern, render) {
  // '/invoices/:id' → /^\/invoices\/([^/]+)$/ with named params.
  const names = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return '([^/]+)'; })}$`);
  routes.push({ regex, names, render });
}

export function notFound(render) { fallback = render; }

export function parseHash(hash = window.location.hash) {
  const text = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = text.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

export function go(path) {
  if (window.location.hash === `#${path}`) render({ type: 'go' });
  else window.location.hash = path;
}

// Change the query without re-rendering (a tab or a filter the page already shows). `from` is an
// element of the page asking. A page still loading when the person moved on must not write its
// filters into the next page's address: only the page on screen may (its element is in the
// document), and only while the address is the one it was drawn for (a move not yet drawn waits
// in the hash: rewriting it then would draw the old page again).
export function replaceQuery(params, from) {
  if (!from.isConnected || window.location.hash !== shownHash) return;
  const { path } = parseHash();
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const text = search.toString();
  window.history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
  shownHash = window.location.hash;
}

// The address the page on screen was drawn for (kept by render and replaceQuery).
let shownHash = null;

let guard = () => null;
export function beforeEach(fn) { guard = fn; }

export async function render(event) {
  // A fresh load keeps the browser's own start (the skip link first); a page change moves focus.
  const moveFocus = Boolean(event);
  const hash = window.location.hash;
  // In-page anchors (the skip link) are not routes.
  if (hash && !hash.startsWith('#/')) return;
  const { path, query } = parseHash(hash);
  const redirect = guard(path);
  if (redirect && redirect !== path) { go(redirect); return; }
  shownHash = hash;
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup never blocks navigation */ } cleanup = null; }
  navigation += 1;
  const mine = navigation;
  // Each page draws into a view of its own: a page still loading when the person moves on
  // draws into a view no longer shown, and is cleaned up as soon as it is ready.
  const main = document.getElementById('main');
  const view = document.createElement('div');
  view.className = 'view';
  view.tabIndex = -1;
  main.replaceChildren(view);
  const match = routes.map((r) => [r, path.match(r.regex)]).find(([, m]) => m);
  let pageCleanup = null;
  if (match) {
    const [r, m] = match;
    const params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(m[i + 1])]));
    pageCleanup = (await r.render(view, params, query)) || null;
  } else if (fallback) {
    pageCleanup = (await fallback(view, {}, query)) || null;
  }
  if (mine !== navigation) {
    if (pageCleanup) pageCleanup();
    return;
  }
  cleanup = pageCleanup;
  if (moveFocus) keepFocus(view);
}

let navigation = 0;

// When the element that had focus went away with the old page, start the keyboard at the new page.
function keepFocus(view) {
  if (document.activeElement === document.body || !document.activeElement) view.focus({ preventScroll: true });
}

export function start() {
  window.addEventListener('hashchange', render);
  return render();
}
