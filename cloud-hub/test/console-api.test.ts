import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStream, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

const T0 = 1_700_000_000_000;

interface DeviceView {
  deviceId: string;
  state: Record<string, unknown>;
  batteryPercent: number | null;
  batteryForecast: Record<string, unknown> | null;
  adaptiveReporting: boolean | null;
}
interface FleetAlert {
  id: number;
  gatewayId: string;
  alert: { alertId: string; severity: string; deviceId: string };
}

const alert = (alertId: string, deviceId: string, severity: string) => ({ v: 1, alertId, deviceId, ts: T0, source: 'rule', kind: 'threshold', severity, score: 1, threshold: 0.5 });

describe('hub API for the console: device power, fleet alerts', () => {
  let t: TestHub;
  let gwA: string;
  let gwB: string;
  before(async () => {
    t = await startTestHub();
    const a = await t.enrollGateway('a');
    const b = await t.enrollGateway('b');
    gwA = a.gatewayId;
    gwB = b.gatewayId;
    const forecast = { percent: 64, percentPerDay: -12, emptyAt: T0 + 5 * 86_400_000, basedOnSamples: 40, spanMs: 86_400_000 };
    const sa = new TestStream(t.client, a.credential);
    await sa.welcome();
    await sa.send([
      record(1, 'deviceState', { v: 1, deviceId: 'bat-1', ts: T0, state: { battery: { percent: 64 }, reported: {}, batteryForecast: forecast, adaptiveReporting: true } }),
      record(2, 'deviceState', { v: 1, deviceId: 'old-gw-style', ts: T0, state: { battery: { percent: 50 }, reported: {} } }),
      record(3, 'deviceState', { v: 1, deviceId: 'odd', ts: T0, state: { battery: 'full', batteryForecast: { percent: 'x' }, adaptiveReporting: 'yes' } }),
      record(4, 'alert', alert('a1', 'bat-1', 'warning')),
      record(5, 'alert', alert('a2', 'bat-1', 'critical')),
    ]);
    await sa.end();
    const sb = new TestStream(t.client, b.credential);
    await sb.welcome();
    await sb.send([record(1, 'alert', alert('b1', 'meter', 'critical')), record(2, 'alert', alert('b2', 'meter', 'info'))]);
    await sb.end();
  });
  after(() => t.close());

  it('the devices route lifts battery level, forecast and adaptive reporting out of the synced state; odd values give nulls', async () => {
    const { status, body } = await t.api<{ devices: DeviceView[] }>(`/api/v1/gateways/${gwA}/devices`);
    assert.equal(status, 200);
    const by = new Map(body.devices.map((d) => [d.deviceId, d]));
    const bat = by.get('bat-1')!;
    assert.deepEqual([bat.batteryPercent, bat.adaptiveReporting], [64, true]);
    assert.deepEqual(bat.batteryForecast, { percent: 64, percentPerDay: -12, emptyAt: T0 + 5 * 86_400_000, basedOnSamples: 40, spanMs: 86_400_000 });
    assert.deepEqual(bat.state.battery, { percent: 64 }, 'the state itself is returned whole');
    const old = by.get('old-gw-style')!;
    assert.deepEqual([old.batteryPercent, old.batteryForecast, old.adaptiveReporting], [50, null, null]);
    const odd = by.get('odd')!;
    assert.deepEqual([odd.batteryPercent, odd.batteryForecast, odd.adaptiveReporting], [null, null, null]);
    assert.equal(odd.state.adaptiveReporting, 'yes');
  });

  it('alerts across the fleet come newest first, filter by gateway, device and severity, and page with before', async () => {
    const all = (await t.api<{ alerts: FleetAlert[]; next: number | null }>('/api/v1/alerts')).body;
    assert.deepEqual(all.alerts.map((a) => a.alert.alertId), ['b2', 'b1', 'a2', 'a1']);
    assert.deepEqual([...new Set(all.alerts.map((a) => a.gatewayId))], [gwB, gwA]);
    assert.equal(all.next, null);
    const ids = async (q: string) => (await t.api<{ alerts: FleetAlert[] }>(`/api/v1/alerts?${q}`)).body.alerts.map((a) => a.alert.alertId);
    assert.deepEqual(await ids(`gatewayId=${gwA}`), ['a2', 'a1']);
    assert.deepEqual(await ids('severity=critical'), ['b1', 'a2']);
    assert.deepEqual(await ids('deviceId=meter&severity=info'), ['b2']);
    const page1 = (await t.api<{ alerts: FleetAlert[]; next: number | null }>('/api/v1/alerts?limit=3')).body;
    assert.equal(page1.alerts.length, 3);
    assert.deepEqual(await ids(`limit=3&before=${page1.next}`), ['a1']);
    assert.equal((await t.api('/api/v1/alerts?severity=loud')).status, 400);
  });
});

describe('console sessions on the API', () => {
  let clock = Date.now();
  let t: TestHub;
  let base: string;
  before(async () => {
    t = await startTestHub({}, { now: () => clock });
    base = `http://127.0.0.1:${t.addresses.httpPort}`;
  });
  after(() => t.close());

  async function login(token: string) {
    const res = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const body = (await res.json()) as { csrfToken?: string; error?: { code: string } };
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { status: res.status, body, setCookie, cookie: setCookie.split(';', 1)[0]! };
  }

  it('a wrong token gets no cookie; the right one gets an HttpOnly, SameSite=Strict one', async () => {
    const bad = await login('x'.repeat(40));
    assert.deepEqual([bad.status, bad.body.error?.code, bad.setCookie], [401, 'HUB_ERR_UNAUTHORIZED', '']);
    const good = await login(t.hub.apiToken.value);
    assert.equal(good.status, 200);
    assert.match(good.setCookie, /^outpost_hub_session=[^;]+;.*HttpOnly/i);
    assert.match(good.setCookie, /SameSite=Strict/i);
  });

  it('reads need the cookie only, changes also the CSRF token of that session; a wrong bearer is refused even with a cookie', async () => {
    const { cookie, body } = await login(t.hub.apiToken.value);
    const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { cookie, ...init.headers } });
    assert.equal((await call('/api/v1/gateways')).status, 200);
    assert.equal((await fetch(`${base}/api/v1/gateways`)).status, 401, 'no cookie, no bearer');
    const post = (csrf?: string) => call('/api/v1/enrollment-tokens', { method: 'POST', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: '{}' });
    const refused = await post();
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'HUB_ERR_CSRF');
    assert.equal((await post('A'.repeat(43))).status, 403);
    assert.equal((await post(body.csrfToken)).status, 201);
    const other = await login(t.hub.apiToken.value);
    assert.equal((await post(other.body.csrfToken)).status, 403, "another session's CSRF token does not fit");
    assert.equal((await call('/api/v1/gateways', { headers: { authorization: 'Bearer wrong-token-wrong-token-00' } })).status, 401);
    const session = (await (await call('/console/api/session')).json()) as { authenticated: boolean; csrfToken: string };
    assert.deepEqual([session.authenticated, session.csrfToken], [true, body.csrfToken]);
  });

  it('a forged or expired cookie is refused', async () => {
    const { cookie } = await login(t.hub.apiToken.value);
    const [name, value] = cookie.split('=') as [string, string];
    const [expires, subject, nonce, mac] = value.split('.') as [string, string, string, string];
    assert.equal(subject, 'hub', 'the session of the hub API token');
    const forged = `${name}=${Number(expires) + 86_400_000}.${subject}.${nonce}.${mac}`;
    assert.equal((await fetch(`${base}/api/v1/gateways`, { headers: { cookie: forged } })).status, 401);
    const otherSubject = `${name}=${expires}.atk-0000000000000000.${nonce}.${mac}`;
    assert.equal((await fetch(`${base}/api/v1/gateways`, { headers: { cookie: otherSubject } })).status, 401, 'the subject is signed too');
    assert.equal((await fetch(`${base}/api/v1/gateways`, { headers: { cookie } })).status, 200);
    clock += 13 * 3_600_000;
    assert.equal((await fetch(`${base}/api/v1/gateways`, { headers: { cookie } })).status, 401, 'sessions last 12 h');
    const session = (await (await fetch(`${base}/console/api/session`, { headers: { cookie } })).json()) as { authenticated: boolean };
    assert.equal(session.authenticated, false);
  });

  it('serves the console page with a strict CSP, and its login is reachable without a token', async () => {
    const page = await fetch(`${base}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    assert.match(html, /<title>Outpost ops console<\/title>/);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing loaded from elsewhere');
    assert.equal((await fetch(`${base}/console`, { redirect: 'manual' })).status, 301);
  });
});
