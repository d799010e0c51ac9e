// Money and dates the way the practice shows them: its currency, its timezone.

const practice = { currency: 'USD', timezone: undefined, locale: undefined };

export function setPractice({ currency, timezone } = {}) {
  if (currency) practice.currency = currency.toUpperCase();
  if (timezone) practice.timezone = timezone;
}

export function practiceCurrency() { return practice.currency; }

const moneyFormats = new Map();
function moneyFormat(currency) {
  if (!moneyFormats.has(currency)) {
    moneyFormats.set(currency, new Intl.NumberFormat(practice.locale, { style: 'currency', currency }));
  }
  return moneyFormats.get(currency);
}

// A currency's exponent (USD 2, JPY 0, BHD 3), as Intl knows it.
export function currencyExponent(currency = practice.currency) {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits;
}

// Minor units (integer) → a decimal string, exactly: no floating point on money.
function minorToDecimal(minor, exponent) {
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function money(minor, currency = practice.currency) {
  if (minor === null || minor === undefined) return '—';
  const cur = (currency || practice.currency).toUpperCase();
  return moneyFormat(cur).format(minorToDecimal(minor, currencyExponent(cur)));
}

// What a person typed ("12.5", "1,200.00") → minor units, or null when it isn't an amount.
export function parseMoney(text, currency = practice.currency) {
  const exponent = currencyExponent(currency);
  const cleaned = String(text).trim().replace(/[\s,]/g, '').replace(/^[^\d.]+/, '');
  const pattern = exponent ? new RegExp(`^(\\d+)(?:\\.(\\d{0,${exponent}}))?$`) : /^(\d+)$/;
  const match = cleaned.match(pattern);
  if (!match) return null;
  const fraction = (match[2] || '').padEnd(exponent, '0');
  return Number(match[1]) * 10 ** exponent + Number(fraction || 0);
}

export function minorToInput(minor, currency = practice.currency) {
  return minorToDecimal(minor, currencyExponent(currency));
}

// A calendar date (YYYY-MM-DD) is a day, not an instant: format it without shifting zones.
export function date(value) {
  if (!value) return '—';
  const [y, m, d] = String(value).slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return String(value);
  return new Intl.DateTimeFormat(practice.locale, { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

// A timestamp (ISO 8601 with offset) shown in the practice's timezone.
export function dateTime(value) {
  if (!value) return '—';
  const when = new Date(value);
  if (Number.isNaN(when.getTime())) return String(value);
  return new Intl.DateTimeFormat(practice.locale, { dateStyle: 'medium', timeStyle: 'short',
    timeZone: practice.timezone }).format(when);
}

// Today in the practice's timezone, as YYYY-MM-DD (the default invoiced or received date).
export function todayInPractice() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: practice.timezone, year: 'numeric',
    month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
