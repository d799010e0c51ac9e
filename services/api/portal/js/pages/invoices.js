// Staff "Invoices" page, as in the practice's old system: two tabs, "Invoices" (the queue of
// services to invoice) and "Invoiced"; tick rows, then the green button bottom-right.

import { loadClients } from '../lookups.js';
import { replaceQuery } from '../router.js';
import { clear, fab, h } from '../ui.js';
import { queueTab } from './queue-tab.js';
import { invoicedTab } from './invoiced-tab.js';

const TABS = [
  { key: 'queue', label: 'Invoices', build: queueTab },
  { key: 'invoiced', label: 'Invoiced', build: invoicedTab },
];

export async function renderInvoices(main, _params, query) {
  document.title = 'Invoices · clinicpay';
  const button = fab('Edit selected', () => { if (current) current.edit(); });
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Invoices', class: 'tabs' });
  const panel = h('div', { role: 'tabpanel', class: 'tab-panel', tabindex: '-1' });
  clear(main, h('section', { class: 'page has-fab' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Invoices' })), tablist, panel), button);

  const clientsPromise = loadClients();
  let current = null;
  const tabButtons = TABS.map((tab) => {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${tab.key}`, 'aria-controls': 'invoices-panel', text: tab.label });
    b.addEventListener('click', () => select(tab.key, { focusPanel: false }));
    b.addEventListener('keydown', (event) => {
      const index = TABS.indexOf(tab);
      let next = null;
      if (event.key === 'ArrowRight') next = TABS[(index + 1) % TABS.length];
      if (event.key === 'ArrowLeft') next = TABS[(index + TABS.length - 1) % TABS.length];
      if (event.key === 'Home') next = TABS[0];
      if (event.key === 'End') next = TABS[TABS.length - 1];
      if (next) { event.preventDefault(); select(next.key); document.getElementById(`tab-${next.key}`).focus(); }
    });
    return b;
  });
  tablist.append(...tabButtons);
  panel.id = 'invoices-panel';

  let generation = 0;
  let shownKey = null;

  async function select(key, { initial = false } = {}) {
    if (shownKey === key) return;
    shownKey = key;
    generation += 1;
    const mine = generation;
    if (current) { current.stop(); current = null; }
    TABS.forEach((tab, i) => {
      const selected = tab.key === key;
      tabButtons[i].setAttribute('aria-selected', String(selected));
      tabButtons[i].tabIndex = selected ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    const tab = TABS.find((t) => t.key === key);
    const filters = initial ? query : {};
    if (!initial) replaceQuery(key === 'queue' ? {} : { tab: key }, tablist);
    button.setCount(0);
    // Each tab draws into its own box: a tab still loading when the other is chosen draws
    // into a box no longer on the page, and is stopped as soon as it is ready.
    const box = h('div');
    clear(panel, box);
    const built = { key, ...(await tab.build(box, { clientsPromise, fabButton: button, filters })) };
    if (mine !== generation) { built.stop(); return; }
    current = built;
  }

  await select(query.tab === 'invoiced' ? 'invoiced' : 'queue', { initial: true });
  return () => {
    generation += 1; // a tab still loading stops itself when ready
    if (current) current.stop();
    button.remove();
  };
}

