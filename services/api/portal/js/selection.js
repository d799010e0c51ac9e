// Ticked rows of a list, with the select-all box kept honest (checked, unchecked, or mixed).

import { plural } from './format.js';
import { announce, h } from './ui.js';

export class Selection {
  constructor({ onChange, describeItem }) {
    this.ids = new Set();
    this.boxes = new Map();
    this.onChange = onChange;
    this.describeItem = describeItem;
    this.all = h('input', { type: 'checkbox', class: 'select-all', 'aria-label': 'Select all' });
    // The header cell: on a phone, where column headers are hidden, it reads "Select all".
    this.header = h('label', { class: 'select-all-label' }, this.all, h('span', { class: 'narrow-only', 'aria-hidden': 'true', text: 'Select all' }));
    this.all.addEventListener('change', () => {
      for (const [id, box] of this.boxes) {
        box.checked = this.all.checked;
        if (this.all.checked) this.ids.add(id); else this.ids.delete(id);
      }
      this.changed();
    });
  }

  // The checkbox cell for one row; built once per row (a "sticky" column) so polling keeps it.
  box(item) {
    const box = h('input', { type: 'checkbox', class: 'row-select', 'aria-label': `Select ${this.describeItem(item)}` });
    box.checked = this.ids.has(item.id);
    box.addEventListener('change', () => {
      if (box.checked) this.ids.add(item.id); else this.ids.delete(item.id);
      this.changed();
    });
    this.boxes.set(item.id, box);
    return box;
  }

  // Rows that left the list can't stay selected.
  keepOnly(ids) {
    const present = new Set(ids);
    for (const id of [...this.boxes.keys()]) if (!present.has(id)) this.boxes.delete(id);
    for (const id of [...this.ids]) if (!present.has(id)) this.ids.delete(id);
    this.changed(false);
  }

  clear() {
    this.ids.clear();
    for (const box of this.boxes.values()) box.checked = false;
    this.changed();
  }

  changed(notify = true) {
    const total = this.boxes.size;
    const count = this.ids.size;
    this.all.checked = total > 0 && count === total;
    this.all.indeterminate = count > 0 && count < total;
    if (notify && this.onChange) this.onChange(count);
    else if (this.onChange) this.onChange(count, { quiet: true });
  }

  selected() { return [...this.ids]; }
}

// The selection of a tab whose green button acts on the ticked rows: the count on the button,
// "2 services selected" above the list (`selection.note`), and the same said to a screen reader.
export function fabSelection({ noun, describeItem, fabButton }) {
  const note = h('span', { class: 'selected-note' });
  const selection = new Selection({
    describeItem,
    onChange: (count, { quiet } = {}) => {
      fabButton.setCount(count);
      note.textContent = count ? `${plural(count, noun)} selected` : '';
      if (!quiet && count) announce(`${plural(count, noun)} selected.`);
    },
  });
  selection.all.setAttribute('aria-label', `Select all ${noun}s`);
  selection.note = note;
  return selection;
}
