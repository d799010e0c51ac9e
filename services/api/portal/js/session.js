// Who is signed in (GET /v1/me), shared by the pages.

import { api } from './api.js';
import { setPractice } from './format.js';

export const session = { me: null };

export async function loadMe() {
  session.me = await api.get('/v1/me');
  setPractice({ currency: session.me.currency, timezone: session.me.timezone });
  return session.me;
}

export function role() { return session.me ? session.me.role : null; }
export function isStaff() { return ['admin', 'biller'].includes(role()); }
export function isAdmin() { return role() === 'admin'; }
export function isClient() { return role() === 'client'; }

export function homeFor(roleName) {
  if (roleName === 'client') return '/billing';
  if (roleName === 'admin' || roleName === 'biller') return '/invoices';
  return '/welcome';
}
