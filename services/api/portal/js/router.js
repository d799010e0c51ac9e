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
  if (window.location.hash === `#${path}`) render();
  else window.location.hash = path;
}

// Change the query without re-rendering (a tab or a filter the page already shows).
export function replaceQuery(params) {
  const { path } = parseHash();
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const text = search.toString();
  window.history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
}

let guard = () => null;
export function beforeEach(fn) { guard = fn; }

export async function render() {
  const hash = window.location.hash;
  // In-page anchors (the skip link) are not routes.
  if (hash && !hash.startsWith('#/')) return;
  const { path, query } = parseHash(hash);
  const redirect = guard(path);
  if (redirect && redirect !== path) { go(redirect); return; }
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup never blocks navigation */ } cleanup = null; }
  const main = document.getElementById('main');
  for (const r of routes) {
    const match = path.match(r.regex);
    if (match) {
      const params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      cleanup = (await r.render(main, params, query)) || null;
      return;
    }
  }
  if (fallback) cleanup = (await fallback(main, {}, query)) || null;
}

export function start() {
  window.addEventListener('hashchange', render);
  return render();
}
