/** A UI's JSON API client: same origin, the session cookie, and the CSRF token on every state-changing request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  /** Remember the token the session endpoint handed out; it goes on every request but GET. */
  setCsrfToken(token: string): void;
}

/** `fallbackCode` names the failure when the server's reply carries no error code (a proxy's 502, say). */
export function createApiClient(fallbackCode: string): ApiClient {
  let csrfToken = '';
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (!res.ok) throw new ApiError(res.status, data.error?.code ?? fallbackCode, data.error?.message ?? res.statusText);
    return data as T;
  }
  return {
    request,
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    setCsrfToken(token) {
      csrfToken = token;
    },
  };
}
