/** The UI's JSON API client: same origin, session cookie, CSRF token on every state-changing request. */
import { createApiClient } from '@outpost/web-kit/api-client';

export { ApiError } from '@outpost/web-kit/api-client';

const client = createApiClient('GW_ERR_INTERNAL');
export const { request, get, post, put } = client;

export interface SessionUser {
  username: string;
  role: 'viewer' | 'technician' | 'admin';
}

export async function loadSession(): Promise<SessionUser | null> {
  const body = await request<{ user: SessionUser | null; csrfToken: string }>('GET', '/ui/api/session');
  client.setCsrfToken(body.csrfToken);
  return body.user;
}
