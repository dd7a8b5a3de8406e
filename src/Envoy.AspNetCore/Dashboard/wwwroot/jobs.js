// Envoy dashboard, jobs list: "select all on this page", and no live swap of the list while jobs are selected (the swap would
// drop the ticks). Works by delegation, so it keeps working after a live update redraws the list.
const list = () => document.getElementById('jobs-list');
const boxes = () => [...document.querySelectorAll('#jobs-list input[type=checkbox][name=id]')];

function sync() {
  const region = list();
  if (!region) return;
  const all = boxes();
  const checked = all.filter((b) => b.checked).length;
  if (checked > 0) region.dataset.livePaused = ''; else delete region.dataset.livePaused;
  const selectAll = document.getElementById('select-all');
  if (selectAll) {
    selectAll.checked = all.length > 0 && checked === all.length;
    selectAll.indeterminate = checked > 0 && checked < all.length;
  }
}

document.addEventListener('change', (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || target.type !== 'checkbox') return;
  if (target.id === 'select-all') for (const box of boxes()) box.checked = target.checked;
  sync();
});
document.addEventListener('envoy:updated', sync);
