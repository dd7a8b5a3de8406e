// Envoy dashboard: the one script module of every page (no inline script anywhere: the Content-Security-Policy forbids it).
// - the light/dark switch (remembered in this browser);
// - live updates: follows the server's event stream (GET {root}api/events, the session cookie authenticates it) and, on an
//   event, reloads the page in the background and swaps the parts marked data-live (by id), never the one being typed in;
//   says "Live", or "Reconnecting…" while the stream is lost (EventSource reconnects by itself);
// - live progress: on a job's page, its progress events (not stored) fill the #job-progress section: the latest value as
//   JSON, or a ToolAgent's answer ({"kind":"answer","text","offset"}) as text while it is written;
// - times shown in the browser's time zone.
const root = document.documentElement;

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme; else delete root.dataset.theme;
}
applyTheme(localStorage.getItem('envoy.theme'));

function setupThemeToggle() {
  const toggle = document.getElementById('theme-toggle');
  if (!toggle) return;
  toggle.addEventListener('click', () => {
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    const next = dark ? 'light' : 'dark';
    localStorage.setItem('envoy.theme', next);
    applyTheme(next);
    document.dispatchEvent(new CustomEvent('envoy:theme', { detail: next }));
  });
}

export function localTimes(scope = document) {
  for (const el of scope.querySelectorAll('time[datetime][data-local]')) {
    const when = new Date(el.dateTime);
    if (!Number.isNaN(when.getTime())) { el.title = el.dateTime; el.textContent = when.toLocaleString(); }
  }
}

const EVENT_KINDS = ['stepStarted', 'stepCompleted', 'jobFinished', 'escalationCreated']; // progress: shown, no reload
let refreshTimer = null;
let refreshing = false;
let lastRefresh = 0;
const MIN_INTERVAL_MS = 1000;

function scheduleRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(150, MIN_INTERVAL_MS - (Date.now() - lastRefresh));
  refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, wait);
}

export async function refresh() {
  const regions = document.querySelectorAll('[data-live][id]');
  if (regions.length === 0 || refreshing) return;
  refreshing = true;
  lastRefresh = Date.now();
  try {
    const response = await fetch(location.href, { headers: { 'X-Envoy-Live': '1' }, credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok || response.redirected) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const region of regions) {
      const fresh = next.getElementById(region.id);
      if (!fresh || region.contains(document.activeElement) || region.dataset.livePaused !== undefined) continue;
      if (region.innerHTML !== fresh.innerHTML) {
        region.innerHTML = fresh.innerHTML;
        localTimes(region);
        region.dispatchEvent(new CustomEvent('envoy:updated', { bubbles: true }));
      }
    }
  } catch {
    // The next event or the periodic refresh tries again.
  } finally {
    refreshing = false;
  }
}

function setLiveStatus(state, text) {
  const status = document.getElementById('live-status');
  if (!status || status.dataset.state === state) return;
  status.dataset.state = state;
  status.textContent = text;
}

export function showProgress(data) {
  const region = document.getElementById('job-progress');
  if (!region || !data || region.dataset.jobId !== data.jobId) return;
  const value = data.progress;
  const answer = value && typeof value === 'object' && value.kind === 'answer' && typeof value.text === 'string';
  region.querySelector('.progress-value').textContent = answer
    ? (value.offset > 0 ? '…' : '') + value.text
    : JSON.stringify(value, null, 2);
  region.querySelector('.progress-meta').textContent =
    `${answer ? 'Answer being written' : 'Latest report'} · ${data.state} (step ${data.step}) · #${data.sequence}`;
  region.dataset.kind = answer ? 'answer' : 'value';
  region.hidden = false;
}

function follow() {
  const url = document.body.dataset.events;
  if (!url || typeof EventSource === 'undefined') return;
  let source;
  let wasLost = false;
  const connect = () => {
    source = new EventSource(url, { withCredentials: true });
    source.onopen = () => {
      setLiveStatus('live', 'Live');
      if (wasLost) { wasLost = false; scheduleRefresh(); } // catch up on what happened while the stream was lost
    };
    source.onerror = () => {
      wasLost = true;
      setLiveStatus('lost', 'Reconnecting…');
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000); // the browser gave up: start again
    };
    for (const kind of EVENT_KINDS) source.addEventListener(kind, scheduleRefresh);
    source.addEventListener('progress', e => { try { showProgress(JSON.parse(e.data)); } catch { /* a malformed event: skipped */ } });
  };
  connect();
  // Some changes send no event (a job scheduled but not yet started): a slow periodic refresh catches them.
  setInterval(() => { if (!document.hidden) scheduleRefresh(); }, 5000);
  addEventListener('pagehide', () => source && source.close());
}

setupThemeToggle();
localTimes();
follow();
