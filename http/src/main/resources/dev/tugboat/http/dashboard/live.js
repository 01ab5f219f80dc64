// Live updates from the event stream (GET /api/v1/events, docs/http-api.md). The stream names each
// event with an `event:` line, and a named event reaches only addEventListener(type), never
// onmessage, so every documented type is listened to.

export const EVENT_TYPES = [
  'SimulationDeployed', 'DeploymentRejected', 'ModelsReadyQueued', 'AllModelsHaveTerminatedQueued',
  'NotificationDelivered', 'NotificationAbandoned', 'ServiceCreateAcknowledged', 'ModelReady',
  'ModelTerminated', 'ServiceRequested', 'CreationQueued', 'PodCreationStarted', 'HoldReleased',
  'PodCreated', 'PodRunning', 'ServiceTerminated', 'ServiceFailed', 'ServiceHeld', 'PodDeleted',
  'SimulationNotified', 'PodDeletionAbandoned',
];

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;

/**
 * Follows the stream (of one simulation when `simulationId` is given): `onEvent(data)` for each
 * event, `onResync()` whenever events may have been missed (the stream was opened afresh), and
 * `onState('on' | 'reconnecting' | 'off')`. The browser resumes a dropped stream by itself with
 * Last-Event-ID; when the server refused it (410 after retention, 503, 401) it is opened again
 * without an id, after a growing pause, and the caller reads everything again. Returns a stop function.
 */
export function follow(simulationId, { onEvent, onResync, onState }) {
  const url = '/api/v1/events' + (simulationId ? '?simulation=' + encodeURIComponent(simulationId) : '');
  let source = null;
  let timer = null;
  let pause = FIRST_RETRY_MS;
  let fresh = false;

  function open() {
    source = new EventSource(url, { withCredentials: true });
    fresh = true;
    source.onopen = () => {
      pause = FIRST_RETRY_MS;
      onState('on');
      if (fresh) {
        fresh = false;
        onResync();
      }
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        onState('off');
        onResync();
        timer = setTimeout(open, pause);
        pause = Math.min(pause * 2, LAST_RETRY_MS);
      } else {
        onState('reconnecting');
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, e => {
        try {
          onEvent(JSON.parse(e.data));
        } catch {
          onEvent({ type });
        }
      });
    }
  }

  open();
  return () => {
    clearTimeout(timer);
    if (source) {
      source.close();
    }
  };
}

/**
 * `fn` soon after the last call, and once more a little later: the simulation list is a read model
 * that trails the journal (and so the stream) by about one poll of the read journal.
 */
export function refresher(fn, soonMs = 250, againMs = 1500) {
  let soon = null;
  let again = null;
  const schedule = () => {
    clearTimeout(soon);
    clearTimeout(again);
    soon = setTimeout(fn, soonMs);
    again = setTimeout(fn, againMs);
  };
  schedule.cancel = () => {
    clearTimeout(soon);
    clearTimeout(again);
  };
  return schedule;
}
