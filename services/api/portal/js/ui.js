// Small DOM helpers. Everything is built with createElement and textContent, never
// innerHTML with data, so a client name or a description can't inject markup.

import { describe } from './api.js';

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && !key.includes('-') && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A labelled form field: every input has a real <label>.
export function field(labelText, input, hint) {
  if (!input.id) input.id = uid('field');
  const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: input.id, text: labelText }), input, hintEl);
}

// --- Status messages for screen readers and eyes alike. ---

let announceTimer = null;
export function announce(message, { keepMs = 8000 } = {}) {
  const region = document.getElementById('status');
  if (!region) return;
  // Clear first so the same message twice is announced twice; fade it after a while.
  region.textContent = '';
  window.clearTimeout(announceTimer);
  announceTimer = window.setTimeout(() => {
    region.textContent = message;
    announceTimer = window.setTimeout(() => { region.textContent = ''; }, keepMs);
  }, 30);
}

export function errorBox(message) {
  return h('div', { class: 'error-box', role: 'alert', text: message });
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'muted loading', text });
}

// --- Dialogs: native <dialog> (modal: the rest of the page is inert), with focus
// moved in on open, Tab kept inside, Esc to close, and focus returned on close. ---

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), '
  + 'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function openDialog({ title, body = [], actions = [], onClose, labelledBy, className = '', fallbackFocus }) {
  const opener = document.activeElement;
  const titleId = labelledBy || uid('dialog-title');
  const closeBtn = h('button', { type: 'button', class: 'icon-button dialog-close', 'aria-label': 'Close' }, '×');
  const content = h('div', { class: 'dialog-body' }, body);
  const footer = h('div', { class: 'dialog-actions' }, actions);
  const dialog = h('dialog', { class: `dialog ${className}`, 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' }, h('h2', { id: titleId, text: title }), closeBtn),
    content, footer);
  document.body.append(dialog);

  let suspended = false;
  const controller = {
    dialog, content, footer,
    close() { if (dialog.open) dialog.close(); else finish(); },
    setBusy(busy) { dialog.classList.toggle('busy', busy); },
    // Stripe's 3-D Secure window is added to <body>, outside this dialog; a modal dialog
    // makes the rest of the page inert, so step out of modal mode while Stripe shows it.
    // A veil keeps the page behind looking (and being) out of reach meanwhile.
    async whileStripeShows(fn) {
      const veil = h('div', { class: 'veil', 'aria-hidden': 'true' });
      const focused = document.activeElement;
      suspended = true;
      dialog.before(veil);
      dialog.close();
      dialog.show();
      dialog.classList.add('stepped-out');
      suspended = false;
      try { return await fn(); } finally {
        suspended = true;
        veil.remove();
        dialog.classList.remove('stepped-out');
        if (dialog.open) dialog.close();
        if (!controller.closed) dialog.showModal();
        suspended = false;
        if (focused && dialog.contains(focused) && !focused.disabled) focused.focus();
      }
    },
    closed: false,
  };

  function finish() {
    if (controller.closed) return;
    controller.closed = true;
    dialog.remove();
    if (onClose) onClose();
    // Back to the button that opened it; if that is gone or hidden now (a paid invoice loses
    // its "Make Payment"), to a sensible neighbour.
    const openerUsable = opener && typeof opener.focus === 'function' && document.contains(opener)
      && opener.offsetParent !== null && !opener.disabled;
    if (openerUsable) opener.focus();
    else if (fallbackFocus) fallbackFocus();
  }

  closeBtn.addEventListener('click', () => controller.close());
  // 'close' fires a task later: if the dialog is open again by then (stepping out of modal
  // mode for Stripe), it was not really closed.
  dialog.addEventListener('close', () => { if (!suspended && !dialog.open) finish(); });
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  dialog.showModal();
  const firstField = content.querySelector('input, select, textarea') || footer.querySelector('button') || closeBtn;
  firstField.focus();
  return controller;
}

// A dialog around one form: its fields, a place for what went wrong, "Cancel" and the submit
// button. `submit(dialog)` runs with the button disabled and closes the dialog itself
// (`dialog.close()`) once done; `dialog.problem(text, input)` says what to fix next to the field.
// A thrown error is shown in the form in plain words (`errorText`: by default `describe(error,
// errors)`), after `onError`, and the button works again.
export function formDialog({ title, id, fields, submitLabel, submitClass = 'primary', submit, errors, onError,
  errorText = (error) => describe(error, errors) }) {
  const message = h('div', { class: 'form-message' });
  const save = h('button', { type: 'submit', form: id, class: submitClass, text: submitLabel });
  const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = h('form', { id, novalidate: true }, fields, message);
  const dialog = openDialog({ title, body: [form], actions: [cancel, save] });
  cancel.addEventListener('click', () => dialog.close());
  dialog.message = message;
  dialog.problem = (text, input) => {
    clear(message, errorBox(text));
    if (input) input.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    clear(message);
    try {
      await submit(dialog);
    } catch (error) {
      if (onError) onError(error);
      clear(message, errorBox(errorText(error)));
    }
    if (!dialog.closed) save.disabled = false;
  });
  return dialog;
}

// A yes/no question in a dialog; resolves true when confirmed.
export function confirmDialog(title, message, confirmLabel = 'Confirm', { danger = false } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: danger ? 'danger' : 'primary', text: confirmLabel });
    const no = h('button', { type: 'button', class: 'secondary', text: 'Cancel' });
    const dlg = openDialog({ title, body: [h('p', { text: message })], actions: [no, yes],
      onClose: () => resolve(answer) });
    yes.addEventListener('click', () => { answer = true; dlg.close(); });
    no.addEventListener('click', () => dlg.close());
    no.focus();
  });
}

// --- Tables that become stacked cards on narrow screens (CSS reads data-label). ---

export function table({ caption, columns, className = '' }) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', {
    scope: 'col', class: c.className || '', 'aria-label': c.ariaLabel,
  }, c.header ?? c.label))));
  const tbody = h('tbody');
  const el = h('table', { class: `data-table ${className}` },
    caption ? h('caption', { class: 'sr-only', text: caption }) : null, thead, tbody);
  return { el, thead, tbody };
}

export function cell(column, content) {
  return h('td', { class: column.className || '', 'data-label': column.label }, content);
}

// Keyed rows: rows are updated in place so polling never steals focus or a ticked box.
export class KeyedRows {
  constructor(tbody, columns, { keyOf = (item) => item.id, rowClass } = {}) {
    this.tbody = tbody;
    this.columns = columns;
    this.keyOf = keyOf;
    this.rowClass = rowClass;
    this.rows = new Map();
  }

  update(items) {
    const seen = new Set();
    let previous = null;
    for (const item of items) {
      const key = this.keyOf(item);
      seen.add(key);
      let entry = this.rows.get(key);
      const signature = JSON.stringify(item);
      if (!entry) {
        entry = { tr: h('tr', { dataset: { key } }), cells: new Map(), signature: null };
        this.rows.set(key, entry);
      }
      if (entry.signature !== signature) {
        this.columns.forEach((column, index) => {
          const existing = entry.cells.get(index);
          // A "sticky" cell (a checkbox) is built once, so focus and its ticked state survive.
          if (existing && column.sticky) return;
          const td = cell(column, column.render(item, entry));
          if (existing) existing.replaceWith(td); else entry.tr.append(td);
          entry.cells.set(index, td);
        });
        entry.item = item;
        entry.signature = signature;
        if (this.rowClass) entry.tr.className = this.rowClass(item) || '';
      }
      const expected = previous ? previous.nextSibling : this.tbody.firstChild;
      if (expected !== entry.tr) {
        if (previous) previous.after(entry.tr); else this.tbody.prepend(entry.tr);
      }
      previous = entry.tr;
      for (const extra of entry.extras || []) { previous.after(extra); previous = extra; }
    }
    for (const [key, entry] of this.rows) {
      if (!seen.has(key)) {
        entry.tr.remove();
        for (const extra of entry.extras || []) extra.remove();
        this.rows.delete(key);
      }
    }
  }

  items() { return [...this.rows.values()].map((entry) => entry.item); }
}

// --- Status labels: one word for each status wherever it shows (pills, filters). ---

const STATUS_LABELS = {
  open: 'Open', partially_paid: 'Partially paid', overdue: 'Overdue', paid: 'Paid', void: 'Void',
  uninvoiced: 'Uninvoiced', invoiced: 'Invoiced', pending: 'Pending', requires_action: 'Needs authentication',
  processing: 'Processing', succeeded: 'Succeeded', failed: 'Failed', canceled: 'Canceled',
  reversed: 'Reversed', mismatched: 'Under review', queued: 'Queued', running: 'Running',
};

export function statusLabel(status) { return STATUS_LABELS[status] || status; }

export function statusPill(status) {
  return h('span', { class: `pill pill-${status}`, text: statusLabel(status) });
}

// A list's status filter: "All" first, then the given statuses by their labels.
export function statusFilter(statuses, selected = '') {
  const select = h('select', { name: 'status' }, h('option', { value: '', text: 'All' }),
    statuses.map((status) => h('option', { value: status, text: statusLabel(status) })));
  select.value = statuses.includes(selected) ? selected : '';
  return select;
}

// On or off, as the operator's console and the Stripe page show a practice's connection.
export function connectionPill(connected) {
  return h('span', { class: `pill ${connected ? 'pill-paid' : 'pill-open'}`, text: connected ? 'Connected' : 'Not connected' });
}

// The round green button fixed in the bottom-right corner, as in the practice's old system.
export function fab(label, onClick) {
  const button = h('button', { type: 'button', class: 'fab', 'aria-label': label, title: label, onclick: onClick });
  button.innerHTML = '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">'
    + '<path fill="currentColor" d="M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 '
    + '0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z"/></svg>';
  const count = h('span', { class: 'fab-count', 'aria-hidden': 'true' });
  button.append(count);
  button.setCount = (n) => {
    count.textContent = n ? String(n) : '';
    count.hidden = !n;
  };
  button.setCount(0);
  return button;
}

export function newIdempotencyKey() {
  return crypto.randomUUID();
}
