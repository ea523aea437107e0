import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, type HubErrorCode } from '../errors.js';

const STATUS: Partial<Record<HubErrorCode, number>> = {
  HUB_ERR_BAD_REQUEST: 400,
  HUB_ERR_CONFIG: 400,
  HUB_ERR_UNAUTHORIZED: 401,
  HUB_ERR_CSRF: 403,
  HUB_ERR_FORBIDDEN: 403,
  HUB_ERR_TENANT_NOT_FOUND: 404,
  HUB_ERR_TENANT_EXISTS: 409,
  HUB_ERR_API_TOKEN_NOT_FOUND: 404,
  HUB_ERR_GATEWAY_NOT_FOUND: 404,
  HUB_ERR_COMMAND_NOT_FOUND: 404,
  HUB_ERR_GATEWAY_REVOKED: 409,
  HUB_ERR_TOO_MANY_COMMANDS: 429,
  HUB_ERR_FL_CONFIG: 400,
  HUB_ERR_FL_NOT_FOUND: 404,
  HUB_ERR_FL_STATE: 409,
  HUB_ERR_FL_LIMIT: 429,
};

/** The one place HTTP errors take their wire shape: `{ error: { code, message, retryable } }`. */
export function httpErrorHandler(err: FastifyError | HubError, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HubError) {
    const code = STATUS[err.code] ?? 500;
    if (code >= 500) request.log.error({ err }, 'request failed');
    void reply.status(code).send({ error: { code: err.code, message: err.message, retryable: err.retryable } });
    return;
  }
  if ((err as FastifyError).validation) {
    void reply.status(400).send({ error: { code: 'HUB_ERR_BAD_REQUEST', message: err.message, retryable: false } });
    return;
  }
  const code = (err as FastifyError).statusCode ?? 500;
  if (code >= 500) request.log.error({ err }, 'request failed');
  void reply.status(code).send({ error: { code: code >= 500 ? 'HUB_ERR_INTERNAL' : 'HUB_ERR_BAD_REQUEST', message: err.message, retryable: code >= 500 } });
}
