import { api, describe, setToken } from '../api.js';
import { clear, errorBox, field, h } from '../ui.js';

export function renderLogin(main, { onSignedIn }) {
  document.title = 'Sign in · clinicpay';
  const email = h('input', { type: 'email', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary wide', text: 'Sign in' });
  const message = h('div', { class: 'form-message' });
  const form = h('form', { class: 'card login-card', novalidate: true },
    h('h1', { text: 'Sign in' }),
    h('p', { class: 'muted', text: 'Use the email and password your practice gave you.' }),
    field('Email', email), field('Password', password), message, submit);

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
      const answer = await api.form('/v1/auth/token', { username: email.value.trim(), password: password.value },
        { auth: false });
      setToken(answer.access_token);
      await onSignedIn();
    } catch (error) {
      message.append(errorBox(describe(error, { 401: 'That email and password don’t match. Check them and try again.' })));
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  clear(main, h('div', { class: 'center-page' }, form));
  email.focus();
}
