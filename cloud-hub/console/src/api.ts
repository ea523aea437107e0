/** The console's API client: same origin, the session cookie, and the CSRF token on every state-changing call. */
import { createApiClient } from '@outpost/web-kit/api-client';

export { ApiError } from '@outpost/web-kit/api-client';

const client = createApiClient('HUB_ERR_INTERNAL');
export const { request, get, post } = client;

/** Whether this browser has a live console session (and remember its CSRF token). */
/** Who is signed in: the token's role (superuser for the hub API token) and tenant (null: every tenant). */
export interface Session {
  authenticated: boolean;
  role: string | null;
  tenantId: string | null;
}

/** This browser's console session (and remember its CSRF token). */
export async function loadSession(): Promise<Session> {
  const body = await request<{ authenticated: boolean; csrfToken: string | null; role?: string | null; tenantId?: string | null }>('GET', '/console/api/session');
  client.setCsrfToken(body.csrfToken ?? '');
  return { authenticated: body.authenticated, role: body.role ?? null, tenantId: body.tenantId ?? null };
}

export async function logIn(token: string): Promise<void> {
  const body = await request<{ csrfToken: string }>('POST', '/console/api/login', { token });
  client.setCsrfToken(body.csrfToken);
}

export type PowerMode = 'performance' | 'balanced' | 'saver' | 'critical';

export interface Gateway {
  id: string;
  name: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  softwareVersion: string;
  protocolVersion: number | null;
  revokedAt: number | null;
  connected: boolean;
  ackedSeq: number;
  quarantined: number;
  backlogRecords: number | null;
  backlogOldestMs: number | null;
  clockTrusted: boolean | null;
  powerMode: PowerMode | null;
  powerSimulated: boolean | null;
  powerSinceMs: number | null;
  powerReportedAt: number | null;
}

export interface BatteryForecast {
  percent: number;
  percentPerDay: number;
  emptyAt: number | null;
  basedOnSamples: number;
  spanMs: number;
}

export interface DeviceState {
  deviceId: string;
  ts: number;
  receivedAt: number;
  wallTimeTrusted: boolean;
  state: Record<string, unknown>;
  batteryPercent: number | null;
  batteryForecast: BatteryForecast | null;
  adaptiveReporting: boolean | null;
}

export interface AlertBody {
  alertId: string;
  deviceId: string;
  ts: number;
  severity: 'info' | 'warning' | 'critical';
  source?: string;
  kind?: string;
  metric?: string;
  score?: number;
  threshold?: number;
}

export interface SyncedAlert {
  id?: number;
  gatewayId?: string;
  seq: number;
  receivedAt: number;
  wallTimeTrusted: boolean;
  alert: AlertBody;
}

export interface SyncedSummary {
  seq: number;
  summary: { deviceId: string; metric: string; windowStartMs: number; windowMs: number; count: number; min: number; max: number; mean: number; last: number; predictedCount?: number };
}
