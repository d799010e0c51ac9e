// The one place that talks to the JSON API: the bearer token, error words, 401 handling.

const TOKEN_KEY = 'clinicpay.token';

export function getToken() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(token) { sessionStorage.setItem(TOKEN_KEY, token); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

// API error codes in words a clerk or a client understands. The API's own message is the
// fallback for any code not listed here (it is written for people too).
const MESSAGES = {
  // Signing in
  invalid_credentials: 'That email and password don’t match. Check them and try again.',
  not_authenticated: 'Please sign in.',
  invalid_token: 'Your session has ended. Please sign in again.',
  too_many_login_attempts: 'Too many sign-in attempts. Please wait a few minutes and try again.',
  otp_required: 'Enter the 6-digit code from your authenticator app.',
  otp_invalid: 'That code didn’t work. Enter the code your authenticator app shows now.',
  totp_enrollment_required: 'Your practice requires a second sign-in step. Set up an authenticator app first.',
  api_key_forbidden: 'Only a signed-in person can do that.',
  role_forbidden: 'Your account isn’t allowed to do that.',
  forbidden: 'Your account isn’t allowed to do that.',
  token_invalid: 'This link has expired or was already used. Ask for a new one.',
  too_many_email_requests: 'Too many emails asked for. Please wait a while and try again.',
  no_client_record: 'This sign-in isn’t linked to a client record. Please contact the practice.',
  // Anything
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  service_unavailable: 'The system is briefly unavailable. Please try again in a moment.',
  stripe_unavailable: 'The card processor is busy. Please try again in a moment; nothing was charged.',
  internal_error: 'Something went wrong on our side. Please try again; if it keeps happening, contact support.',
  not_found: 'We couldn’t find that. It may have been removed, or the link is wrong.',
  resource_missing: 'We couldn’t find that. It may have been removed, or the link is wrong.',
  invalid_json: 'The request was garbled. Please reload the page and try again.',
  body_too_large: 'That’s too much data to send at once.',
  invalid_limit: 'The list asked for too many rows at once.',
  // The Invoices page
  empty_selection: 'Tick at least one row first.',
  invalid_date_range: 'The “From” date is after the “To” date.',
  service_already_invoiced: 'Some of the selected services are already invoiced, or being invoiced right now. The list has been refreshed.',
  service_not_invoiceable: 'Some of the selected services are on a billing rate that isn’t invoiced.',
  invoice_already_paid: 'One of the selected invoices is already paid.',
  invoice_void: 'This invoice was voided, so nothing is owed on it.',
  invoice_has_payments: 'This invoice has payments, so it can’t be voided. Reverse or refund them first.',
  invoice_disputed: 'This invoice has a card dispute open; settle it in Stripe first.',
  payment_already_reversed: 'That payment was already reversed.',
  // Refunds
  amount_exceeds_refundable: 'That is more than can still be refunded on this payment. Nothing was refunded.',
  payment_not_refundable: 'Only a card or bank payment made through Stripe can be refunded here. Reverse a manual payment instead.',
  payment_not_succeeded: 'Only a payment that went through can be refunded.',
  payment_disputed: 'The client disputed this payment with their bank. Answer the dispute in Stripe instead; nothing was refunded.',
  card_payment_succeeded: 'The client’s card payment went through at Stripe before it could be canceled. Nothing else was recorded.',
  alert_already_resolved: 'Someone already marked this as handled.',
  rate_already_self_pay: 'This billing rate is already self-pay.',
  amount_below_insurance_paid: 'The amount can’t be less than what insurance already paid.',
  // Paying by card
  nothing_owed: 'This invoice has nothing left to pay.',
  payment_canceled: 'This payment was canceled; nothing was charged. Start a new payment to pay the invoice.',
  payment_in_flight: 'A payment for this invoice is already being processed. It will show here as soon as it lands.',
  stripe_not_connected: 'Card payments aren’t set up for this practice yet. Please contact the practice to pay.',
  partial_payments_not_allowed: 'This practice takes the whole balance only.',
  amount_below_minimum: 'That amount is below the smallest payment the practice takes.',
  amount_exceeds_balance: 'That amount is more than the invoice’s remaining balance.',
  amount_too_small: 'That amount is too small for a card payment.',
  payment_details_missing: 'Enter your payment details first, then press Pay.',
  confirmation_token_used: 'Those payment details were already used. Enter them again.',
  confirmation_token_invalid: 'Those payment details could not be checked. Enter them again.',
  confirmation_token_expired: 'Those payment details expired. Enter them again.',
  payment_method_not_offered: 'This practice doesn’t take that kind of payment. Choose another.',
  card_declined: 'The card was declined. Try another card or contact your bank.',
  // Pay links (an invoice email's link, no sign-in)
  pay_link_invalid: 'This payment link isn’t valid any more. Use the link in your latest email from the practice.',
  pay_link_expired: 'This payment link has expired. Reload the page to ask for a new one.',
  // Stripe settings
  stripe_key_invalid: 'Stripe didn’t accept that secret key. Copy it again from Stripe (Developers › API keys).',
  stripe_key_permissions: 'That key isn’t allowed to read your Stripe balance. Use the standard secret key, or give the restricted key read access.',
  ach_requires_usd: 'Stripe offers bank debits (ACH) for payments in US dollars only.',
  // People
  email_taken: 'Someone already uses that email address.',
  last_admin: 'The practice needs at least one active admin. Make someone else an admin first.',
  password_too_short: 'That password is too short.',
};

const BY_STATUS = {
  400: 'The request was garbled. Please reload the page and try again.',
  403: 'Your account isn’t allowed to do that.',
  404: 'We couldn’t find that.',
  409: 'That can’t be done in its current state. Refresh and try again.',
  413: 'That’s too much data to send at once.',
  422: 'Some of the details aren’t valid. Check the form and try again.',
  429: 'Too many attempts. Please wait a moment and try again.',
  503: 'The system is briefly unavailable. Please try again in a moment.',
};

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || null;
    this.param = error.param || null;
    this.apiMessage = error.message || null;
    this.details = error;
  }
}

// Plain words for an error. `overrides` maps codes (or statuses) to the words that fit
// the screen, e.g. {409: 'One of the selected invoices is already paid'}.
export function describe(error, overrides = {}) {
  if (!(error instanceof ApiError)) {
    if (error && error.name === 'TypeError') return 'We couldn’t reach the server. Check your connection and try again.';
    return (error && error.message) || 'Something went wrong.';
  }
  const chosen = overrides[error.code] || MESSAGES[error.code] || overrides[error.status]
    || error.apiMessage || BY_STATUS[error.status] || 'Something went wrong. Please try again.';
  return typeof chosen === 'function' ? chosen(error) : chosen;
}

let onSignedOut = () => {};
export function whenSignedOut(handler) { onSignedOut = handler; }

// `signOutOn401: false`: a 401 is an answer the caller handles itself (signing out, where the
// token may already be gone), not a reason to send the user back to the sign-in page.
async function request(path, { method = 'GET', json, form, file, headers = {}, raw = false, idempotencyKey,
  signal, auth = true, signOutOn401 = true } = {}) {
  const init = { method, headers: { Accept: raw ? '*/*' : 'application/json', ...headers }, signal };
  const token = getToken();
  if (auth && token) init.headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) init.headers['Idempotency-Key'] = idempotencyKey;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = new URLSearchParams(form);
  } else if (file !== undefined) {
    // The bytes themselves (a logo): the server judges the type by the content, not this header.
    init.headers['Content-Type'] = file.type || 'application/octet-stream';
    init.body = file;
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    const error = new ApiError(response.status, body);
    if (response.status === 401 && auth && token && signOutOn401) {
      clearToken();
      onSignedOut(describe(error));
    }
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const api = {
  get: (path, opts) => request(path, { ...opts, method: 'GET' }),
  post: (path, json, opts) => request(path, { ...opts, method: 'POST', json }),
  put: (path, json, opts) => request(path, { ...opts, method: 'PUT', json }),
  patch: (path, json, opts) => request(path, { ...opts, method: 'PATCH', json }),
  delete: (path, opts) => request(path, { ...opts, method: 'DELETE' }),
  form: (path, form, opts) => request(path, { ...opts, method: 'POST', form }),
  upload: (path, file, opts) => request(path, { ...opts, method: 'PUT', file }),
  blob: async (path) => (await request(path, { raw: true })).blob(),
};

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// The first `wanted` items of a list, read page by page (the API's pages hold up to 200).
export async function readPages(path, params = {}, wanted = 1000) {
  const items = [];
  let hasMore = false;
  let startingAfter;
  while (items.length < wanted) {
    const limit = Math.min(200, wanted - items.length);
    const page = await api.get(path + query({ ...params, limit, starting_after: startingAfter }));
    items.push(...page.data);
    hasMore = page.has_more;
    if (!hasMore || !page.data.length) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  return { items, hasMore };
}

// Every page of a list, for the small lists a select or a whole-list page needs (clients, billing rates).
export async function listAll(path, params = {}, max = 1000) {
  return (await readPages(path, params, max)).items;
}
