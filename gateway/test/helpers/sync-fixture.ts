import { deviceTopics, encodeMessage, localTopics } from '@outpost/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import { connectDevice } from './test-gateway.js';

export interface SyncView {
  state: string;
  clockTrusted: boolean | null;
  gatewayId: string | null;
  ackedSeq: number;
  lastSeq: number;
  unacked: number;
  classes: Record<string, { records: number; bytes: number; oldestMs: number | null }>;
  sequenced: Record<string, number>;
  enqueued: Record<string, number>;
  compacted: Record<string, number>;
  lastError: { code: string | null; message: string } | null;
  drainRatePerSec: number;
  sessions: number;
}

export interface HubCounts {
  appliedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  records: Record<string, number>;
  rows: Record<string, number>;
}

export type Api = <T>(path: string) => Promise<{ status: number; body: T }>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` every `everyMs` until it returns a value, at most `timeoutMs`; the last failure explains. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < 100_000; i++) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) break;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export const backlogRecords = (v: SyncView) => Object.values(v.classes).reduce((n, c) => n + c.records, 0);

/** Wait until the gateway has nothing left to send and everything sent is acked. */
export function waitForDrain(api: Api, timeoutMs: number): Promise<SyncView> {
  return waitFor(
    'the backlog to drain',
    async () => {
      const view = (await api<SyncView>('/api/v1/sync')).body;
      if (view.state === 'streaming' && backlogRecords(view) === 0 && view.unacked === 0 && view.ackedSeq === view.lastSeq) return view;
      // Thrown, not returned: waitFor keeps the last failure, so a timeout says where the sync stood.
      const lastError = view.lastError ? `${view.lastError.code ?? ''} ${view.lastError.message}` : 'none';
      throw new Error(`state ${view.state}, ${backlogRecords(view)} records unsent, acked ${view.ackedSeq} of ${view.lastSeq}, ${view.sessions} sessions, last error: ${lastError}`);
    },
    timeoutMs,
  );
}

function publish(client: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}

/**
 * Publish `perDevice` QoS 1 readings (two metrics each) from every device, `window` unacked at a time per
 * device. Resolves with the number of readings acknowledged (PUBACK = durable).
 */
export async function publishReadings(url: string, secrets: Record<string, string>, perDevice: number, window = 32): Promise<number> {
  const clients = await Promise.all(Object.entries(secrets).map(([id, secret]) => connectDevice(url, id, secret)));
  let acked = 0;
  await Promise.all(
    clients.map(async (client, d) => {
      const id = Object.keys(secrets)[d]!;
      const topic = deviceTopics.telemetry(id);
      let next = 0;
      const worker = async () => {
        while (next < perDevice) {
          const seq = next++;
          await publish(client, topic, encodeMessage('telemetry', { v: 1, seq, metrics: { temp: 20 + (seq % 50) / 10, load: seq % 7 } }));
          acked++;
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    }),
  );
  await Promise.all(clients.map((c) => c.endAsync()));
  return acked;
}

/** Connect as edge-runtime would: an internal client of the embedded broker. */
export function connectInternal(url: string, internalSecret: string, name = 'test'): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId: `_internal.${name}`, username: '_internal', password: internalSecret, reconnectPeriod: 0 });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

export function alertMessage(alertId: string, deviceId: string) {
  return encodeMessage('localAlert', { v: 1, alertId, deviceId, metric: 'temp', ts: Date.now(), source: 'rule', kind: 'threshold', severity: 'critical', score: 0.97, threshold: 0.9 });
}

/** Raise `count` alerts on local/v1/alerts (QoS 1: the PUBACK means the alert is in the outbox). */
export async function raiseAlerts(url: string, internalSecret: string, prefix: string, count: number, deviceId = 'dev-0'): Promise<void> {
  const client = await connectInternal(url, internalSecret, prefix);
  for (let i = 0; i < count; i++) await publish(client, localTopics.alerts(), alertMessage(`${prefix}-${i}`, deviceId));
  await client.endAsync();
}

/** Counts at the hub and at the gateway must agree class by class. */
export function compareCounts(view: SyncView, hub: HubCounts): { gateway: Record<string, number>; hub: Record<string, number> } {
  const classes = new Set([...Object.keys(view.sequenced), ...Object.keys(hub.records)]);
  const gateway: Record<string, number> = {};
  const atHub: Record<string, number> = {};
  for (const c of classes) {
    if ((view.sequenced[c] ?? 0) === 0 && (hub.records[c] ?? 0) === 0) continue;
    gateway[c] = view.sequenced[c] ?? 0;
    atHub[c] = hub.records[c] ?? 0;
  }
  return { gateway, hub: atHub };
}

type HubApi = <T>(path: string) => Promise<{ status: number; body: T }>;

/** Every alert id the hub holds for a gateway (paged by seq), duplicates included. */
export async function hubAlertIds(api: HubApi, gatewayId: string): Promise<string[]> {
  const ids: string[] = [];
  let after = 0;
  for (let page = 0; page < 1000; page++) {
    const { body } = await api<{ alerts: { seq: number; alert: { alertId: string } }[]; next: number | null }>(`/api/v1/gateways/${gatewayId}/alerts?limit=1000&after=${after}`);
    ids.push(...body.alerts.map((a) => a.alert.alertId));
    if (body.next === null || body.alerts.length < 1000) break;
    after = body.next;
  }
  return ids;
}

/** Sum of `count` over the hub's summaries of one device metric (one row per window: the hub upserts). */
export async function hubSummaryCount(api: HubApi, gatewayId: string, deviceId: string, metric: string): Promise<number> {
  const { body } = await api<{ summaries: { summary: { count: number } }[] }>(`/api/v1/gateways/${gatewayId}/summaries?limit=1000&deviceId=${deviceId}&metric=${metric}`);
  return body.summaries.reduce((n, s) => n + s.summary.count, 0);
}

/** Wait until the hub's per-class record counts equal the gateway's (a window may close between two reads). */
export async function countsAgree(gatewayApi: Api, hubApi: HubApi, timeoutMs = 20_000): Promise<{ view: SyncView; counts: HubCounts }> {
  return waitFor(
    'hub and gateway counts to agree',
    async () => {
      const view = await waitForDrain(gatewayApi, timeoutMs);
      const counts = (await hubApi<HubCounts>(`/api/v1/gateways/${view.gatewayId}/counts`)).body;
      const { gateway, hub } = compareCounts(view, counts);
      return JSON.stringify(gateway) === JSON.stringify(hub) && counts.appliedSeq === view.lastSeq ? { view, counts } : undefined;
    },
    timeoutMs,
  );
}
