// Envoy dashboard, overview: the throughput chart (uPlot, loaded before this module as the global `uPlot`).
// Reads {root}overview/throughput (JSON: { since, interval, times, done, failed }) on load, every 10 s while the page is
// shown and after a live update of the page; draws it again in the theme's colours on a theme switch, and fits its box.
const box = document.getElementById('throughput-chart');
const summary = document.getElementById('throughput-summary');
let chart = null;
let data = null;
let loading = false;

function colours() {
  const style = getComputedStyle(box);
  const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return { text: v('--text', '#222'), muted: v('--muted', '#666'), grid: v('--border', '#ddd'), done: v('--done', '#2a7'), failed: v('--failed', '#c33') };
}

function size() {
  const width = Math.max(240, Math.floor(box.clientWidth));
  return { width, height: width < 500 ? 180 : 240 };
}

function draw() {
  if (!data || typeof uPlot === 'undefined') return;
  if (chart) { chart.destroy(); chart = null; }
  const c = colours();
  const axis = { stroke: c.muted, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  chart = new uPlot({
    ...size(),
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(5, max)] } },
    axes: [{ ...axis }, { ...axis, size: 44 }],
    series: [
      {},
      { label: 'done', stroke: c.done, fill: c.done + '22', width: 2, points: { show: false } },
      { label: 'failed', stroke: c.failed, width: 2, points: { show: false } },
    ],
  }, [data.times, data.done, data.failed], box);
  box.style.color = c.text;
}

function update(next) {
  const reshape = !data || !chart;
  data = next;
  if (reshape) draw(); else chart.setData([data.times, data.done, data.failed]);
  const total = (xs) => xs.reduce((a, b) => a + b, 0);
  const since = new Date(data.since);
  summary.textContent = `Last hour: ${total(data.done)} done, ${total(data.failed)} failed (counted since ${since.toLocaleTimeString()}).`;
}

async function load() {
  if (loading || document.hidden) return;
  loading = true;
  try {
    const response = await fetch(box.dataset.src, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    if (response.ok && !response.redirected) update(await response.json());
  } catch {
    // The next tick tries again.
  } finally {
    loading = false;
  }
}

if (box) {
  load();
  setInterval(load, 10000);
  document.addEventListener('envoy:updated', load);
  document.addEventListener('envoy:theme', draw);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', draw);
  let width = box.clientWidth;
  new ResizeObserver(() => {
    if (chart && Math.abs(box.clientWidth - width) > 4) { width = box.clientWidth; chart.setSize(size()); }
  }).observe(box);
}
