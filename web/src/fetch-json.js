// GET of a JSON API path (relative, so the page works under a sub-path) with a readable error: the views
// show it in place ("Accounting unavailable: HTTP 404 …") rather than failing silently.
export async function fetchJson(url) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new Error(`cannot reach the server (${e.message})`);
  }
  if (!response.ok) {
    let detail = '';
    try {
      const body = await response.json();
      detail = body && body.error ? `: ${body.error}` : '';
    } catch {
      // a body that is not JSON adds nothing useful
    }
    throw new Error(`HTTP ${response.status}${detail}`);
  }
  return response.json();
}

// Calls fn now and every `ms` while the page is visible; stop() ends it. A call still in flight is not
// overlapped by the next one.
export function poll(fn, ms) {
  let timer = 0;
  let stopped = false;
  let running = false;
  const tick = async () => {
    if (stopped) return;
    if (!running && document.visibilityState !== 'hidden') {
      running = true;
      try {
        await fn();
      } finally {
        running = false;
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
