// One list of an API collection, as every list page shows it: a table whose rows are kept by
// key (polling never steals focus or a ticked box), a note when nothing matches, and "Load
// more". `refresh()` re-reads what the reader has loaded so far (the first `wanted` items), so
// a poll shows a row that changed, appeared or went away without losing the reader's place.

import { api, describe, query } from './api.js';
import { announce, clear, errorBox, h, KeyedRows, loading, table } from './ui.js';

const MAX_LIMIT = 200; // the API's largest page

export function pagedList({ path, params = () => ({}), columns, caption, className, rowClass, pageSize = 50,
  emptyText = 'Nothing here.', onShow }) {
  const t = table({ caption, columns, className });
  const rows = new KeyedRows(t.tbody, columns, { rowClass });
  const area = h('div', { class: 'card flush' }, loading());
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const more = h('div', { class: 'more' }, moreButton);
  let items = [];
  let wanted = pageSize;

  function show(hasMore) {
    if (!items.length) {
      const text = typeof emptyText === 'function' ? emptyText() : emptyText;
      clear(area, h('p', { class: 'muted empty-note', text }));
    } else if (!t.el.isConnected) {
      clear(area, t.el);
    }
    rows.update(items);
    moreButton.hidden = !hasMore;
    if (onShow) onShow(items);
  }

  async function refresh() {
    const found = [];
    let hasMore = false;
    let after;
    while (found.length < wanted) {
      const limit = Math.min(MAX_LIMIT, wanted - found.length);
      const page = await api.get(`${path}${query({ ...params(), limit, starting_after: after })}`);
      found.push(...page.data);
      hasMore = page.has_more;
      if (!hasMore || !page.data.length) break;
      after = page.data[page.data.length - 1].id;
    }
    items = found;
    show(hasMore);
  }

  // From the first page again (a new filter or search); a failure takes the list's place.
  async function reload() {
    wanted = pageSize;
    try { await refresh(); } catch (error) { clear(area, errorBox(describe(error))); }
  }

  moreButton.addEventListener('click', async () => {
    wanted += pageSize;
    moreButton.disabled = true;
    try { await refresh(); } catch (error) { announce(describe(error)); } finally { moreButton.disabled = false; }
  });

  return {
    area, more, table: t, refresh, reload,
    items: () => items,
    // One item as the API now answers it (after a PATCH), without re-reading the list.
    replace(item) {
      items = items.map((existing) => (existing.id === item.id ? item : existing));
      rows.update(items);
    },
  };
}
