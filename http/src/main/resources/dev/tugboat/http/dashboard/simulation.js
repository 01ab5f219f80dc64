// One simulation: GET /api/v1/simulations/{id} as facts, a timeline and a table of its models,
// why a model still waits (its service's view: queue position, hold), a model's log tail, and the
// operator's actions. Kept current by the simulation's event stream, without reloading the page.
import * as API from './api.js';
import { el, timeEl, when } from './format.js';
import { follow, refresher } from './live.js';
import { renderTimeline } from './timeline.js';

/** Model phases in which a model still waits for its pod; its service's view says why. */
const WAITING = new Set(['REQUESTED', 'STARTING']);
/** At most this many service views are asked for per refresh, so a large simulation stays cheap. */
const MAX_WAITING_LOOKUPS = 20;
const LOG_TAIL = 100;

const view = document.getElementById('simulation-view');
const title = document.getElementById('simulation-title');
const facts = document.getElementById('simulation-facts');
const terminateButton = document.getElementById('terminate');
const timeline = document.getElementById('timeline');
const body = document.querySelector('#models tbody');
const log = document.getElementById('log');
const logTitle = document.getElementById('log-title');
const logSource = document.getElementById('log-source');
const logLines = document.getElementById('log-lines');

/** Shows simulation `id` until the returned stop function is called. */
export function showSimulation(ctx, id) {
  let current = null;
  let services = new Map();
  let stopped = false;

  async function load() {
    const simulation = await ctx.guard(API.simulation(id), { notFound: `Simulation ${id} does not exist.` });
    if (!simulation || stopped) {
      return;
    }
    services = (await ctx.guard(waitingServices(simulation))) ?? new Map();
    if (stopped) {
      return;
    }
    current = simulation;
    render();
  }

  function render() {
    const s = current;
    title.textContent = `Simulation ${s.simulationId}`;
    facts.replaceChildren(...fact('Phase', el('span', { class: `phase ${s.phase}`, id: 'simulation-phase' }, s.phase)),
      ...fact('Simulator', s.simulatorId),
      ...fact('Deployed', timeEl(s.deployedAt)),
      ...(s.reason ? fact('Reason', s.reason) : []),
      ...fact('Keep logs', `${s.keepLogsHours} h`),
      ...fact('Notifications', `ModelsReady ${s.modelsReadySent ? 'sent' : 'not sent'}, `
        + `AllModelsHaveTerminated ${s.allModelsHaveTerminatedSent ? 'sent' : 'not sent'}, `
        + `${s.pendingNotifications} pending`
        + (s.abandonedNotifications.length ? `, ${s.abandonedNotifications.length} abandoned` : '')));
    terminateButton.hidden = !ctx.isOperator() || s.phase === 'ENDED' || s.phase === 'REJECTED';
    renderTimeline(timeline, s);
    body.replaceChildren(...s.models.map(m => modelRow(m, services.get(m.modelId))));
    document.title = `${s.simulationId} · Tugboat`;
  }

  function modelRow(m, svc) {
    const why = m.reason ?? (svc ? (svc.reason ?? `service ${svc.phase}`) : null);
    const actions = [el('button', { type: 'button', onclick: () => showLog(m.modelId) }, 'Log')];
    if (ctx.isOperator() && svc && svc.phase === 'HELD') {
      actions.push(el('button', { type: 'button', onclick: () => retry(m.modelId) }, 'Retry'),
        el('button', { type: 'button', class: 'danger', onclick: () => abandon(m.modelId) }, 'Abandon'));
    }
    return el('tr', { 'data-model-id': m.modelId, 'data-phase': m.phase },
      el('th', { scope: 'row' }, m.modelId),
      el('td', { class: `phase ${m.phase}` }, m.phase),
      el('td', { class: 'num exit-code' }, m.exitCode ?? '—'),
      el('td', { class: 'why' }, why ?? '—'),
      el('td', {}, m.podName ?? '—'),
      el('td', {}, timeEl(m.acceptedAt)),
      el('td', {}, timeEl(m.readyAt)),
      el('td', {}, timeEl(m.endedAt)),
      el('td', {}, actions));
  }

  async function showLog(modelId) {
    log.hidden = false;
    logTitle.textContent = `Log of ${modelId}`;
    logSource.textContent = '';
    logLines.textContent = 'Loading…';
    const tail = await ctx.guard(logTail(id, modelId));
    if (tail) {
      logSource.textContent = tail.source;
      logLines.textContent = tail.lines.length ? tail.lines.join('\n') : '(no lines)';
    } else {
      logLines.textContent = '';
    }
  }

  async function retry(modelId) {
    if (confirm(`Retry creating the pod of model ${modelId}? It starts again with a fresh retry budget.`)) {
      await act(API.retry(id, modelId), `Model ${modelId}: retry accepted.`);
    }
  }

  async function abandon(modelId) {
    const reason = prompt(`Abandon model ${modelId}? It is reported FAILED (exit code 125) to the SO.\n`
      + 'Reason (optional):', '');
    if (reason !== null) {
      await act(API.abandon(id, modelId, reason.trim()), `Model ${modelId}: abandoned.`);
    }
  }

  async function terminate() {
    const reason = prompt(`Terminate simulation ${id}? Every model still running is stopped and reported FAILED.\n`
      + 'Reason (optional):', '');
    if (reason !== null) {
      await act(API.terminate(id, reason.trim()), `Simulation ${id}: termination started.`);
    }
  }

  async function act(request, done) {
    const answer = await ctx.guard(request);
    if (answer !== null) {
      ctx.message(done, 'note');
      refresh();
    }
  }

  const refresh = refresher(() => load(), 200, 1500);
  const onEvent = event => {
    if (event && event.modelId && current && event.phase) {
      const cell = body.querySelector(`tr[data-model-id="${CSS.escape(event.modelId)}"] td.phase`);
      if (cell && ['STARTING', 'READY', 'SUCCEEDED', 'FAILED'].includes(event.phase)) {
        cell.textContent = event.phase;
        cell.className = `phase ${event.phase}`;
      }
    }
    refresh();
  };
  terminateButton.addEventListener('click', terminate);
  const tick = setInterval(() => {
    if (current && current.models.some(m => !m.endedAt)) {
      renderTimeline(timeline, current);
    }
  }, 1000);

  title.textContent = `Simulation ${id}`;
  facts.replaceChildren();
  timeline.replaceChildren();
  body.replaceChildren();
  log.hidden = true;
  terminateButton.hidden = true;
  view.hidden = false;
  const stopFollowing = follow(id, { onEvent, onResync: () => load(), onState: ctx.setLive });
  load();

  return () => {
    stopped = true;
    stopFollowing();
    refresh.cancel();
    clearInterval(tick);
    terminateButton.removeEventListener('click', terminate);
    view.hidden = true;
  };
}

function fact(name, value) {
  return [el('dt', {}, name), el('dd', {}, value)];
}

/** The service views of the models that still wait (why: queued at a position, held, creating). */
async function waitingServices(simulation) {
  const waiting = simulation.models.filter(m => WAITING.has(m.phase)).slice(0, MAX_WAITING_LOOKUPS);
  const views = await Promise.all(waiting.map(m =>
    API.service(simulation.simulationId, m.modelId).catch(e => {
      if (e instanceof API.Unauthorized) {
        throw e;
      }
      return null; // not journaled yet, or slow: the row shows what the simulation knows
    })));
  return new Map(views.filter(Boolean).map(v => [v.modelId, v]));
}

/**
 * The log tail: from .../logs (the pod, or the tail stored when it ended); a node without that
 * endpoint answers 404 for the path, and then the service view's stored tail is shown.
 */
async function logTail(id, modelId) {
  try {
    const answer = await API.serviceLog(id, modelId, LOG_TAIL);
    return {
      source: answer.source === 'pod' ? `Last ${LOG_TAIL} lines, read from pod ${answer.podName}.`
        : `Stored tail (${answer.reason ?? 'the pod was not read'}).`,
      lines: answer.lines,
    };
  } catch (e) {
    if (!(e.status === 404 && e.message.startsWith('no such resource'))) {
      throw e;
    }
  }
  const svc = await API.service(id, modelId);
  return {
    source: `Stored tail, kept when the container exited non-zero (service ${svc.phase}, updated ${when(svc.updatedAt)}).`,
    lines: svc.lastLogLines,
  };
}
