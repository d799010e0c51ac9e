// Stripe settings (admins): connect the practice's own Stripe account with its two keys (clinicpay
// creates the webhook endpoint and registers the portal's domain itself, and says what Stripe
// refused), turn bank debits (ACH) on, and watch sync health (webhooks applied, reconciliation).

import { api, ApiError, describe } from '../api.js';
import { dateTime, plural } from '../format.js';
import { followJob } from '../poll.js';
import { announce, clear, confirmDialog, connectionPill, errorBox, field, h, loading, newIdempotencyKey } from '../ui.js';

// The first of several places a value may sit in an answer (the health answer is read
// defensively: a field missing there shows as "—", never breaks the page).
function pick(obj, ...paths) {
  for (const path of paths) {
    const value = path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}
const count = (value) => (Array.isArray(value) ? value.length : value ?? '—');

export function renderStripeSettings(main) {
  document.title = 'Stripe · clinicpay';
  const connection = h('div', { class: 'card' }, loading());
  const health = h('div', { class: 'card' }, loading());
  clear(main, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Stripe' }),
      h('p', { class: 'muted', text: 'Clients pay their invoices by card, wallet or bank debit through your practice’s own Stripe account.' })),
    h('h2', { text: 'Connection' }), connection,
    h('h2', { text: 'Sync health' }), health));

  let stopped = false;

  async function loadConnection() {
    let settings = null;
    try {
      settings = await api.get('/v1/settings/stripe');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) { clear(connection, errorBox(describe(error))); return; }
    }
    drawConnection(settings);
  }

  function drawConnection(settings) {
    const connected = Boolean(settings && settings.connected);
    const parts = [];
    parts.push(h('p', { class: 'connection-state' }, connectionPill(connected),
      connected && settings.livemode === false ? h('span', { class: 'pill pill-processing', text: 'Test mode' }) : null,
      connected ? ' Online payments are on.' : ' Clients can’t pay online until you connect Stripe. Manual payments work either way.'));
    if (settings && (connected || settings.publishable_key)) {
      const webhookText = { endpoint: `Created by clinicpay (${settings.webhook_endpoint_id})`, pasted: 'Your own endpoint (signing secret saved)', none: 'Not set up' }[settings.webhook_mode] || '—';
      parts.push(h('dl', { class: 'facts' },
        h('div', {}, h('dt', { text: 'Publishable key' }), h('dd', { class: 'mono', text: settings.publishable_key || '—' })),
        h('div', {}, h('dt', { text: 'Secret key' }), h('dd', { class: 'mono', text: settings.secret_key_last4 ? `•••• ${settings.secret_key_last4}` : '—' })),
        h('div', {}, h('dt', { text: 'Webhooks' }), h('dd', { text: webhookText })),
        h('div', {}, h('dt', { text: 'Apple Pay, Google Pay, Link' }), h('dd', { text: settings.payment_method_domain ? `On for ${settings.payment_method_domain}` : 'Off' })),
        h('div', {}, h('dt', { text: 'Stripe API version' }), h('dd', { class: 'mono', text: settings.api_version || '—' }))));
    }
    for (const problem of [settings && settings.webhook_problem, settings && settings.payment_method_domain_problem]) {
      if (problem) parts.push(h('p', { class: 'notice warn', 'data-problem': problem.code, text: problem.message }));
    }
    if (settings && settings.webhook_url) {
      const url = h('input', { type: 'text', readonly: true, class: 'mono', value: settings.webhook_url, id: 'webhook-url' });
      const copy = h('button', { type: 'button', class: 'secondary', text: 'Copy' });
      copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(settings.webhook_url); } catch { url.select(); document.execCommand('copy'); }
        announce('Webhook URL copied.');
      });
      parts.push(h('div', { class: 'field' }, h('label', { for: url.id, text: 'Webhook URL (clinicpay registers it with Stripe for you)' }),
        h('div', { class: 'input-row' }, url, copy)));
    }
    parts.push(keysForm(connected, settings));
    if (connected) parts.push(achSetting());
    if (connected) {
      const disconnect = h('button', { type: 'button', class: 'danger', text: 'Disconnect Stripe' });
      disconnect.addEventListener('click', async () => {
        const ok = await confirmDialog('Disconnect Stripe?', 'Clients will no longer be able to pay online. Payments already made stay recorded; you can still mark invoices paid by hand.', 'Disconnect', { danger: true });
        if (!ok) return;
        try {
          await api.delete('/v1/settings/stripe');
          announce('Stripe disconnected.');
          await loadConnection();
        } catch (error) { announce(describe(error)); }
      });
      parts.push(h('div', { class: 'danger-zone' }, disconnect));
    }
    clear(connection, parts);
  }

  // ACH Direct Debit: a practice setting (Stripe offers it for USD only; the API says so otherwise).
  function achSetting() {
    const box = h('input', { type: 'checkbox', id: 'ach-debit', name: 'ach_debit_enabled' });
    const message = h('div', { class: 'form-message' });
    const wrap = h('div', { class: 'field checkbox ach-setting' },
      h('label', { for: box.id }, box, 'Clients may also pay by bank debit (ACH, US bank accounts)'),
      h('p', { class: 'hint', text: 'A bank payment takes up to four business days and can still fail; invoices show it as pending until then.' }), message);
    api.get('/v1/settings').then((s) => { box.checked = Boolean(s.ach_debit_enabled); }).catch(() => {});
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        const saved = await api.patch('/v1/settings', { ach_debit_enabled: box.checked });
        box.checked = Boolean(saved.ach_debit_enabled);
        clear(message);
        announce(box.checked ? 'Bank debits (ACH) are on.' : 'Bank debits (ACH) are off.');
      } catch (error) {
        box.checked = !box.checked;
        clear(message, errorBox(describe(error)));
      } finally {
        box.disabled = false;
      }
    });
    return wrap;
  }

  function keysForm(connected, settings) {
    const secret = h('input', { type: 'password', name: 'secret_key', autocomplete: 'off', spellcheck: 'false', placeholder: 'sk_live_…' });
    const publishable = h('input', { type: 'text', name: 'publishable_key', autocomplete: 'off', spellcheck: 'false', placeholder: 'pk_live_…' });
    const webhook = h('input', { type: 'password', name: 'webhook_secret', autocomplete: 'off', spellcheck: 'false', placeholder: 'whsec_…' });
    // The fallback, for a restricted key that may not manage webhooks: open when that is the problem.
    const fallback = h('details', { class: 'webhook-fallback' },
      h('summary', { text: 'Using a restricted key that can’t manage webhooks? Paste a signing secret instead' }),
      h('p', { class: 'hint', text: 'In Stripe, add an endpoint for the webhook URL above (Developers › Webhooks) and paste its signing secret here. Leave it empty and clinicpay creates the endpoint itself.' }),
      field('Webhook signing secret (optional)', webhook));
    const problem = settings && settings.webhook_problem && settings.webhook_problem.code;
    if (problem === 'webhook_permission_missing' || problem === 'webhook_url_not_public') fallback.open = true;
    const message = h('div', { class: 'form-message' });
    const save = h('button', { type: 'submit', class: 'primary', text: connected ? 'Replace keys' : 'Connect' });
    const form = h('form', { class: 'keys-form', novalidate: true },
      h('h3', { text: connected ? 'Replace the keys' : 'Enter your Stripe keys' }),
      h('p', { class: 'muted', text: 'Find both in Stripe under Developers › API keys. clinicpay sets up the webhook for you.' }),
      field('Secret key', secret), field('Publishable key', publishable), fallback, message, save);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!secret.value.trim() || !publishable.value.trim()) {
        clear(message, errorBox('Enter both keys: the secret key and the publishable key.'));
        return;
      }
      save.disabled = true;
      save.textContent = 'Checking with Stripe…';
      try {
        const body = { secret_key: secret.value.trim(), publishable_key: publishable.value.trim() };
        if (webhook.value.trim()) body.webhook_secret = webhook.value.trim();
        const answer = await api.put('/v1/settings/stripe', body);
        secret.value = '';
        webhook.value = '';
        announce(answer.webhook_problem ? 'Keys saved. Webhooks still need attention — see the note.' : 'Stripe connected. Keys saved.');
        drawConnection(answer);
        loadHealth();
      } catch (error) {
        clear(message, errorBox(describe(error, { 422: 'Stripe didn’t accept those keys. Check them and try again.' })));
        save.disabled = false;
        save.textContent = connected ? 'Replace keys' : 'Connect';
      }
    });
    return form;
  }

  async function loadHealth() {
    let answer;
    try {
      answer = await api.get('/v1/settings/stripe/health');
    } catch (error) {
      clear(health, errorBox(describe(error, { 404: 'Sync health is not available yet.' })));
      return;
    }
    const last = pick(answer, 'last_reconciliation') || null;
    const events = pick(answer, 'events') || answer;
    const failing = pick(events, 'failing');
    const rows = [
      ['Last reconciliation', last ? `${dateTime(pick(last, 'finished_at', 'started_at', 'created_at'))}${last.status ? ` (${last.status})` : ''}` : 'Never'],
      ['Fixed by it', last ? count(pick(last, 'fixed_count', 'fixed')) : '—'],
      ['Unmatched', last ? count(pick(last, 'unmatched_count', 'unmatched')) : '—'],
      ['Events received', count(pick(events, 'received'))],
      ['Events applied', count(pick(events, 'applied'))],
      ['Events ignored (not ours)', count(pick(events, 'ignored'))],
      ['Events failing', count(failing)],
      ['Oldest unapplied event', (() => {
        const oldest = pick(events, 'oldest_unapplied_received_at') ?? pick(answer, 'oldest_unapplied_event');
        if (!oldest) return 'None';
        return typeof oldest === 'string' ? dateTime(oldest) : dateTime(pick(oldest, 'received_at', 'created_at'));
      })()],
    ];
    const failingCount = Array.isArray(failing) ? failing.length : Number(failing || 0);
    const button = h('button', { type: 'button', class: 'secondary', text: 'Reconcile now' });
    const progress = h('div', { class: 'form-message' });
    button.addEventListener('click', () => reconcile(button, progress));
    clear(health,
      failingCount ? h('p', { class: 'notice warn', text: `${plural(failingCount, 'Stripe event')} could not be applied. The system retries them; reconciliation also catches up with Stripe.` }) : null,
      h('dl', { class: 'facts' }, rows.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: String(v) })))),
      h('div', { class: 'details-actions' }, button), progress);
  }

  async function reconcile(button, progress) {
    button.disabled = true;
    clear(progress, h('div', { class: 'progress-line', role: 'status' }, h('progress', { 'aria-label': 'Reconciling' }), ' Comparing with Stripe…'));
    try {
      const started = await api.post('/v1/reconciliations', undefined, { idempotencyKey: newIdempotencyKey() });
      const job = await followJob('/v1/reconciliations', started, { stopped: () => stopped });
      if (job.status === 'succeeded') {
        announce(`Reconciliation finished: ${count(job.fixed)} fixed, ${count(job.unmatched)} unmatched.`);
      } else if (job.status === 'failed') {
        announce(`Reconciliation failed: ${(job.errors || []).map((e) => e.message || e.code).join(' ') || 'see the logs.'}`);
      }
      if (!stopped) await loadHealth();
    } catch (error) {
      clear(progress, errorBox(describe(error, { 409: 'A reconciliation is already running. Try again when it finishes.' })));
      button.disabled = false;
    }
  }

  loadConnection();
  loadHealth();
  return () => { stopped = true; };
}
