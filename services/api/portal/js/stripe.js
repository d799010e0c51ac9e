// Loads Stripe.js from the URL the API names (Stripe's own in production, the local
// stand-in in development and tests). It must be a classic <script>: Stripe.js (and the
// stand-in, which reads document.currentScript) can't be imported as a module.

const scripts = new Map();

function loadScript(url) {
  if (!scripts.has(url)) {
    scripts.set(url, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => {
        scripts.delete(url);
        script.remove();
        reject(new Error('The secure payment form could not be loaded. Check your connection and try again.'));
      };
      document.head.append(script);
    }));
  }
  return scripts.get(url);
}

const instances = new Map();

export async function loadStripe(url, publishableKey) {
  await loadScript(url);
  if (typeof window.Stripe !== 'function') throw new Error('The secure payment form could not be loaded.');
  const key = `${url}|${publishableKey}`;
  if (!instances.has(key)) instances.set(key, window.Stripe(publishableKey));
  return instances.get(key);
}

// The Payment Element's look (Elements Appearance API), close to the portal's own; the stand-in ignores it.
export const APPEARANCE = {
  theme: 'stripe',
  variables: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    fontSizeBase: '16px',
    colorPrimary: '#2f6f9f',
    colorText: '#1f2a37',
    colorDanger: '#b42318',
    borderRadius: '8px',
  },
};
