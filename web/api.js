// Thin client for the upravdom HTTP API (docs/api.md).
// The session lives in the HttpOnly cookie `upravdom_session` that the server sets
// at login; the token in the login answer is deliberately ignored (never stored).

const BASE = '/api/v1';

/** An API call that did not succeed; `message` is ready to show to a person. */
export class ApiError extends Error {
  constructor(status, message, problem = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

const FALLBACK_MESSAGES = {
  401: 'Требуется вход в систему',
  403: 'Недостаточно прав',
  404: 'Не найдено',
  429: 'Слишком много попыток, повторите позже',
  500: 'Внутренняя ошибка сервера',
  503: 'Сервис временно недоступен',
};

/** Text to show for a failed answer: the problem's `detail`, else its `title`. */
function problemMessage(status, problem, headers) {
  if (status === 429) {
    const seconds = parseInt(headers.get('Retry-After') || '', 10);
    if (Number.isFinite(seconds) && seconds >= 0) {
      return `Слишком много попыток, повторите через ${seconds} с`;
    }
  }
  if (problem && typeof problem === 'object') {
    const text = problem.detail || problem.title;
    if (typeof text === 'string' && text.trim() !== '') {
      const t = text.trim();
      return t.charAt(0).toUpperCase() + t.slice(1); // the server's details start in lower case
    }
  }
  return FALLBACK_MESSAGES[status] || `Ошибка сервера (код ${status})`;
}

/**
 * Sends one request; resolves to the parsed JSON body (null for an empty body),
 * `headers` adds request headers (an Idempotency-Key),
 * rejects with ApiError (status 0 when the server could not be reached).
 */
export async function request(method, path, { body, query, raw, type, headers } = {}) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const init = {
    method,
    credentials: 'same-origin',
    headers: { ...(headers || {}), Accept: 'application/json, application/problem+json' },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) { // a file as it is (Blob, ArrayBuffer)
    init.headers['Content-Type'] = type || 'application/octet-stream';
    init.body = raw;
  }

  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'Нет связи с сервером');
  }

  const text = await response.text();
  let data = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, problemMessage(response.status, data, response.headers), data);
  }
  return data;
}

export const api = {
  login: (login, password) => request('POST', '/auth/login', { body: { login, password } }),
  logout: () => request('POST', '/auth/logout'),
  me: () => request('GET', '/me'),
  list: (path, query) => request('GET', path, { query }),
  get: (path) => request('GET', path),
  /** POSTs a file's bytes as the request body (the registry imports). */
  upload: (path, file, type, query) => request('POST', path, { raw: file, type, query }),
};
