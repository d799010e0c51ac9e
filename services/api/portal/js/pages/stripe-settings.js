// Stripe settings (admins): connect the practice's own Stripe account, see the webhook URL
// to register in Stripe, and watch sync health (webhooks applied, reconciliation).

import { api, ApiError, describe } from '../api.js';
import { dateTime, plural } from '../format.js';
import { sleep } from '../poll.js';
import { announce, clear, confirmDialog, errorBox, field, h, loading, newIdempotencyKey } from '../ui.js';

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
      h('p', { class: 'muted', text: 'Clients pay their invoices by card through your practice’s own Stripe account.' })),
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
    parts.push(h('p', { class: 'connection-state' }, h('span', { class: `pill ${connected ? 'pill-paid' : 'pill-open'}`, text: connected ? 'Connected' : 'Not connected' }),
      connected && settings.livemode === false ? h('span', { class: 'pill pill-processing', text: 'Test mode' }) : null,
      connected ? ' Card payments are on.' : ' Clients can’t pay by card until you connect Stripe. Manual payments work either way.'));
    if (settings && (connected || settings.publishable_key)) {
      parts.push(h('dl', { class: 'facts' },
        h('div', {}, h('dt', { text: 'Publishable key' }), h('dd', { class: 'mono', text: settings.publishable_key || '—' })),
        h('div', {}, h('dt', { text: 'Secret key' }), h('dd', { class: 'mono', text: settings.secret_key_last4 ? `•••• ${settings.secret_key_last4}` : '—' })),
        h('div', {}, h('dt', { text: 'Webhook signing secret' }), h('dd', { text: settings.webhook_secret_set ? 'Saved' : 'Not set' }))));
    }
    if (settings && settings.webhook_url) {
      const url = h('input', { type: 'text', readonly: true, class: 'mono', value: settings.webhook_url, id: 'webhook-url' });
      const copy = h('button', { type: 'button', class: 'secondary', text: 'Copy' });
      copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(settings.webhook_url); } catch { url.select(); document.execCommand('copy'); }
        announce('Webhook URL copied.');
      });
      parts.push(h('div', { class: 'field' }, h('label', { for: url.id, text: 'Webhook URL (add it in Stripe › Developers › Webhooks)' }),
        h('div', { class: 'input-row' }, url, copy)));
    }
    parts.push(keysForm(connected));
    if (connected) {
      const disconnect = h('button', { type: 'button', class: 'danger', text: 'Disconnect Stripe' });
      disconnect.addEventListener('click', async () => {
        const ok = await confirmDialog('Disconnect Stripe?', 'Clients will no longer be able to pay by card. Payments already made stay recorded; you can still mark invoices paid by hand.', 'Disconnect', { danger: true });
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

  function keysForm(connected) {
    const secret = h('input', { type: 'password', name: 'secret_key', autocomplete: 'off', spellcheck: 'false', placeholder: 'sk_live_…' });
    const publishable = h('input', { type: 'text', name: 'publishable_key', autocomplete: 'off', spellcheck: 'false', placeholder: 'pk_live_…' });
    const webhook = h('input', { type: 'password', name: 'webhook_secret', autocomplete: 'off', spellcheck: 'false', placeholder: 'whsec_…' });
    const message = h('div', { class: 'form-message' });
    const save = h('button', { type: 'submit', class: 'primary', text: connected ? 'Replace keys' : 'Connect' });
    const form = h('form', { class: 'keys-form', novalidate: true },
      h('h3', { text: connected ? 'Replace the keys' : 'Enter your Stripe keys' }),
      h('p', { class: 'muted', text: 'Find them in Stripe under Developers › API keys, and the signing secret on your webhook endpoint.' }),
      field('Secret key', secret), field('Publishable key', publishable), field('Webhook signing secret', webhook), message, save);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!secret.value.trim() || !publishable.value.trim() || !webhook.value.trim()) {
        clear(message, errorBox('Enter all three: the secret key, the publishable key and the webhook signing secret.'));
        return;
      }
      save.disabled = true;
      save.textContent = 'Checking with Stripe…';
      try {
        const answer = await api.put('/v1/settings/stripe', {
          secret_key: secret.value.trim(), publishable_key: publishable.value.trim(), webhook_secret: webhook.value.trim(),
        });
        secret.value = '';
        webhook.value = '';
        announce('Stripe connected. Keys saved.');
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
      let job = await api.post('/v1/reconciliations', undefined, { idempotencyKey: newIdempotencyKey() });
      while (!stopped && (job.status === 'queued' || job.status === 'running')) {
        await sleep(1000);
        job = await api.get(`/v1/reconciliations/${job.id}`);
      }
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
