// The HTTP admin API client: one fetch wrapper that adds the bearer token and turns every
// error answer ({error, code, message}) into an ApiError. The token lives in sessionStorage,
// so it is gone when the browser tab is closed.

const TOKEN_KEY = 'relais.token';
const USER_KEY = 'relais.user';

/** An error answer of the API, or a failure to reach it. */
export class ApiError extends Error {
  constructor(status, error, code, message) {
    super(message);
    this.status = status;
    this.error = error;
    this.code = code;
  }

  /** "ACCESS_REFUSED: user 'bob' may not purge ...". */
  describe() {
    return this.error ? `${this.error}: ${this.message}` : this.message;
  }
}

let onUnauthorized = () => {};

/** Called when a request with a token is answered 401 (token expired, revoked or user deleted). */
export function setUnauthorizedHandler(f) {
  onUnauthorized = f;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The logged-in user as whoami answered it, or null. */
export function currentUser() {
  const u = sessionStorage.getItem(USER_KEY);
  return u ? JSON.parse(u) : null;
}

function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return 'Basic ' + btoa(bin);
}

async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    // not JSON (a proxy's page, an empty body): described by the status alone
  }
  if (body && body.error) return new ApiError(res.status, body.error, body.code, body.message || '');
  return new ApiError(res.status, null, null, `HTTP ${res.status} ${res.statusText}`.trim());
}

async function send(method, path, body, authorization) {
  const headers = { Accept: 'application/json' };
  if (authorization) headers.Authorization = authorization;
  // credentials 'omit': the API answers a refused Basic log-in with WWW-Authenticate, and a fetch that
  // may use credentials would then open the browser's own password prompt (or hang a headless one);
  // the UI sends its Authorization header itself and uses no cookies.
  const init = { method, headers, credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'UNREACHABLE', null, `the broker did not answer ${method} ${path} (${e.message})`);
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Calls the API with the session's token: api('GET', 'api/queues'). Paths are relative to the page
 * (so the UI also works behind a proxy that serves it under a prefix). Resolves to the parsed JSON
 * answer (null for 204), rejects with an ApiError.
 */
export async function api(method, path, body) {
  const t = token();
  try {
    return await send(method, path, body, t ? 'Bearer ' + t : null);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && t) {
      forget();
      onUnauthorized(e);
    }
    throw e;
  }
}

/** Logs in: a token from POST /api/tokens (HTTP Basic), then whoami. Resolves to the user. */
export async function login(user, password) {
  const t = await send('POST', 'api/tokens', undefined, basic(user, password));
  sessionStorage.setItem(TOKEN_KEY, t.token);
  try {
    const me = await send('GET', 'api/whoami', undefined, 'Bearer ' + t.token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(me));
    return me;
  } catch (e) {
    forget();
    throw e;
  }
}

/** Logs out: revokes the token (best effort) and forgets it. */
export async function logout() {
  const t = token();
  forget();
  if (t) {
    try {
      await send('DELETE', 'api/tokens/current', undefined, 'Bearer ' + t);
    } catch (e) {
      // already expired or revoked: nothing more to do
    }
  }
}

/** Re-reads whoami with the stored token (after a reload); null when there is no valid session. */
export async function restoreSession() {
  if (!token()) return null;
  try {
    const me = await send('GET', 'api/whoami', undefined, 'Bearer ' + token());
    sessionStorage.setItem(USER_KEY, JSON.stringify(me));
    return me;
  } catch (e) {
    forget();
    return null;
  }
}
