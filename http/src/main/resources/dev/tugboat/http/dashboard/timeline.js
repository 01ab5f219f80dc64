// The timeline of one simulation: a bar per model from the simulation's per-model times
// (deployed -> accepted -> ready -> ended), on one time axis from the deployment to the last end
// (or now, while a model runs). A bar that ended is coloured by its outcome.
import { clock, el, span } from './format.js';

const ENDED = new Set(['SUCCEEDED', 'FAILED']);

/** Draws `simulation` (a SimulationView) into `container`, with `now` as the end of running bars. */
export function renderTimeline(container, simulation, now = Date.now()) {
  const start = Date.parse(simulation.deployedAt);
  const stops = simulation.models.map(m => (m.endedAt ? Date.parse(m.endedAt) : now));
  const end = Math.max(start + 1000, ...stops);
  const scale = { start, total: end - start };
  container.replaceChildren(
    el('p', { class: 'note' }, `${clock(simulation.deployedAt)} to ${clock(new Date(end).toISOString())}`,
      ` (${span(end - start)})`),
    ...simulation.models.map(m => bar(m, scale, now)));
}

function bar(model, scale, now) {
  const at = iso => (iso ? Date.parse(iso) : null);
  const accepted = at(model.acceptedAt);
  const ready = at(model.readyAt);
  const ended = at(model.endedAt);
  const stop = ended ?? now;
  const outcome = ENDED.has(model.phase) ? model.phase : 'RUNNING';

  const segments = [segment('requested', scale.start, accepted ?? stop, scale)];
  if (accepted !== null) {
    segments.push(segment('starting', accepted, ready ?? stop, scale));
  }
  if (ready !== null) {
    segments.push(segment('ready', ready, stop, scale));
  }
  if (ended !== null) {
    segments.push(segment(`end ${outcome}`, ended, ended, scale));
  }
  const track = el('div', { class: 'track' }, segments);
  return el('div', {
    class: 'bar-row bar',
    'data-model-id': model.modelId,
    'data-outcome': outcome,
    role: 'img',
    'aria-label': describe(model, outcome),
    title: describe(model, outcome),
  }, el('span', { class: 'bar-label' }, model.modelId), track);
}

function segment(kind, from, to, scale) {
  const node = el('span', { class: `seg ${kind}` });
  node.style.left = `${((from - scale.start) / scale.total) * 100}%`;
  if (!kind.startsWith('end')) {
    node.style.width = `${Math.max(((to - from) / scale.total) * 100, 0.3)}%`;
  }
  return node;
}

function describe(model, outcome) {
  const steps = [`${model.modelId}: requested`];
  if (model.acceptedAt) {
    steps.push(`created ${clock(model.acceptedAt)}`);
  }
  if (model.readyAt) {
    steps.push(`ready ${clock(model.readyAt)}`);
  }
  if (model.endedAt) {
    steps.push(`ended ${outcome} with exit code ${model.exitCode ?? '—'} at ${clock(model.endedAt)}`);
  } else {
    steps.push(`now ${model.phase}`);
  }
  return steps.join(', ');
}
