import type { DataClass } from '@outpost/protocols';
import { SimError } from '../errors.js';
import type { HubApi } from './gateway-load-options.js';

/** `GET /api/v1/gateways/:id/counts` (docs/sync-protocol.md). */
export interface HubGatewayCounts {
  gatewayId: string;
  appliedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  batches: number;
  records: Record<DataClass, number>;
  rows: Record<DataClass, number>;
}

const REQUEST_TIMEOUT_MS = 15_000;

async function request<T>(api: HubApi, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = `${api.url.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (cause) {
    const reason = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
    throw new SimError('SIM_ERR_HUB_UNREACHABLE', `${method} ${url}: ${reason} (is the hub's HTTP API at --hub-api?)`, { cause });
  }
  if (response.status === 401) throw new SimError('SIM_ERR_HUB_API', `${method} ${url}: 401, the hub refused the API token (see <hub data dir>/api-token)`);
  if (!response.ok) throw new SimError('SIM_ERR_HUB_API', `${method} ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

/** `POST /api/v1/enrollment-tokens`: a one-time token (shown once). */
export async function createEnrollmentToken(api: HubApi): Promise<string> {
  const created = await request<{ token?: unknown }>(api, 'POST', '/api/v1/enrollment-tokens', {});
  if (typeof created.token !== 'string') throw new SimError('SIM_ERR_HUB_API', `POST /api/v1/enrollment-tokens answered without a token: ${JSON.stringify(created).slice(0, 200)}`);
  return created.token;
}

export function gatewayCounts(api: HubApi, gatewayId: string): Promise<HubGatewayCounts> {
  return request<HubGatewayCounts>(api, 'GET', `/api/v1/gateways/${encodeURIComponent(gatewayId)}/counts`);
}
