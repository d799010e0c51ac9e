// The token of an emailed link (#/pay/<token>, #/unsubscribe/<token>) is its whole credential. The page
// moves it out of the address bar as soon as it opens, into this tab's sessionStorage under `key`, so it
// is not left in the history, a bookmark, or a URL read by a script; a reload finds it there.
export function takeLinkToken(params, key, bareRoute) {
  if (params.token) {
    sessionStorage.setItem(key, params.token);
    window.history.replaceState(null, '', `#${bareRoute}`);
  }
  return sessionStorage.getItem(key);
}
