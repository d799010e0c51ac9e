import { api, describe, setToken } from '../api.js';
import { clear, errorBox, field, h } from '../ui.js';
import { handOver } from './account.js';

export function renderLogin(main, { onSignedIn }) {
  document.title = 'Sign in · clinicpay';
  const email = h('input', { type: 'email', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  // The second step for staff with an authenticator app: shown once the API answers otp_required
  // (it does so only after the right password).
  const otp = h('input', { type: 'text', name: 'otp', autocomplete: 'one-time-code', inputmode: 'numeric',
    maxlength: '8', pattern: '[0-9 ]*' });
  const otpField = field('Code from your authenticator app', otp);
  otpField.hidden = true;
  const submit = h('button', { type: 'submit', class: 'primary wide', text: 'Sign in' });
  const message = h('div', { class: 'form-message' });
  // Just back from setting a password (an invitation or a reset): say so, and fill in the address.
  const notice = handOver.notice ? h('p', { class: 'notice ok', role: 'status', text: handOver.notice }) : null;
  email.value = handOver.email || '';
  handOver.notice = '';
  const forgot = h('a', { href: '#/forgot-password', text: 'Forgot password?' });
  forgot.addEventListener('click', () => { handOver.email = email.value.trim(); });
  const form = h('form', { class: 'card login-card', novalidate: true },
    h('h1', { text: 'Sign in' }),
    notice,
    h('p', { class: 'muted', text: 'Use the email and password your practice gave you.' }),
    field('Email', email), field('Password', password), otpField, message, submit,
    h('p', { class: 'form-footer' }, forgot));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(message);
    if (!email.value.trim() || !password.value) {
      message.append(errorBox('Enter your email and password.'));
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const fields = { username: email.value.trim(), password: password.value };
      if (!otpField.hidden && otp.value.trim()) fields.otp = otp.value.trim();
      const answer = await api.form('/v1/auth/token', fields, { auth: false });
      setToken(answer.access_token);
      await onSignedIn();
    } catch (error) {
      message.append(errorBox(describe(error, { 401: 'That email and password don’t match. Check them and try again.' })));
      if (error.code === 'otp_required' || error.code === 'otp_invalid') {
        otpField.hidden = false;
        otp.value = '';
        otp.focus();
      } else {
        password.select();
        password.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  clear(main, h('div', { class: 'center-page' }, form));
  (email.value ? password : email).focus();
}
