// Envoy dashboard: draws flow graphs. Each <pre class="mermaid-source" data-target="ID" hidden> holds a graph's Mermaid text
// (written by the server, HTML-encoded; read here as text); it is drawn as SVG into the element with id ID. Mermaid runs with
// securityLevel 'strict' (labels are text, no links or scripts), in the light or dark theme of the page, drawn again when the
// theme changes (envoy:theme) or the live update swaps in a new text (envoy:updated: the job moved on).
const root = document.documentElement;
let counter = 0;

function isDark() {
  if (root.dataset.theme) return root.dataset.theme === 'dark';
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

async function draw(source) {
  const target = document.getElementById(source.dataset.target);
  const mermaid = globalThis.mermaid;
  if (!target || !mermaid) return;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: isDark() ? 'dark' : 'default', flowchart: { htmlLabels: false } });
  counter += 1;
  try {
    const { svg } = await mermaid.render(`envoy-graph-${counter}`, source.textContent);
    target.innerHTML = svg; // Mermaid's output in strict mode: labels sanitized, no script
    target.dataset.drawn = 'true';
  } catch (error) {
    target.textContent = 'The graph could not be drawn; its states are listed below.';
    console.warn('Envoy: graph not drawn', error);
  }
}

async function drawAll(scope = document) {
  for (const source of scope.querySelectorAll('pre.mermaid-source[data-target]')) await draw(source);
}

document.addEventListener('envoy:theme', () => drawAll());
document.addEventListener('envoy:updated', (event) => drawAll(event.target));
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if (!root.dataset.theme) drawAll(); });
drawAll();
