import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, type GatewayErrorCode } from '../errors.js';

const STATUS: Partial<Record<GatewayErrorCode, number>> = {
  GW_ERR_BAD_REQUEST: 400,
  GW_ERR_DEVICE_ID: 400,
  GW_ERR_CONFIG: 400,
  GW_ERR_UNAUTHORIZED: 401,
  GW_ERR_DEVICE_NOT_FOUND: 404,
  GW_ERR_DEVICE_EXISTS: 409,
  GW_ERR_STORE_FULL: 507,
  GW_ERR_LOGIN: 401,
  GW_ERR_ACCOUNT_LOCKED: 423,
  GW_ERR_FORBIDDEN: 403,
  GW_ERR_CSRF: 403,
  GW_ERR_USER_EXISTS: 409,
  GW_ERR_NOT_FOUND: 404,
  GW_ERR_RUNTIME_UNAVAILABLE: 503,
};

/** The one place HTTP errors take their wire shape: `{ error: { code, message, retryable } }`. */
export function httpErrorHandler(err: FastifyError | GatewayError, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof GatewayError) {
    const status = STATUS[err.code] ?? 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    void reply.status(status).send({ error: { code: err.code, message: err.message, retryable: err.retryable } });
    return;
  }
  if ((err as FastifyError).validation) {
    void reply.status(400).send({ error: { code: 'GW_ERR_BAD_REQUEST', message: err.message, retryable: false } });
    return;
  }
  const status = (err as FastifyError).statusCode ?? 500;
  if (status >= 500) request.log.error({ err }, 'request failed');
  void reply.status(status).send({ error: { code: status >= 500 ? 'GW_ERR_INTERNAL' : 'GW_ERR_BAD_REQUEST', message: err.message, retryable: status >= 500 } });
}
