// Staff (admins): the practice's admins and billers — invite one by email, change a role, deactivate (their
// sign-ins end at once; the API keys they made are listed for review) or reactivate, reset a lost
// second factor — and the practice's API keys: create (the key is shown once), revoke.

import { api, describe, listAll } from '../api.js';
import { dateTime } from '../format.js';
import { listView } from '../list.js';
import { session } from '../session.js';
import { announce, clear, confirmDialog, field, formDialog, h, openDialog } from '../ui.js';

const ROLES = [['biller', 'Biller'], ['admin', 'Admin']];
const roleLabel = (role) => (ROLES.find(([value]) => value === role) || [role, role])[1];
const roleSelect = (props = {}) => h('select', { name: 'role', ...props }, ROLES.map(([value, label]) => h('option', { value, text: label })));

export function renderStaff(main) {
  document.title = 'Staff · clinicpay';
  const addStaff = h('button', { type: 'button', class: 'primary', text: 'Invite staff member' });
  const addKey = h('button', { type: 'button', class: 'secondary', text: 'New API key' });
  const review = h('div');

  const userColumns = [
    { label: 'Email', render: (u) => u.email + (u.id === session.me.id ? ' (you)' : '') },
    { label: 'Role', render: (u) => roleCell(u) },
    { label: 'Second factor', render: (u) => (u.totp_enabled ? 'On' : 'Off') },
    { label: 'Status', render: (u) => (u.is_active ? 'Active' : 'Deactivated') },
    { label: 'Actions', render: (u) => userActions(u) },
  ];
  const users = listView({ caption: 'Staff', columns: userColumns, className: 'staff-table',
    rowClass: (u) => (u.is_active ? '' : 'inactive') });
  const keyColumns = [
    { label: 'Name', render: (k) => k.name },
    { label: 'Role', render: (k) => roleLabel(k.role) },
    { label: 'Key', render: (k) => h('span', { class: 'mono', text: `…${k.key_last4}` }) },
    { label: 'Created', render: (k) => dateTime(k.created_at) },
    { label: 'Status', render: (k) => (k.revoked_at ? `Revoked ${dateTime(k.revoked_at)}` : keyActions(k)) },
  ];
  const keys = listView({ caption: 'API keys', columns: keyColumns, className: 'keys-table', emptyText: 'No API keys yet.' });
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Staff' }),
      h('p', { class: 'muted', text: 'Who can sign in to the practice’s pages, and the keys its other systems use.' }), addStaff),
    review, users.area,
    h('div', { class: 'section-head' }, h('h2', { text: 'API keys' }), addKey), keys.area));

  function roleCell(user) {
    if (user.id === session.me.id || !user.is_active) return roleLabel(user.role);
    const select = roleSelect({ 'aria-label': `Role of ${user.email}` });
    select.value = user.role;
    select.addEventListener('change', () => change(user, { role: select.value }, `${user.email} is now ${roleLabel(select.value).toLowerCase()}.`));
    return select;
  }

  function userActions(user) {
    if (user.id === session.me.id) return h('a', { href: '#/account', text: 'My account' });
    const buttons = [];
    const toggle = h('button', { type: 'button', class: user.is_active ? 'danger small' : 'secondary small',
      text: user.is_active ? 'Deactivate' : 'Reactivate', 'aria-label': `${user.is_active ? 'Deactivate' : 'Reactivate'} ${user.email}` });
    toggle.addEventListener('click', async () => {
      if (user.is_active) {
        const sure = await confirmDialog(`Deactivate ${user.email}?`,
          'They are signed out everywhere at once and can no longer sign in. Their work stays in the records.', 'Deactivate', { danger: true });
        if (!sure) return;
      }
      await change(user, { is_active: !user.is_active }, `${user.email} ${user.is_active ? 'deactivated' : 'reactivated'}.`);
    });
    buttons.push(toggle);
    if (user.totp_enabled && user.is_active) {
      const reset = h('button', { type: 'button', class: 'secondary small', text: 'Reset second factor', 'aria-label': `Reset the second factor of ${user.email}` });
      reset.addEventListener('click', async () => {
        const sure = await confirmDialog(`Reset the second factor of ${user.email}?`,
          'For a colleague who lost their authenticator app: it is removed, they are signed out, and they sign in with their password (and set up a new app if the practice requires one).', 'Reset');
        if (!sure) return;
        try {
          await api.delete(`/v1/users/${user.id}/totp`);
          announce(`The second factor of ${user.email} was reset.`);
        } catch (error) { announce(describe(error)); }
        await load().catch(() => {});
      });
      buttons.push(reset);
    }
    return h('div', { class: 'row-actions' }, buttons);
  }

  async function change(user, patch, done) {
    try {
      const answer = await api.patch(`/v1/users/${user.id}`, patch);
      announce(done);
      const kept = (answer.api_keys_created || []).filter((k) => !k.revoked_at);
      if (patch.is_active === false && kept.length) {
        clear(review, h('div', { class: 'notice warn' },
          h('p', { text: `${user.email} created ${kept.length === 1 ? 'this API key' : 'these API keys'}, which still work${kept.length === 1 ? 's' : ''}: ${kept.map((k) => `“${k.name}” (…${k.key_last4})`).join(', ')}. Revoke any they may have kept a copy of.` })));
      }
    } catch (error) {
      announce(describe(error, { last_admin: 'The practice needs at least one active admin. Make someone else admin first.' }));
    }
    await load().catch(() => {});
  }

  function keyActions(key) {
    const revoke = h('button', { type: 'button', class: 'danger small', text: 'Revoke', 'aria-label': `Revoke the API key ${key.name}` });
    revoke.addEventListener('click', async () => {
      const sure = await confirmDialog(`Revoke “${key.name}”?`, 'Systems using this key stop working at once.', 'Revoke', { danger: true });
      if (!sure) return;
      try {
        await api.delete(`/v1/api-keys/${key.id}`);
        announce(`“${key.name}” revoked.`);
      } catch (error) { announce(describe(error)); }
      await load().catch(() => {});
    });
    return revoke;
  }

  // An invitation: the colleague gets an email with a link to choose their own password. An address
  // that already has a login anywhere gets a note instead, and the answer here is the same.
  addStaff.addEventListener('click', () => {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', maxlength: '320', required: true });
    const role = roleSelect();
    formDialog({
      title: 'Invite a staff member',
      id: 'staff-form',
      submitLabel: 'Send invitation',
      fields: [field('Email', email, 'They get a link to choose their own password; it works once, for 7 days.'),
        field('Role', role, 'Billers invoice and record payments; admins also run settings, Stripe and staff.')],
      async submit(dialog) {
        if (!email.value.trim()) { dialog.problem('Enter their email.', email); return; }
        await api.post('/v1/users/invitations', { email: email.value.trim(), role: role.value });
        dialog.close();
        announce(`Invitation sent to ${email.value.trim()}. They appear here once they have chosen a password.`);
        await load();
      },
    });
  });

  addKey.addEventListener('click', () => {
    const name = h('input', { type: 'text', name: 'name', maxlength: '200', autocomplete: 'off', required: true });
    const role = roleSelect();
    formDialog({
      title: 'New API key',
      id: 'key-form',
      submitLabel: 'Create key',
      fields: [field('Name', name, 'What uses it, e.g. “EHR sync”.'), field('Role', role)],
      async submit(dialog) {
        if (!name.value.trim()) { dialog.problem('Name the key.', name); return; }
        const created = await api.post('/v1/api-keys', { name: name.value.trim(), role: role.value });
        dialog.close();
        showKeyOnce(created);
        await load();
      },
    });
  });

  function showKeyOnce(created) {
    const value = h('input', { type: 'text', readonly: true, class: 'mono', value: created.key, 'aria-label': 'The new API key' });
    const done = h('button', { type: 'button', class: 'primary', text: 'I have copied it' });
    const dialog = openDialog({ title: `API key “${created.name}”`, body: [
      h('p', { text: 'Copy the key now: it is shown this once and clinicpay keeps only a fingerprint of it.' }), value], actions: [done] });
    done.addEventListener('click', () => dialog.close());
    value.select();
  }

  async function load() {
    const [userList, keyList] = await Promise.all([listAll('/v1/users'), listAll('/v1/api-keys')]);
    users.show(userList);
    keys.show(keyList);
  }

  load().catch(users.fail);
}
