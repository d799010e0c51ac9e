// Practice settings (admins): the practice's name, time zone and invoice numbers; the letterhead new
// invoice PDFs print (address, phone, tax id, NPI, logo); how clients pay (part payments and their
// minimum, payment terms, bank debits); payment reminders (the days they go, the quiet hours);
// where clients' replies go; whether staff need a second factor. Each save sends only what changed, and the server audits each change.

import { api, describe } from '../api.js';
import { minorToInput, parseMoney, setPractice } from '../format.js';
import { announce, clear, errorBox, field, h, loading } from '../ui.js';

const TERMS = [['due_on_receipt', 'Due on receipt'], ['net_7', 'Net 7 (due 7 days after the invoiced date)'],
  ['net_15', 'Net 15'], ['net_30', 'Net 30']];

// "-3, 0, 7" ⇄ [-3, 0, 7]; null when the text is not a list of whole numbers.
function parseDays(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.every((part) => /^[+-]?\d{1,3}$/.test(part))) return null;
  return parts.map(Number).sort((a, b) => a - b);
}

function dayWords(offset) {
  if (offset === 0) return 'on the due date';
  const n = Math.abs(offset);
  return `${n} day${n === 1 ? '' : 's'} ${offset < 0 ? 'before' : 'after'}`;
}

export function scheduleWords(days) {
  if (!days.length) return 'No reminders are sent.';
  return `Reminders go ${days.map(dayWords).join(', ')} — only the latest that has come, once, and never for days before the invoice was issued.`;
}

function hourLabel(hour) {
  const suffix = hour < 12 ? 'am' : 'pm';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return hour === 0 ? 'midnight' : hour === 12 ? 'noon' : `${twelve} ${suffix}`;
}

function hourSelect(name, value) {
  const select = h('select', { name }, Array.from({ length: 24 }, (_, hour) => h('option', { value: String(hour), text: hourLabel(hour) })));
  select.value = String(value);
  return select;
}

function zones(current) {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

export function renderPracticeSettings(main) {
  document.title = 'Practice settings · clinicpay';
  const body = h('div', {}, loading('Loading the settings…'));
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Practice settings' }),
      h('p', { class: 'muted', text: 'Changes to the letterhead and terms apply to invoices issued from now on; issued invoices keep what they printed.' })),
    body));

  let settings = null;

  function draw() {
    const s = settings;
    const currency = s.currency;
    const name = h('input', { type: 'text', name: 'name', maxlength: '200', value: s.name, required: true });
    const timezone = h('select', { name: 'timezone' }, zones(s.timezone).map((z) => h('option', { value: z, text: z.replace(/_/g, ' ') })));
    timezone.value = s.timezone;
    const prefix = h('input', { type: 'text', name: 'invoice_prefix', maxlength: '16', value: s.invoice_prefix, pattern: '[A-Za-z0-9-]*' });
    const address = h('textarea', { name: 'address_lines', rows: '4', maxlength: '520' });
    address.value = (s.address_lines || []).join('\n');
    const phone = h('input', { type: 'text', name: 'phone', maxlength: '40', value: s.phone || '', autocomplete: 'off' });
    const taxId = h('input', { type: 'text', name: 'tax_id', maxlength: '40', value: s.tax_id || '', autocomplete: 'off' });
    const npi = h('input', { type: 'text', name: 'npi', maxlength: '10', inputmode: 'numeric', value: s.npi || '', autocomplete: 'off' });
    const partial = h('input', { type: 'checkbox', name: 'allow_partial_payments', checked: s.allow_partial_payments });
    const minimum = h('input', { type: 'text', name: 'minimum_payment', inputmode: 'decimal', value: minorToInput(s.minimum_payment_cents, currency) });
    const terms = h('select', { name: 'payment_terms' }, TERMS.map(([value, label]) => h('option', { value, text: label })));
    terms.value = s.payment_terms;
    const ach = h('input', { type: 'checkbox', name: 'ach_debit_enabled', checked: s.ach_debit_enabled, disabled: currency !== 'USD' });
    const linkDays = h('input', { type: 'number', name: 'pay_link_expiry_days', min: '1', max: '365', value: String(s.pay_link_expiry_days ?? 30) });
    const reminderDays = h('input', { type: 'text', name: 'reminder_schedule_days', maxlength: '60', inputmode: 'numeric', value: (s.reminder_schedule_days || []).join(', '), autocomplete: 'off' });
    const daysWords = h('p', { class: 'muted', id: 'reminder-days-words', 'aria-live': 'polite', text: scheduleWords(s.reminder_schedule_days || []) });
    reminderDays.addEventListener('input', () => {
      const days = parseDays(reminderDays.value);
      daysWords.textContent = days === null ? 'Write whole numbers separated by commas, for example -3, 0, 7, 14, 30.' : scheduleWords(days);
    });
    const quietStart = hourSelect('reminder_quiet_start_hour', s.reminder_quiet_start_hour ?? 20);
    const quietEnd = hourSelect('reminder_quiet_end_hour', s.reminder_quiet_end_hour ?? 8);
    const replyTo = h('input', { type: 'email', name: 'reply_to_email', maxlength: '320', value: s.reply_to_email || '', autocomplete: 'off' });
    const totp = h('input', { type: 'checkbox', name: 'require_staff_totp', checked: s.require_staff_totp });
    const message = h('div', { class: 'form-message' });
    const save = h('button', { type: 'submit', class: 'primary', text: 'Save changes' });

    const form = h('form', { class: 'settings-form', novalidate: true },
      h('fieldset', { class: 'card' }, h('legend', { text: 'Practice' }),
        field('Name', name, 'Printed on invoices and in every email to clients.'),
        field('Time zone', timezone, 'Dates on invoices, due dates and “overdue” follow this calendar.'),
        field('Invoice number prefix', prefix, 'Letters, digits and dashes, e.g. INV- (invoices already issued keep their numbers).'),
        h('p', { class: 'muted', text: `Currency: ${currency}. It is set when the practice is created.` })),
      h('fieldset', { class: 'card' }, h('legend', { text: 'Letterhead' }),
        field('Address', address, 'One printed line per line, at most 5.'),
        field('Phone', phone), field('Tax id', taxId, 'For example a US EIN, 12-3456789.'), field('NPI', npi, '10 digits.'),
        logoField()),
      h('fieldset', { class: 'card' }, h('legend', { text: 'Payments' }),
        field('Payment terms', terms, 'When invoices are due; an invoicing run may choose its own due date.'),
        h('label', { class: 'checkbox-field' }, partial, ' Clients may pay part of an invoice'),
        field(`Smallest part payment (${currency})`, minimum, 'With part payments on: the least a client may pay at once (the whole balance is always allowed).'),
        h('label', { class: 'checkbox-field' }, ach, currency === 'USD' ? ' Clients may pay by bank debit (ACH)' : ' Bank debit (ACH) is for practices billing in USD')),
      h('fieldset', { class: 'card' }, h('legend', { text: 'Payment reminders' }),
        field('Remind on these days (from the due date)', reminderDays, 'Negative before the due date, 0 on it, positive after; at most 10. Empty: no reminders.'),
        daysWords,
        h('div', { class: 'field-row' },
          field('No reminders from', quietStart), field('until', quietEnd)),
        h('p', { class: 'muted', text: `In the practice’s time zone. The same hour twice: no quiet hours. Clients can stop reminders with the link in each one; paid, void and disputed invoices get none.` })),
      h('fieldset', { class: 'card' }, h('legend', { text: 'Email and security' }),
        field('Payment links work for (days)', linkDays, 'How long the link in an invoice email lets the client pay without signing in (1–365).'),
        field('Reply-to address', replyTo, 'Where clients’ answers to the practice’s emails go. Empty: replies are not expected.'),
        h('label', { class: 'checkbox-field' }, totp, ' Staff must use a second factor (an authenticator app) to sign in')),
      message, h('div', { class: 'form-actions' }, save));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(message);
      const minimumCents = parseMoney(minimum.value || '0', currency);
      if (minimumCents === null) {
        clear(message, errorBox('Enter the smallest part payment as an amount, for example 20.00.'));
        minimum.focus();
        return;
      }
      const days = parseDays(reminderDays.value);
      if (days === null) {
        clear(message, errorBox('Write the reminder days as whole numbers separated by commas, for example -3, 0, 7, 14, 30.'));
        reminderDays.focus();
        return;
      }
      const wanted = {
        name: name.value.trim(), timezone: timezone.value, invoice_prefix: prefix.value.trim(),
        address_lines: address.value.split('\n').map((line) => line.trim()).filter(Boolean),
        phone: phone.value.trim() || null, tax_id: taxId.value.trim() || null, npi: npi.value.trim() || null,
        allow_partial_payments: partial.checked, minimum_payment_cents: minimumCents, payment_terms: terms.value,
        ach_debit_enabled: ach.checked, pay_link_expiry_days: Number(linkDays.value), reply_to_email: replyTo.value.trim() || null, require_staff_totp: totp.checked,
        reminder_schedule_days: days, reminder_quiet_start_hour: Number(quietStart.value), reminder_quiet_end_hour: Number(quietEnd.value),
      };
      const changed = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(s[key] ?? null)
        && !(key === 'address_lines' && !value.length && !(s.address_lines || []).length)));
      if (!Object.keys(changed).length) { announce('Nothing changed.'); return; }
      save.disabled = true;
      try {
        settings = await api.patch('/v1/settings', changed);
        setPractice({ currency: settings.currency, timezone: settings.timezone });
        document.getElementById('practice-name').textContent = settings.name;
        announce(`Saved (${Object.keys(changed).length} ${Object.keys(changed).length === 1 ? 'change' : 'changes'}).`);
        draw();
      } catch (error) {
        clear(message, errorBox(describe(error)));
        const bad = error.param && form.querySelector(`[name="${error.param.split('.')[0]}"]`);
        if (bad) bad.focus();
        save.disabled = false;
      }
    });
    clear(body, form);
  }

  function logoField() {
    const current = settings.logo;
    const preview = h('div', { class: 'logo-preview' }, current ? loading('Loading the logo…') : h('p', { class: 'muted', text: 'No logo: invoices print the practice’s name only.' }));
    const input = h('input', { type: 'file', name: 'logo', accept: 'image/png,image/jpeg' });
    const remove = current ? h('button', { type: 'button', class: 'secondary small', text: 'Remove logo' }) : null;
    if (current) {
      api.blob('/v1/settings/logo').then((blob) => {
        const url = URL.createObjectURL(blob);
        clear(preview, h('img', { src: url, alt: 'The practice’s logo', class: 'logo-image' }));
      }).catch(() => clear(preview, h('p', { class: 'muted', text: 'The logo could not be shown.' })));
    }
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      try {
        await api.upload('/v1/settings/logo', file);
        announce('Logo saved. New invoice PDFs print it.');
        settings = await api.get('/v1/settings');
        draw();
      } catch (error) {
        announce(describe(error, { logo_too_large: 'The logo must be at most 512 KB.' }));
        input.value = '';
      }
    });
    if (remove) {
      remove.addEventListener('click', async () => {
        remove.disabled = true;
        try {
          await api.delete('/v1/settings/logo');
          announce('Logo removed. New invoice PDFs print none.');
          settings = await api.get('/v1/settings');
          draw();
        } catch (error) {
          announce(describe(error));
          remove.disabled = false;
        }
      });
    }
    return h('div', { class: 'field' }, h('span', { class: 'field-label', text: 'Logo' }), preview,
      field('Upload a logo (PNG or JPEG, at most 512 KB)', input), remove ? h('div', {}, remove) : null);
  }

  api.get('/v1/settings').then((found) => { settings = found; draw(); })
    .catch((error) => clear(body, errorBox(describe(error))));
}
