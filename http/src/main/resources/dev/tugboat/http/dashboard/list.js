// The simulation list: GET /api/v1/simulations, filtered by phase and simulator, paged with `next`,
// kept current by the event stream.
import { listSimulations } from './api.js';
import { el, timeEl } from './format.js';
import { follow, refresher } from './live.js';

const MODEL_PHASES = ['REQUESTED', 'STARTING', 'READY', 'SUCCEEDED', 'FAILED'];
const PAGE_SIZE = 50;

const view = document.getElementById('list-view');
const body = document.querySelector('#simulations tbody');
const empty = document.getElementById('list-empty');
const counts = document.getElementById('phase-counts');
const filter = document.getElementById('filter');
const phaseFilter = document.getElementById('phase-filter');
const simulatorFilter = document.getElementById('simulator-filter');
const firstPage = document.getElementById('first-page');
const nextPage = document.getElementById('next-page');

/** Shows the list until the returned stop function is called. */
export function showList(ctx) {
  let after = null;
  let next = null;

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (phaseFilter.value) {
      query.set('phase', phaseFilter.value);
    }
    if (simulatorFilter.value.trim()) {
      query.set('simulator', simulatorFilter.value.trim());
    }
    if (after) {
      query.set('after', after);
    }
    const page = await ctx.guard(listSimulations(query.toString()));
    if (page) {
      render(page);
    }
  }

  function render(page) {
    next = page.next;
    body.replaceChildren(...page.items.map(row));
    empty.hidden = page.items.length > 0;
    nextPage.disabled = !next;
    firstPage.disabled = !after;
    const byPhase = {};
    for (const item of page.items) {
      byPhase[item.phase] = (byPhase[item.phase] || 0) + 1;
    }
    const parts = Object.entries(byPhase).map(([phase, n]) => `${n} ${phase}`);
    counts.textContent = page.items.length === 0 ? ''
      : `${after ? 'This page' : 'Newest ' + page.items.length}: ${parts.join(', ')}`;
  }

  const refresh = refresher(() => load());
  const onFilter = e => {
    e.preventDefault();
    after = null;
    load();
  };
  const onFirst = () => {
    after = null;
    load();
  };
  const onNext = () => {
    if (next) {
      after = next;
      load();
    }
  };
  filter.addEventListener('submit', onFilter);
  phaseFilter.addEventListener('change', onFilter);
  firstPage.addEventListener('click', onFirst);
  nextPage.addEventListener('click', onNext);
  view.hidden = false;
  document.title = 'Simulations · Tugboat';

  const stopFollowing = follow(null, {
    onEvent: () => refresh(),
    onResync: () => load(),
    onState: ctx.setLive,
  });
  load();

  return () => {
    stopFollowing();
    refresh.cancel();
    filter.removeEventListener('submit', onFilter);
    phaseFilter.removeEventListener('change', onFilter);
    firstPage.removeEventListener('click', onFirst);
    nextPage.removeEventListener('click', onNext);
    view.hidden = true;
  };
}

function row(item) {
  const href = '#/simulations/' + encodeURIComponent(item.simulationId);
  return el('tr', { 'data-simulation-id': item.simulationId, 'data-phase': item.phase },
    el('th', { scope: 'row' }, el('a', { href }, item.simulationId)),
    el('td', {}, item.simulatorId),
    el('td', { class: `phase ${item.phase}` }, item.phase),
    el('td', {}, MODEL_PHASES.map(phase => {
      const n = (item.models && item.models[phase]) || 0;
      return el('span', { class: n ? 'badge' : 'badge zero', 'data-model-phase': phase }, `${phase.toLowerCase()} ${n}`);
    })),
    el('td', {}, timeEl(item.deployedAt)),
    el('td', {}, timeEl(item.endedAt)));
}
