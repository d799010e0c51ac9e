import { api } from './api.js';

// Poll while the page is visible: a hidden tab costs the server nothing, and coming back
// to it refreshes at once. One call at a time; the next waits for the previous to finish.

export function poll(fn, intervalMs) {
  let timer = null;
  let stopped = false;
  let running = false;
  let interval = intervalMs;

  async function tick() {
    timer = null;
    if (stopped || running) return;
    if (document.visibilityState !== 'visible') return; // resumed by visibilitychange
    running = true;
    try { await fn(); } catch { /* the next tick tries again; pages show their own errors */ }
    running = false;
    schedule();
  }

  function schedule() {
    if (stopped || timer) return;
    timer = window.setTimeout(tick, interval);
  }

  function onVisibility() {
    if (document.visibilityState === 'visible' && !running) {
      if (timer) { window.clearTimeout(timer); timer = null; }
      tick();
    }
  }

  document.addEventListener('visibilitychange', onVisibility);
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
    setInterval(ms) {
      if (ms === interval) return;
      interval = ms;
      if (timer) { window.clearTimeout(timer); timer = null; schedule(); }
    },
    now() { if (timer) { window.clearTimeout(timer); timer = null; } tick(); },
  };
}

function sleep(ms) { return new Promise((resolve) => { window.setTimeout(resolve, ms); }); }

// A background job the API answered 202 for (an invoicing run, a reconciliation), followed to its
// end: its own URL is read again until it is neither queued nor running. `stopped()` ends the wait
// early (the reader left the page); the job goes on at the server either way.
export async function followJob(path, job, { intervalMs = 1000, stopped = () => false } = {}) {
  let current = job;
  while (!stopped() && (current.status === 'queued' || current.status === 'running')) {
    await sleep(intervalMs);
    current = await api.get(`${path}/${current.id}`);
  }
  return current;
}
