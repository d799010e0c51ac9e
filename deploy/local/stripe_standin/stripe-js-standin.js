// clinicpay's Stripe.js stand-in: the subset of Stripe.js's Payment Element API the portal uses,
// backed by the in-memory Stripe stand-in this script is served from. Development and tests only:
// production loads Stripe's own Stripe.js.
//
//   Stripe(publishableKey)
//     .elements({mode: 'payment', amount, currency, allowedPaymentMethodTypes, appearance})
//        .create('payment', {layout}) → element: mount, unmount, destroy, on, off, focus, clear
//        .getElement('payment'), .submit(), .update({amount, currency, allowedPaymentMethodTypes})
//     .createConfirmationToken({elements, params})
//     .handleNextAction({clientSecret})            (the 3-D Secure window)
//     .retrievePaymentIntent(clientSecret)
//
// Every name here must exist in Stripe's published type declarations (@stripe/stripe-js):
// tests/stripe/test_stripe_js_surface.py checks it, so page code written against this stand-in
// calls nothing the real Stripe.js lacks. Wallets (Apple Pay, Google Pay) and Link are not
// simulated; the card and US bank account tabs are. Inline styles are set through the CSSOM only
// (the portal's Content-Security-Policy allows no style attributes).
(function () {
  'use strict';

  const API_BASE = (function () {
    const src = document.currentScript && document.currentScript.src;
    return src ? src.replace(/\/js\.stripe\.com\/v3\/?$/, '') : window.location.origin;
  })();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'style') Object.assign(node.style, value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  let uidCounter = 0;
  const uid = (name) => `sj-${name}-${++uidCounter}`;

  // Form-encoded (as Stripe.js sends): a "simple" cross-origin request, no CORS preflight.
  function formBody(data, prefix, out = new URLSearchParams()) {
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined || value === null) continue;
      const name = prefix ? `${prefix}[${key}]` : key;
      if (typeof value === 'object') formBody(value, name, out); else out.append(name, String(value));
    }
    return out;
  }

  async function post(path, data) {
    let response;
    try {
      response = await fetch(API_BASE + path, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody(data),
      });
    } catch (error) {
      return { error: { type: 'api_connection_error', message: 'We could not reach Stripe. Check your connection and try again.' } };
    }
    let body = {};
    try { body = await response.json(); } catch { body = {}; }
    if (!response.ok) {
      const error = body.error || {};
      return { error: { type: error.type || 'api_error', code: error.code, message: error.message || 'Something went wrong.' } };
    }
    return { body };
  }

  const TAB_LABELS = { card: 'Card', us_bank_account: 'US bank account' };
  const CARD_FIELDS = [
    ['number', 'Card number', '1234 1234 1234 1234', 'cc-number'],
    ['expiry', 'Expiration date', 'MM / YY', 'cc-exp'],
    ['cvc', 'Security code', 'CVC', 'cc-csc'],
    ['postal_code', 'ZIP code', '12345', 'postal-code'],
  ];
  const BANK_FIELDS = [
    ['name', 'Account holder name', 'Full name', 'name'],
    ['routing_number', 'Routing number', '110000000', 'off'],
    ['account_number', 'Account number', '000123456789', 'off'],
  ];

  class PaymentElement {
    constructor(elements, options) {
      this._elements = elements;
      this._options = options || {};
      this._handlers = {};
      this._root = null;
      this._inputs = {};
      this._selected = 'card';
    }

    mount(target) {
      const host = typeof target === 'string' ? document.querySelector(target) : target;
      if (!host) throw new Error(`Stripe.js stand-in: no element matches ${target}`);
      this._root = el('div', { class: 'sj-payment-element', style: { display: 'grid', gap: '.6rem', width: '100%' } });
      host.replaceChildren(this._root);
      this._render();
      window.setTimeout(() => this._emit('ready', { elementType: 'payment' }), 0);
    }

    _types() {
      const allowed = this._elements._options.allowedPaymentMethodTypes || ['card'];
      return allowed.filter((type) => TAB_LABELS[type]);
    }

    _render() {
      // Like Stripe's, an update (a new amount, say) keeps what the client already typed.
      const typed = this._root ? this._values() : {};
      const types = this._types();
      if (!types.includes(this._selected)) this._selected = types[0] || 'card';
      const tabs = el('div', { role: 'tablist', 'aria-label': 'Payment method', style: { display: 'flex', gap: '.5rem', flexWrap: 'wrap' } },
        types.map((type) => {
          const tab = el('button', { type: 'button', role: 'tab', class: 'secondary sj-tab', 'aria-selected': String(type === this._selected), text: TAB_LABELS[type] });
          if (type === this._selected) Object.assign(tab.style, { borderColor: '#2f6f9f', boxShadow: 'inset 0 0 0 1px #2f6f9f' });
          tab.addEventListener('click', () => { this._selected = type; this._render(); this._changed(); this.focus(); });
          return tab;
        }));
      const fields = this._selected === 'us_bank_account' ? BANK_FIELDS : CARD_FIELDS;
      this._inputs = {};
      const grid = el('div', { role: 'tabpanel', 'aria-label': TAB_LABELS[this._selected], style: { display: 'grid', gap: '.5rem', gridTemplateColumns: 'repeat(auto-fit, minmax(9rem, 1fr))' } },
        fields.map(([name, label, placeholder, autocomplete]) => {
          const id = uid(name);
          const input = el('input', { id, type: 'text', name, placeholder, autocomplete, inputmode: name === 'name' ? 'text' : 'numeric', spellcheck: 'false' });
          if (typed[name]) input.value = typed[name];
          input.addEventListener('input', () => this._changed());
          this._inputs[name] = input;
          return el('div', { style: { display: 'flex', flexDirection: 'column', gap: '.2rem', gridColumn: name === 'number' || name === 'name' ? '1 / -1' : 'auto' } },
            el('label', { for: id, text: label, style: { fontWeight: '560', fontSize: '.92rem' } }), input);
        }));
      const parts = [types.length > 1 ? tabs : null, grid];
      if (this._selected === 'us_bank_account') {
        parts.push(el('p', { class: 'hint', text: 'By paying with your bank account you authorize this practice to debit it for this amount through Stripe. A bank payment takes up to four business days.' }));
      }
      this._root.replaceChildren(...parts.filter(Boolean));
    }

    _values() {
      const values = {};
      for (const [name, input] of Object.entries(this._inputs)) values[name] = input.value.trim();
      return values;
    }

    _problem() {
      const v = this._values();
      if (this._selected === 'us_bank_account') {
        if (!v.name) return 'Enter the account holder’s name.';
        if (!/^\d{9}$/.test(v.routing_number)) return 'Your routing number is invalid.';
        if (!/^\d{4,17}$/.test(v.account_number)) return 'Your account number is invalid.';
        return null;
      }
      if (!/^\d{16}$/.test(v.number.replace(/\s/g, ''))) return 'Your card number is incomplete.';
      if (!/^\d{1,2}\s*\/\s*\d{2}$/.test(v.expiry)) return 'Your card’s expiration date is incomplete.';
      if (!/^\d{3}$/.test(v.cvc)) return 'Your card’s security code is incomplete.';
      if (!v.postal_code) return 'Your ZIP code is incomplete.';
      return null;
    }

    _paymentMethodData(extra) {
      const v = this._values();
      const billing = Object.assign({}, (extra && extra.billing_details) || {});
      if (this._selected === 'us_bank_account') {
        billing.name = billing.name || v.name;
        return { type: 'us_bank_account', billing_details: billing,
          us_bank_account: { routing_number: v.routing_number, account_number: v.account_number, account_holder_type: 'individual' } };
      }
      const [month, year] = v.expiry.split('/').map((part) => part.trim());
      billing.address = Object.assign({}, billing.address || {}, { postal_code: v.postal_code });
      return { type: 'card', billing_details: billing,
        card: { number: v.number.replace(/\s/g, ''), exp_month: month, exp_year: year, cvc: v.cvc } };
    }

    _changed() {
      this._elements._submitted = false;
      this._emit('change', { elementType: 'payment', complete: !this._problem(), empty: Object.values(this._values()).every((x) => !x), value: { type: this._selected } });
    }

    _emit(event, payload) { for (const handler of this._handlers[event] || []) handler(payload); }

    on(event, handler) { (this._handlers[event] = this._handlers[event] || []).push(handler); return this; }

    off(event, handler) {
      this._handlers[event] = handler ? (this._handlers[event] || []).filter((h) => h !== handler) : [];
      return this;
    }

    focus() { const first = this._root && this._root.querySelector('input'); if (first) first.focus(); }

    clear() { for (const input of Object.values(this._inputs)) input.value = ''; this._changed(); }

    update(options) { Object.assign(this._options, options || {}); if (this._root) this._render(); }

    unmount() { if (this._root) { this._root.remove(); this._root = null; } }

    destroy() { this.unmount(); this._elements._element = null; this._handlers = {}; }
  }

  class Elements {
    constructor(stripe, options) {
      this._stripe = stripe;
      this._options = Object.assign({}, options || {});
      this._element = null;
      this._submitted = false;
      if (this._options.mode && this._options.mode !== 'payment') {
        throw new Error('The Stripe.js stand-in implements elements({mode: "payment"}) only.');
      }
    }

    create(type, options) {
      if (type !== 'payment') throw new Error(`The Stripe.js stand-in implements the Payment Element only, not "${type}".`);
      if (this._element) throw new Error('Can only create one Element of type payment.');
      this._element = new PaymentElement(this, options);
      return this._element;
    }

    getElement(type) { return type === 'payment' ? this._element : null; }

    async update(options) {
      Object.assign(this._options, options || {});
      if (this._element && this._element._root) this._element._render();
    }

    async submit() {
      if (!this._element || !this._element._root) {
        return { error: { type: 'validation_error', message: 'The Payment Element is not mounted.' } };
      }
      const problem = this._element._problem();
      if (problem) return { error: { type: 'validation_error', code: 'incomplete', message: problem } };
      this._submitted = true;
      return { selectedPaymentMethod: this._element._selected };
    }
  }

  function authenticationModal() {
    return new Promise((resolve) => {
      const title = uid('3ds-title');
      const box = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': title, class: 'sj-3ds',
        style: { position: 'fixed', inset: '0', display: 'grid', placeItems: 'center', background: 'rgba(16,24,40,.55)', zIndex: '2147483647' } });
      const complete = el('button', { type: 'button', class: 'primary', text: 'Complete authentication' });
      const fail = el('button', { type: 'button', class: 'secondary', text: 'Fail authentication' });
      const panel = el('div', { style: { background: '#fff', borderRadius: '10px', padding: '1.25rem', maxWidth: '22rem', width: 'calc(100% - 2rem)', display: 'grid', gap: '.75rem' } },
        el('h2', { id: title, text: '3-D Secure (test)', style: { margin: '0', fontSize: '1.1rem' } }),
        el('p', { text: 'Your bank asks you to confirm this payment.', style: { margin: '0' } }),
        el('div', { style: { display: 'flex', gap: '.5rem', flexWrap: 'wrap' } }, complete, fail));
      box.append(panel);
      const done = (ok) => { box.remove(); resolve(ok); };
      complete.addEventListener('click', () => done(true));
      fail.addEventListener('click', () => done(false));
      document.body.append(box);
      complete.focus();
    });
  }

  function intentId(clientSecret) { return String(clientSecret || '').split('_secret_')[0]; }

  class StripeStandIn {
    constructor(publishableKey, options) {
      if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
        throw new Error('Stripe(): the publishable key must start with pk_.');
      }
      this._key = publishableKey;
      this._options = options || {};
    }

    elements(options) { return new Elements(this, options); }

    async createConfirmationToken(options) {
      const elements = options && options.elements;
      if (!elements || !elements._element) {
        return { error: { type: 'invalid_request_error', message: 'createConfirmationToken needs the elements instance with a mounted Payment Element.' } };
      }
      if (!elements._submitted) {
        return { error: { type: 'invalid_request_error', code: 'elements_not_submitted', message: 'elements.submit() must be called before stripe.createConfirmationToken().' } };
      }
      const params = (options && options.params) || {};
      const data = { key: this._key, payment_method_data: elements._element._paymentMethodData(params.payment_method_data) };
      if (params.return_url) data.return_url = params.return_url;
      if (data.payment_method_data.type === 'us_bank_account') {
        data.mandate_data = { customer_acceptance: { type: 'online', online: { infer_from_client: true } } };
      }
      const { body, error } = await post('/v1/confirmation_tokens', data);
      return error ? { error } : { confirmationToken: body };
    }

    async handleNextAction(options) {
      const secret = options && options.clientSecret;
      if (!secret) return { error: { type: 'invalid_request_error', message: 'handleNextAction needs a clientSecret.' } };
      const ok = await authenticationModal();
      const { body, error } = await post(`/v1/payment_intents/${intentId(secret)}/_authenticate?success=${ok}`, { key: this._key, client_secret: secret });
      if (error) return { error };
      if (!ok || body.status === 'requires_payment_method') {
        return { error: { type: 'card_error', code: 'payment_intent_authentication_failure',
          message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.', payment_intent: body } };
      }
      return { paymentIntent: body };
    }

    async retrievePaymentIntent(clientSecret) {
      let response;
      try {
        response = await fetch(`${API_BASE}/v1/payment_intents/${intentId(clientSecret)}/_standin_public?client_secret=${encodeURIComponent(clientSecret)}&key=${encodeURIComponent(this._key)}`);
      } catch {
        return { error: { type: 'api_connection_error', message: 'We could not reach Stripe.' } };
      }
      const body = await response.json();
      return response.ok ? { paymentIntent: body } : { error: body.error || { type: 'api_error', message: 'Not found.' } };
    }
  }

  window.Stripe = function Stripe(publishableKey, options) { return new StripeStandIn(publishableKey, options); };
  window.Stripe.version = 3;
})();
