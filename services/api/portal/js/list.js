// The one list component. `listView` is a table whose rows are kept by key (polling never steals
// focus or a ticked box) with a note in its place when nothing matches; `pagedList` adds "Load
// more" and a `refresh()` that re-reads what the reader has loaded so far (the first `wanted`
// items), so a poll shows a row that changed, appeared or went away without losing their place.

import { describe, readPages } from './api.js';
import { announce, clear, errorBox, h, KeyedRows, loading, table } from './ui.js';

export function listView({ columns, caption, className, rowClass, emptyText = 'Nothing here.', areaClass = 'card flush' }) {
  const t = table({ caption, columns, className });
  const rows = new KeyedRows(t.tbody, columns, { rowClass });
  const area = h('div', { class: areaClass }, loading());

  function show(items) {
    if (!items.length) {
      const text = typeof emptyText === 'function' ? emptyText() : emptyText;
      clear(area, h('p', { class: 'muted empty-note', text }));
    } else if (!t.el.isConnected) {
      clear(area, t.el);
    }
    rows.update(items);
  }

  // A failure to read the list takes its place.
  function fail(error) { clear(area, errorBox(describe(error))); }

  return { area, table: t, rows, show, fail };
}

export function pagedList({ path, params = () => ({}), pageSize = 50, onShow, ...viewOptions }) {
  const view = listView(viewOptions);
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const more = h('div', { class: 'more' }, moreButton);
  let items = [];
  let wanted = pageSize;

  async function refresh() {
    const answer = await readPages(path, params(), wanted);
    items = answer.items;
    view.show(items);
    moreButton.hidden = !answer.hasMore;
    if (onShow) onShow(items);
  }

  // From the first page again (a new filter or search).
  async function reload() {
    wanted = pageSize;
    try { await refresh(); } catch (error) { view.fail(error); }
  }

  moreButton.addEventListener('click', async () => {
    wanted += pageSize;
    moreButton.disabled = true;
    try { await refresh(); } catch (error) { announce(describe(error)); } finally { moreButton.disabled = false; }
  });

  return {
    area: view.area, more, table: view.table, refresh, reload,
    items: () => items,
    // One item as the API now answers it (after a PATCH), without re-reading the list.
    replace(item) {
      items = items.map((existing) => (existing.id === item.id ? item : existing));
      view.rows.update(items);
    },
  };
}
