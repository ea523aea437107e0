import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';

const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);

/** The technician UI (`/`, `/ui/...`) has its own cookie sessions; see src/ui/ui-plugin.ts. */
const isUiPath = (path: string) => path === '/' || path.startsWith('/ui/');

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Bearer-token check for everything but the health probes and the UI. Digests make the comparison constant-time. */
export function createApiAuth(apiToken: string) {
  const expected = sha256(apiToken);
  return async function apiAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const path = request.url.split('?', 1)[0]!;
    if (PUBLIC_PATHS.has(path) || isUiPath(path)) return;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !timingSafeEqual(sha256(token), expected)) {
      throw new GatewayError('GW_ERR_UNAUTHORIZED', 'send Authorization: Bearer <api token>');
    }
  };
}
