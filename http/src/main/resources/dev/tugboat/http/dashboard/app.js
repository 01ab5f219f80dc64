// The dashboard's entry: who is signed in, the sign-in form when the API answers 401, and which
// view the address shows (#/ the list, #/simulations/{id} one simulation). Moving between views
// changes only the fragment, so the page is never reloaded.
import * as API from './api.js';
import { showList } from './list.js';
import { showSimulation } from './simulation.js';

const message = document.getElementById('message');
const signInSection = document.getElementById('sign-in');
const signInForm = document.getElementById('sign-in-form');
const signInError = document.getElementById('sign-in-error');
const tokenInput = document.getElementById('token');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
const signOutButton = document.getElementById('sign-out');
const live = document.getElementById('live');

const LIVE_TEXT = { on: 'Live', reconnecting: 'Reconnecting…', off: 'Live updates interrupted; retrying' };

let principal = null;
let stopView = null;

const ctx = {
  isOperator: () => principal !== null && principal.role === 'operator',
  setLive(state) {
    live.textContent = LIVE_TEXT[state] ?? '';
    live.className = `live ${state === 'on' ? 'on' : 'off'}`;
  },
  message(text, kind = 'error') {
    message.hidden = !text;
    message.textContent = text ?? '';
    message.className = kind === 'error' ? 'message' : 'message note';
  },
  /** The value of `promise`, or null after showing what went wrong (the sign-in form on 401). */
  async guard(promise, { notFound } = {}) {
    try {
      return await promise;
    } catch (e) {
      if (e instanceof API.Unauthorized) {
        needSignIn(`Signed out by the server: ${e.message}`);
      } else {
        ctx.message(e.status === 404 && notFound ? notFound : e.message);
      }
      return null;
    }
  },
};

function stop() {
  if (stopView) {
    stopView();
    stopView = null;
  }
  live.textContent = '';
}

function route() {
  stop();
  ctx.message(null);
  if (principal === null) {
    return;
  }
  const match = location.hash.match(/^#\/simulations\/([^/]+)$/);
  stopView = match ? showSimulation(ctx, decodeURIComponent(match[1])) : showList(ctx);
}

function showWho() {
  who.hidden = false;
  const name = principal.anonymous ? 'not signed in' : principal.name;
  whoName.textContent = `${name} (${principal.role})`;
  signOutButton.textContent = principal.anonymous ? 'Sign in' : 'Sign out';
}

/** Shows the sign-in form instead of any view, with `reason` when a session ended while in use. */
function needSignIn(reason) {
  stop();
  principal = null;
  who.hidden = true;
  signInSection.hidden = false;
  ctx.message(null);
  signInError.textContent = reason ?? '';
  signInError.hidden = !reason;
  tokenInput.focus();
}

signInForm.addEventListener('submit', async e => {
  e.preventDefault();
  signInError.hidden = true;
  try {
    principal = await API.signIn(tokenInput.value.trim());
  } catch (err) {
    signInError.textContent = err instanceof API.Unauthorized ? 'That token is not known.' : err.message;
    signInError.hidden = false;
    return;
  }
  tokenInput.value = '';
  signInSection.hidden = true;
  showWho();
  route();
});

signOutButton.addEventListener('click', async () => {
  if (principal && !principal.anonymous) {
    await ctx.guard(API.signOut());
  }
  needSignIn(null);
});

window.addEventListener('hashchange', route);

async function start() {
  try {
    principal = await API.whoAmI();
  } catch (e) {
    if (e instanceof API.Unauthorized) {
      needSignIn(null);
    } else {
      ctx.message(`The API cannot be reached: ${e.message}`);
    }
    return;
  }
  showWho();
  route();
}

start();
