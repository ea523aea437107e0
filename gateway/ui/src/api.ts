/** The UI's JSON API client: same origin, session cookie, CSRF token on every state-changing request. */
let csrfToken = '';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionUser {
  username: string;
  role: 'viewer' | 'technician' | 'admin';
}

export async function loadSession(): Promise<SessionUser | null> {
  const body = await request<{ user: SessionUser | null; csrfToken: string }>('GET', '/ui/api/session');
  csrfToken = body.csrfToken;
  return body.user;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(res.status, data.error?.code ?? 'GW_ERR_INTERNAL', data.error?.message ?? res.statusText);
  return data as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
