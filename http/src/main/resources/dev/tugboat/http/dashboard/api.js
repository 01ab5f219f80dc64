// Calls to the Tugboat HTTP API (docs/http-api.md). Same-origin fetch sends the session cookie and,
// on a change, the Origin header the server checks.

/** The API answered 401: nobody is signed in (or the session ended). */
export class Unauthorized extends Error {}

/**
 * The JSON answer of `path` (`{}` for an empty one); throws Unauthorized on 401 and an Error with
 * the server's `error` (and the `status`) on any other failure.
 */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const message = json && typeof json.error === 'string' ? json.error : `${response.status} ${response.statusText}`;
  if (response.status === 401) {
    throw new Unauthorized(message);
  }
  if (!response.ok) {
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return json ?? {};
}

/** A path segment, encoded (ids may hold characters a URL must escape). */
export const seg = encodeURIComponent;

export const whoAmI = () => api('/api/v1/session');
export const signIn = token => api('/api/v1/session', { method: 'POST', body: { token } });
export const signOut = () => api('/api/v1/session', { method: 'DELETE' });

export const listSimulations = query => api('/api/v1/simulations' + (query ? '?' + query : ''));
export const simulation = id => api(`/api/v1/simulations/${seg(id)}`);
export const service = (id, model) => api(`/api/v1/simulations/${seg(id)}/services/${seg(model)}`);
export const serviceLog = (id, model, tail) =>
  api(`/api/v1/simulations/${seg(id)}/services/${seg(model)}/logs?tail=${tail}`);

export const terminate = (id, reason) =>
  api(`/api/v1/simulations/${seg(id)}`, { method: 'DELETE', body: reason ? { reason } : undefined });
export const retry = (id, model) =>
  api(`/api/v1/simulations/${seg(id)}/services/${seg(model)}/retry`, { method: 'POST' });
export const abandon = (id, model, reason) =>
  api(`/api/v1/simulations/${seg(id)}/services/${seg(model)}/abandon`, { method: 'POST', body: reason ? { reason } : {} });
