// My account (everyone signed in): change your own password; for staff, turn on a second factor (an
// authenticator app) or off. When the practice requires one and you have none yet, this is the only
// page your sign-in can open until you enrol.

import { api, describe } from '../api.js';
import { isStaff, loadMe, session } from '../session.js';
import { announce, clear, errorBox, field, h } from '../ui.js';

export function renderAccount(main, _params, _query, { onEnrolled } = {}) {
  document.title = 'My account · clinicpay';
  const totpCard = h('div', { class: 'card narrow-form' });
  const mustEnrol = Boolean(session.me && session.me.totp_enrollment_required);
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'My account' }),
      h('p', { class: 'muted', text: `Signed in as ${session.me.email}.` })),
    mustEnrol ? h('p', { class: 'notice warn', text: 'Your practice requires a second sign-in step. Set up an authenticator app below to continue.' }) : null,
    mustEnrol ? null : passwordCard(),
    isStaff() ? [h('h2', { text: 'Second factor' }), totpCard] : null));
  if (isStaff()) drawTotp();

  function passwordCard() {
    const current = h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true });
    const next = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true });
    const again = h('input', { type: 'password', name: 'new_password_again', autocomplete: 'new-password', required: true });
    const message = h('div', { class: 'form-message' });
    const save = h('button', { type: 'submit', class: 'primary', text: 'Change password' });
    const form = h('form', { class: 'card narrow-form', novalidate: true },
      h('h2', { text: 'Password' }),
      field('Current password', current), field('New password', next, 'At least 12 characters, hard to guess.'),
      field('New password again', again), message, save);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(message);
      if (!current.value || !next.value) { clear(message, errorBox('Enter your current and your new password.')); return; }
      if (next.value !== again.value) { clear(message, errorBox('The two new passwords differ. Type the same one twice.')); again.focus(); return; }
      save.disabled = true;
      try {
        await api.post('/v1/me/password', { current_password: current.value, new_password: next.value });
        form.reset();
        announce('Password changed. Your other sign-ins have ended.');
      } catch (error) {
        clear(message, errorBox(describe(error, { invalid_current_password: 'Your current password is not right. Nothing changed.' })));
      } finally {
        save.disabled = false;
      }
    });
    return form;
  }

  function drawTotp() {
    if (session.me.totp_enabled) {
      const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
      const message = h('div', { class: 'form-message' });
      const off = h('button', { type: 'submit', class: 'danger', text: 'Turn off' });
      const form = h('form', { novalidate: true }, field('Your password, to turn it off', password), message, off);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (!password.value) { clear(message, errorBox('Enter your password.')); password.focus(); return; }
        off.disabled = true;
        try {
          await api.post('/v1/me/totp/disable', { password: password.value });
          await loadMe();
          announce('The second factor is off. You sign in with your password only.');
          drawTotp();
        } catch (error) {
          clear(message, errorBox(describe(error, {
            totp_required_by_practice: 'Your practice requires a second factor, so it can’t be turned off. An admin can reset it if you lose your app.',
          })));
          off.disabled = false;
        }
      });
      clear(totpCard, h('p', {}, h('span', { class: 'pill pill-paid', text: 'On' }), ' Signing in asks for a code from your authenticator app.'), form);
      return;
    }
    const start = h('button', { type: 'button', class: 'primary', text: 'Set up an authenticator app' });
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        enrol(await api.post('/v1/me/totp'));
      } catch (error) {
        announce(describe(error));
        start.disabled = false;
      }
    });
    clear(totpCard, h('p', {}, h('span', { class: 'pill pill-open', text: 'Off' }), ' Add a code from an app on your phone to each sign-in.'), start);
  }

  function enrol(enrolment) {
    const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8' });
    const message = h('div', { class: 'form-message' });
    const confirm = h('button', { type: 'submit', class: 'primary', text: 'Turn on' });
    const grouped = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
    const form = h('form', { novalidate: true },
      h('ol', { class: 'steps' },
        h('li', {}, 'In your authenticator app, add an account with this key (or open ',
          h('a', { href: enrolment.otpauth_uri, text: 'this link' }), ' on your phone):'),
        h('li', {}, h('code', { class: 'mono totp-secret', text: grouped })),
        h('li', { text: 'Enter the 6-digit code the app shows now.' })),
      field('Code', code), message, confirm);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!code.value.trim()) { clear(message, errorBox('Enter the code from your app.')); code.focus(); return; }
      confirm.disabled = true;
      try {
        await api.post('/v1/me/totp/confirm', { code: code.value.replace(/\s/g, '') });
        await loadMe();
        announce('The second factor is on. Signing in now asks for a code.');
        if (mustEnrol && onEnrolled) { onEnrolled(); return; }
        drawTotp();
      } catch (error) {
        clear(message, errorBox(describe(error, { otp_invalid: 'That code is not right. Enter the code the app shows now.' })));
        code.select();
        confirm.disabled = false;
      }
    });
    clear(totpCard, form);
    code.focus();
  }
}
