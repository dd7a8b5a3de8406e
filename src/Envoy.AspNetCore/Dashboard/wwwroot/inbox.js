// Escalations inbox: once an answer is being written, live updates stop swapping the pending list (a swap would drop what
// was typed) and say so; "Discard my answer and show the latest" reloads the page.
const pending = document.getElementById('inbox-pending');
const paused = document.getElementById('inbox-paused');
if (pending && paused) {
  const pause = (event) => {
    if (!event.target.closest('form')) return;
    pending.dataset.livePaused = '';
    paused.hidden = false;
  };
  pending.addEventListener('input', pause);
  pending.addEventListener('change', pause);
  document.getElementById('inbox-resume')?.addEventListener('click', () => location.reload());
}
