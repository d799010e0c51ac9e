// Who is signed in (GET /v1/me), shared by the pages.

import { api, clearToken, getToken } from './api.js';
import { setPractice } from './format.js';

export const session = { me: null };

export async function loadMe() {
  session.me = await api.get('/v1/me');
  setPractice({ currency: session.me.currency, timezone: session.me.timezone });
  return session.me;
}

// Signing out ends the sign-in at the API first (POST /v1/auth/logout), so the token stops working
// everywhere a copy of it may be, not just in this tab; then the page forgets it. If the API cannot
// be reached the token is forgotten all the same (it still expires on its own).
export async function endSession() {
  if (getToken()) {
    try { await api.post('/v1/auth/logout', undefined, { signOutOn401: false }); } catch { /* forgotten below */ }
  }
  clearToken();
  session.me = null;
}

export function role() { return session.me ? session.me.role : null; }
export function isStaff() { return ['admin', 'biller'].includes(role()); }
export function isAdmin() { return role() === 'admin'; }
export function isClient() { return role() === 'client'; }

export function homeFor(roleName) {
  if (roleName === 'client') return '/billing';
  if (roleName === 'admin' || roleName === 'biller') return '/invoices';
  if (roleName === 'operator') return '/operator';
  return '/welcome';
}
