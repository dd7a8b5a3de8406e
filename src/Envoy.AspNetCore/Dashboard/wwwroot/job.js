// Envoy dashboard, job page: checks the JSON of a "resolve a wait" form before it is posted (the server checks it again).
// Invalid JSON shows a message next to the field and nothing is posted. While a value is being typed, the live update leaves
// the waits alone (data-live-paused), so the text is not lost.
function messageFor(form) {
  const area = form.querySelector('textarea[name="value"]');
  return area && document.getElementById(area.getAttribute('aria-describedby'));
}

function check(form) {
  const area = form.querySelector('textarea[name="value"]');
  const message = messageFor(form);
  if (!area || !message) return true;
  const text = area.value.trim();
  let problem = null;
  if (text === '') {
    problem = 'Enter a JSON value (for example {"ok": true}, "text", 42 or null).';
  } else {
    try { JSON.parse(text); } catch (error) { problem = `This is not valid JSON: ${error.message}`; }
  }
  message.textContent = problem ?? '';
  message.hidden = problem === null;
  area.setAttribute('aria-invalid', problem === null ? 'false' : 'true');
  return problem === null;
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches('form[data-json-form]')) return;
  if (!check(form)) {
    event.preventDefault();
    form.querySelector('textarea[name="value"]')?.focus();
  }
}, true);

document.addEventListener('input', (event) => {
  const area = event.target;
  if (!(area instanceof HTMLTextAreaElement) || !area.closest('form[data-json-form]')) return;
  const region = area.closest('[data-live]');
  if (region) {
    if (area.value.trim() === '') delete region.dataset.livePaused; else region.dataset.livePaused = '';
  }
  const message = messageFor(area.form);
  if (message && !message.hidden) check(area.form);
});
