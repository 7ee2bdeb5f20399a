// Calls the Batchline API of this origin with the API key kept in sessionStorage (never
// localStorage or cookies: the key leaves with the tab).
const KEY = 'batchline.api_key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${session.key()}` };
  if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      message = JSON.parse(text).error?.message || message;
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(response.status, message);
  }
  return text === '' ? null : JSON.parse(text);
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body),
};

// "?a=1&b=2" from the entries whose value is not empty.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined && v !== null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// GET for a view: on failure writes why into `note` (404: this server lacks the endpoint, as
// one built before that API) and answers null.
export async function getForView(path, note, what, hint = '') {
  try {
    return await api.get(path);
  } catch (e) {
    note.textContent = e.status === 404 ? `This server has no ${what} endpoint yet.` : `${what}: ${e.message}${hint}`;
    return null;
  }
}
