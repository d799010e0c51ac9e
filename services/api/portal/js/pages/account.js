// Pages reached without signing in: "Forgot password?", and the page an emailed link opens to set a
// password (an invitation: #/set-password?token=…, a reset: #/reset-password?token=…). The token is
// in the fragment, which the browser never sends to the server, and leaves the address bar as soon
// as the page has read it.

import { api, describe } from '../api.js';
import { go } from '../router.js';
import { clear, errorBox, field, h } from '../ui.js';

// The address a person just set a password for, for the sign-in page to fill in.
export const handOver = { email: '' };

const FORGOT = {
  token_invalid: 'This link has expired or was already used. Ask for a new one below.',
};

export function renderForgotPassword(main) {
  document.title = 'Forgot password · clinicpay';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  email.value = handOver.email;
  const submit = h('button', { type: 'submit', class: 'primary wide', text: 'Email me a link' });
  const message = h('div', { class: 'form-message' });
  const form = h('form', { class: 'card login-card', novalidate: true },
    h('h1', { text: 'Forgot your password?' }),
    h('p', { class: 'muted', text: 'Enter the email you sign in with. We’ll email you a link to set a new password.' }),
    field('Email', email), message, submit,
    h('p', { class: 'form-footer' }, h('a', { href: '#/login', text: 'Back to sign in' })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(message);
    const address = email.value.trim();
    if (!address) {
      message.append(errorBox('Enter your email.'));
      email.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api.post('/v1/auth/password-reset', { email: address }, { auth: false });
      handOver.email = address;
      const done = h('div', { class: 'card login-card', role: 'status' },
        h('h1', { text: 'Check your email' }),
        h('p', { text: `If ${address} has a clinicpay sign-in, we’ve emailed it a link to set a new password. The link works once, for an hour.` }),
        h('p', { class: 'muted', text: 'Nothing arrived? Check your spam folder, or make sure it is the address your practice has for you.' }),
        h('p', { class: 'form-footer' }, h('a', { href: '#/login', text: 'Back to sign in' })));
      clear(main, h('div', { class: 'center-page' }, done));
      done.querySelector('h1').setAttribute('tabindex', '-1');
      done.querySelector('h1').focus();
    } catch (error) {
      message.append(errorBox(describe(error, { 422: 'That doesn’t look like an email address.' })));
      email.focus();
    } finally {
      submit.disabled = false;
    }
  });

  clear(main, h('div', { class: 'center-page' }, form));
  email.focus();
}

function setPasswordPage(main, query, { title, intro, button, endpoint, done }) {
  document.title = `${title} · clinicpay`;
  const token = query.token || '';
  // Out of the address bar (and the history) at once: the page keeps it in memory only.
  window.history.replaceState(null, '', window.location.pathname + window.location.hash.split('?')[0]);
  const password = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true });
  const again = h('input', { type: 'password', name: 'new-password-again', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary wide', text: button });
  const message = h('div', { class: 'form-message' });
  const form = h('form', { class: 'card login-card', novalidate: true },
    h('h1', { text: title }),
    h('p', { class: 'muted', text: intro }),
    field('New password', password, 'At least 10 characters. A few unrelated words together make a strong one.'),
    field('New password again', again), message, submit);

  const invalidLink = () => h('div', {},
    errorBox('This link has expired or was already used.'),
    h('p', {}, h('a', { href: '#/forgot-password', text: 'Ask for a new link' }), ' or ask your practice to invite you again.'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(message);
    if (!token) { message.append(invalidLink()); return; }
    if (!password.value) { message.append(errorBox('Enter a new password.')); password.focus(); return; }
    if (password.value !== again.value) {
      message.append(errorBox('The two passwords are not the same. Type them again.'));
      again.select();
      again.focus();
      return;
    }
    submit.disabled = true;
    try {
      const answer = await api.post(endpoint, { token, password: password.value }, { auth: false });
      handOver.email = answer.email;
      handOver.notice = done;
      go('/login');
    } catch (error) {
      if (error.code === 'token_invalid') {
        message.append(invalidLink());
      } else {
        message.append(errorBox(describe(error, FORGOT)));
        password.select();
        password.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });

  clear(main, h('div', { class: 'center-page' }, form));
  password.focus();
}

export function renderSetPassword(main, params, query) {
  setPasswordPage(main, query, {
    title: 'Set your password',
    intro: 'Choose the password you will sign in with.',
    button: 'Set password',
    endpoint: '/v1/invitations/accept',
    done: 'Your password is set. Sign in with it now.',
  });
}

export function renderResetPassword(main, params, query) {
  setPasswordPage(main, query, {
    title: 'Choose a new password',
    intro: 'Setting a new password signs you out on every other device.',
    button: 'Set new password',
    endpoint: '/v1/auth/password-reset/complete',
    done: 'Your new password is set. Sign in with it now.',
  });
}
