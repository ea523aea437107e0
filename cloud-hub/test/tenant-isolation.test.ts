import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { createFederationCoordinator } from '../src/federation/coordinator.js';
import { requireRouteRole } from '../src/http/principal.js';
import { TestStream, enroll, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

const T0 = 1_700_000_000_000;
// Every marker of tenant A's data; none may appear in anything tenant B's tokens get back.
const DEVICE_A = 'dev-a-only';
const ALERT_A = 'alert-a-only';

interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}
interface ErrorBody {
  error: { code: string };
}

/** What a route answers tenant B's admin when asked for tenant A's things (a request per registered route). */
interface Probe {
  path: string;
  body?: unknown;
  status: number;
  code?: string;
}

describe('tenants: one never reads or changes another tenant\'s data; roles', () => {
  let t: TestHub;
  let base: string;
  const tok: Record<string, string> = {};
  let gwA: string;
  let gwB: string;
  let cmdA: string;
  let fedA: string;
  let tokA: string;

  const call = async <T = Record<string, unknown>>(token: string | null, method: string, path: string, json?: unknown): Promise<Reply<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (metrics, docs): kept as text, still searched for A's markers.
    }
    return { status: res.status, body: body as T };
  };

  async function syncGateway(credential: string, device: string, alertId: string): Promise<void> {
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    await stream.send([
      record(1, 'deviceState', { v: 1, deviceId: device, ts: T0, state: { battery: { percent: 80 } } }),
      record(2, 'alert', { v: 1, alertId, deviceId: device, ts: T0, source: 'rule', kind: 'threshold', severity: 'critical', score: 1, threshold: 0.5 }),
      record(3, 'summary', { v: 1, deviceId: device, metric: 'temperature', windowStartMs: T0, windowMs: 60_000, count: 3, min: 1, max: 3, mean: 2 }),
    ]);
    await stream.end();
  }

  before(async () => {
    t = await startTestHub();
    base = `http://127.0.0.1:${t.addresses.httpPort}`;
    const su = t.hub.apiToken.value;
    for (const id of ['a', 'b']) assert.equal((await call(su, 'POST', '/api/v1/tenants', { id, name: `Tenant ${id}` })).status, 201);
    for (const [key, tenantId, role] of [['adminA', 'a', 'admin'], ['operatorA', 'a', 'operator'], ['adminB', 'b', 'admin'], ['viewerB', 'b', 'viewer'], ['auditorB', 'b', 'auditor'], ['operatorB', 'b', 'operator']] as const) {
      const created = await call<{ token: string; id: string }>(su, 'POST', '/api/v1/api-tokens', { tenantId, role });
      assert.equal(created.status, 201);
      tok[key] = created.body.token;
      if (key === 'operatorA') tokA = created.body.id;
    }
    // Each tenant enrolls with its own enrollment token (A's admin, B's operator): the gateway is the tenant's.
    const etA = await call<{ token: string; tenantId: string }>(tok.adminA!, 'POST', '/api/v1/enrollment-tokens', {});
    const etB = await call<{ token: string; tenantId: string }>(tok.operatorB!, 'POST', '/api/v1/enrollment-tokens', {});
    assert.deepEqual([etA.body.tenantId, etB.body.tenantId], ['a', 'b']);
    const a = await enroll(t.client, etA.body.token, 'gw-of-a');
    const b = await enroll(t.client, etB.body.token, 'gw-of-b');
    gwA = a.gatewayId;
    gwB = b.gatewayId;
    await syncGateway(a.credential, DEVICE_A, ALERT_A);
    await syncGateway(b.credential, 'dev-b', 'alert-b');
    const command = await call<{ commandId: string }>(tok.operatorA!, 'POST', `/api/v1/gateways/${gwA}/devices/${DEVICE_A}/commands`, { name: 'reboot' });
    assert.equal(command.status, 201);
    cmdA = command.body.commandId;
    // Waits (for 5 candidates of its tenant) far longer than the test: it stays running.
    const fed = await call<{ id: string; tenantId: string }>(tok.operatorA!, 'POST', '/api/v1/federations', { profile: 'temperature', rounds: 1, minClients: 5, phaseTimeoutMs: 3_600_000 });
    assert.equal(fed.status, 201);
    assert.equal(fed.body.tenantId, 'a');
    fedA = fed.body.id;
  });
  after(() => t.close());

  const markersOfA = () => [gwA, DEVICE_A, ALERT_A, cmdA, fedA, tokA, 'gw-of-a'];
  const neverExisted = (text: string) =>
    text.replaceAll(gwA, 'gw-ffffffffffffffff').replaceAll(DEVICE_A, 'dev-never').replaceAll(cmdA, 'cmd-never').replaceAll(fedA, 'fed-never').replaceAll(tokA, 'atk-ffffffffffffffff');

  function probes(): Record<string, Probe[]> {
    const gw = `/api/v1/gateways/${gwA}`;
    const dev = `${gw}/devices/${DEVICE_A}`;
    const gwNotFound = { status: 404, code: 'HUB_ERR_GATEWAY_NOT_FOUND' };
    const forbidden = { status: 403, code: 'HUB_ERR_FORBIDDEN' };
    const flNotFound = { status: 404, code: 'HUB_ERR_FL_NOT_FOUND' };
    return {
      'GET /api/v1/gateways': [{ path: '/api/v1/gateways', status: 200 }],
      'GET /api/v1/gateways/:id': [{ path: gw, ...gwNotFound }],
      'POST /api/v1/gateways/:id/revoke': [{ path: `${gw}/revoke`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/counts': [{ path: `${gw}/counts`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/quarantine': [{ path: `${gw}/quarantine`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/alerts': [{ path: `${gw}/alerts`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/summaries': [{ path: `${gw}/summaries`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/devices': [{ path: `${gw}/devices`, ...gwNotFound }],
      'GET /api/v1/alerts': [
        { path: '/api/v1/alerts', status: 200 },
        { path: `/api/v1/alerts?gatewayId=${gwA}`, status: 200 },
        { path: `/api/v1/alerts?deviceId=${DEVICE_A}`, status: 200 },
      ],
      'GET /api/v1/gateways/:id/devices/:deviceId/shadow': [{ path: `${dev}/shadow`, ...gwNotFound }],
      'PUT /api/v1/gateways/:id/devices/:deviceId/shadow/desired': [{ path: `${dev}/shadow/desired`, body: { reporting: { intervalMs: 1000 } }, ...gwNotFound }],
      'POST /api/v1/gateways/:id/devices/:deviceId/commands': [{ path: `${dev}/commands`, body: { name: 'reboot' }, ...gwNotFound }],
      'GET /api/v1/gateways/:id/devices/:deviceId/commands': [{ path: `${dev}/commands`, ...gwNotFound }],
      'GET /api/v1/gateways/:id/devices/:deviceId/commands/:commandId': [{ path: `${dev}/commands/${cmdA}`, ...gwNotFound }],
      'POST /api/v1/enrollment-tokens': [{ path: '/api/v1/enrollment-tokens', body: { tenantId: 'a' }, ...forbidden }],
      'POST /api/v1/tenants': [{ path: '/api/v1/tenants', body: { id: 'c' }, ...forbidden }],
      'GET /api/v1/tenants': [{ path: '/api/v1/tenants', ...forbidden }],
      'POST /api/v1/api-tokens': [{ path: '/api/v1/api-tokens', body: { role: 'admin', tenantId: 'a' }, ...forbidden }],
      'GET /api/v1/api-tokens': [
        { path: '/api/v1/api-tokens', status: 200 },
        { path: '/api/v1/api-tokens?tenantId=a', status: 200 },
      ],
      'DELETE /api/v1/api-tokens/:tokenId': [{ path: `/api/v1/api-tokens/${tokA}`, status: 404, code: 'HUB_ERR_API_TOKEN_NOT_FOUND' }],
      'POST /api/v1/federations': [{ path: '/api/v1/federations', body: { profile: 'temperature', tenantId: 'a' }, ...forbidden }],
      'GET /api/v1/federations': [{ path: '/api/v1/federations', status: 200 }],
      'GET /api/v1/federations/:id': [{ path: `/api/v1/federations/${fedA}`, ...flNotFound }],
      'POST /api/v1/federations/:id/stop': [{ path: `/api/v1/federations/${fedA}/stop`, ...flNotFound }],
      'POST /api/v1/federations/:id/export': [{ path: `/api/v1/federations/${fedA}/export`, ...flNotFound }],
      'GET /metrics': [{ path: '/metrics', ...forbidden }],
      'GET /api/v1/openapi.json': [{ path: '/api/v1/openapi.json', status: 200 }],
    };
  }

  /** Every registered route a token can call: not public, not the docs page's static files, no HEAD twins. */
  const guardedRoutes = () => t.hub.http.outpostRoutes.filter((r) => r.method !== 'HEAD' && r.role !== 'public' && !r.url.startsWith('/api/docs'));

  it('every registered route declares a role; a route without one stops start-up', () => {
    const routes = t.hub.http.outpostRoutes;
    assert.ok(routes.length >= 30, `routes: ${routes.length}`);
    for (const r of routes) assert.match(r.role, /^(public|viewer|auditor|operator|admin|superuser)$/, `${r.method} ${r.url}`);
    const publicUrls = new Set(routes.filter((r) => r.role === 'public' && !r.url.startsWith('/console/assets/')).map((r) => r.url));
    assert.deepEqual([...publicUrls].sort(), ['/console', '/console/', '/console/api/login', '/console/api/logout', '/console/api/session', '/healthz', '/readyz'], 'only probes and the console shell and login are public');
    const app = Fastify();
    app.addHook('onRoute', requireRouteRole);
    assert.throws(() => app.get('/api/v1/unguarded', async () => 'x'), /declares no role/);
    assert.throws(() => app.get('/api/v1/typo', { config: { apiRole: 'owner' as never } }, async () => 'x'), /unknown role/);
    app.get('/api/v1/guarded', { config: { apiRole: 'viewer' } }, async () => 'x');
  });

  it("tenant B's admin gets 404 (or only its own data) for tenant A's resources on every registered route", async () => {
    const table = probes();
    const missing = guardedRoutes().filter((r) => !table[`${r.method} ${r.url}`]).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, [], 'every guarded route has an isolation probe: add new routes to this table');
    for (const route of guardedRoutes()) {
      for (const probe of table[`${route.method} ${route.url}`]!) {
        const res = await call<ErrorBody>(tok.adminB!, route.method, probe.path, probe.body);
        const what = `${route.method} ${probe.path}`;
        assert.equal(res.status, probe.status, `${what}: ${JSON.stringify(res.body).slice(0, 200)}`);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        if (probe.status >= 400) {
          assert.equal(res.body.error.code, probe.code, what);
          // Existence must not leak: the answer equals the one for ids that never existed (the error echoes the id asked for).
          const never = await call(tok.adminB!, route.method, neverExisted(probe.path), probe.body);
          assert.deepEqual([res.status, neverExisted(text)], [never.status, JSON.stringify(never.body)], `${what} differs from a missing resource`);
        } else {
          for (const marker of markersOfA()) assert.ok(!text.includes(marker), `${what} leaks ${marker}`);
        }
      }
    }
  });

  it("list routes answer tenant B with its own data only, and the hub API token with everyone's", async () => {
    const gateways = await call<{ gateways: { id: string; tenantId: string }[] }>(tok.adminB!, 'GET', '/api/v1/gateways');
    assert.deepEqual(gateways.body.gateways.map((g) => [g.id, g.tenantId]), [[gwB, 'b']]);
    const alerts = await call<{ alerts: { gatewayId: string }[] }>(tok.viewerB!, 'GET', '/api/v1/alerts');
    assert.deepEqual(alerts.body.alerts.map((a) => a.gatewayId), [gwB]);
    const all = await call<{ gateways: { id: string; tenantId: string }[] }>(t.hub.apiToken.value, 'GET', '/api/v1/gateways');
    assert.deepEqual(all.body.gateways.map((g) => g.tenantId).sort(), ['a', 'b']);
    const allAlerts = await call<{ alerts: unknown[] }>(t.hub.apiToken.value, 'GET', '/api/v1/alerts');
    assert.equal(allAlerts.body.alerts.length, 2);
    const feds = await call<{ federations: { id: string }[] }>(tok.adminA!, 'GET', '/api/v1/federations');
    assert.deepEqual(feds.body.federations.map((f) => f.id), [fedA]);
    const tokensB = await call<{ tokens: { tenantId: string }[] }>(tok.adminB!, 'GET', '/api/v1/api-tokens');
    assert.deepEqual([...new Set(tokensB.body.tokens.map((x) => x.tenantId))], ['b']);
  });

  it("nothing of tenant A changed after B's attempts (checked in the store)", () => {
    const store = t.hub.store;
    const gateway = store.fleet.get(gwA)!;
    assert.deepEqual([gateway.tenantId, gateway.revokedAt], ['a', null]);
    assert.deepEqual(store.commands.list(gwA, { limit: 100 }).map((c) => c.commandId), [cmdA]);
    assert.equal(store.shadows.get(gwA, DEVICE_A).desiredVersion, 0);
    assert.equal(store.tenants.getApiToken(tokA)!.revokedAt, null);
    assert.deepEqual(store.tenants.listApiTokens('a').length, 2);
    assert.deepEqual(store.tenants.list().map((x) => x.id).sort(), ['a', 'b', 'default']);
    assert.deepEqual(t.hub.federation.store.list().map((f) => [f.id, f.tenantId, f.status]), [[fedA, 'a', 'running']]);
  });

  it('viewer and auditor change nothing (403 HUB_ERR_FORBIDDEN on every write); operator cannot manage API tokens', async () => {
    const writes = guardedRoutes().filter((r) => r.method !== 'GET');
    assert.ok(writes.length >= 10, `writes: ${writes.length}`);
    const own = (url: string) => url.replace(':id', url.includes('federations') ? 'fed-x' : gwB).replace(':deviceId', 'dev-b').replace(':tokenId', 'atk-x');
    for (const key of ['viewerB', 'auditorB']) {
      for (const r of writes) {
        const res = await call<ErrorBody>(tok[key]!, r.method, own(r.url), r.method === 'DELETE' ? undefined : {});
        assert.deepEqual([res.status, res.body.error?.code], [403, 'HUB_ERR_FORBIDDEN'], `${key} ${r.method} ${r.url}`);
      }
      assert.equal((await call(tok[key]!, 'GET', `/api/v1/gateways/${gwB}/devices`)).status, 200, `${key} reads its tenant`);
    }
    for (const [method, path, body] of [['POST', '/api/v1/api-tokens', { role: 'viewer' }], ['GET', '/api/v1/api-tokens', undefined], ['DELETE', '/api/v1/api-tokens/atk-x', undefined], ['GET', '/api/v1/tenants', undefined]] as const) {
      const res = await call<ErrorBody>(tok.operatorB!, method, path, body);
      assert.deepEqual([res.status, res.body.error.code], [403, 'HUB_ERR_FORBIDDEN'], `operator ${method} ${path}`);
    }
    const queued = await call(tok.operatorB!, 'POST', `/api/v1/gateways/${gwB}/devices/dev-b/commands`, { name: 'reboot' });
    assert.equal(queued.status, 201, 'an operator changes its own tenant');
    assert.equal(t.hub.store.shadows.get(gwB, 'dev-b').desiredVersion, 0, 'the refused writes changed nothing of B either');
  });

  it('an admin manages its own tokens; a revoked token and its console sessions are refused at once', async () => {
    const created = await call<{ token: string; id: string; tenantId: string; role: string }>(tok.adminB!, 'POST', '/api/v1/api-tokens', { role: 'viewer', name: 'dashboard' });
    assert.deepEqual([created.status, created.body.tenantId, created.body.role], [201, 'b', 'viewer']);
    assert.match(created.body.token, /^oat_/);
    const listed = await call<{ tokens: Record<string, unknown>[] }>(tok.adminB!, 'GET', '/api/v1/api-tokens');
    assert.ok(listed.body.tokens.some((x) => x.id === created.body.id));
    assert.ok(!JSON.stringify(listed.body).includes(created.body.token), 'a list never shows a token');

    const login = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: created.body.token }) });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const session = (await (await fetch(`${base}/console/api/session`, { headers: { cookie } })).json()) as { authenticated: boolean; role: string; tenantId: string };
    assert.deepEqual([session.authenticated, session.role, session.tenantId], [true, 'viewer', 'b']);
    const viaCookie = (await (await fetch(`${base}/api/v1/gateways`, { headers: { cookie } })).json()) as { gateways: { id: string }[] };
    assert.deepEqual(viaCookie.gateways.map((g) => g.id), [gwB]);

    assert.equal((await call(created.body.token, 'GET', '/api/v1/gateways')).status, 200);
    const revoked = await call<{ revokedAt: number | null }>(tok.adminB!, 'DELETE', `/api/v1/api-tokens/${created.body.id}`);
    assert.equal(revoked.status, 200);
    assert.notEqual(revoked.body.revokedAt, null);
    const refused = await call<ErrorBody>(created.body.token, 'GET', '/api/v1/gateways');
    assert.deepEqual([refused.status, refused.body.error.code], [401, 'HUB_ERR_UNAUTHORIZED']);
    assert.equal((await fetch(`${base}/api/v1/gateways`, { headers: { cookie } })).status, 401, 'its console session ends too');
    const again = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: created.body.token }) });
    assert.equal(again.status, 401);
  });

  it('the hub API token stays the superuser: tenants, tokens and enrollment for any tenant', async () => {
    const su = t.hub.apiToken.value;
    assert.equal((await call<ErrorBody>(su, 'POST', '/api/v1/tenants', { id: 'a' })).body.error.code, 'HUB_ERR_TENANT_EXISTS');
    assert.equal((await call(su, 'POST', '/api/v1/tenants', { id: 'Not Valid' })).status, 400);
    const unknown = await call<ErrorBody>(su, 'POST', '/api/v1/api-tokens', { role: 'viewer', tenantId: 'nope' });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'HUB_ERR_TENANT_NOT_FOUND']);
    const et = await call<{ tenantId: string }>(su, 'POST', '/api/v1/enrollment-tokens', {});
    assert.equal(et.body.tenantId, 'default', 'without a tenant, the default one (as before tenants existed)');
    assert.equal((await call(su, 'GET', `/api/v1/gateways/${gwA}`)).status, 200);
    assert.equal((await call(su, 'GET', '/metrics')).status, 200);
    const doc = await call<{ paths: Record<string, Record<string, { 'x-outpost-role'?: string; tags?: string[] }>> }>(tok.viewerB!, 'GET', '/api/v1/openapi.json');
    assert.equal(doc.status, 200, 'a viewer reads the API document');
    assert.deepEqual(
      [doc.body.paths['/api/v1/api-tokens']?.post?.['x-outpost-role'], doc.body.paths['/api/v1/tenants']?.get?.['x-outpost-role'], doc.body.paths['/api/v1/gateways']?.get?.['x-outpost-role']],
      ['admin', 'superuser', 'viewer'],
    );
    assert.deepEqual(doc.body.paths['/api/v1/tenants']?.post?.tags, ['tenants']);
  });
});

describe('federations select only their own tenant\'s gateways', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  it('offers go to the federation tenant\'s connected gateways, never another tenant\'s', async () => {
    const sent: string[] = [];
    const candidates = [
      { gatewayId: 'gw-a1', powerMode: 'performance' as const, tenantId: 'a' },
      { gatewayId: 'gw-b1', powerMode: 'performance' as const, tenantId: 'b' },
      { gatewayId: 'gw-d1', powerMode: 'performance' as const },
    ];
    const coordinator = createFederationCoordinator({
      store: t.hub.federation.store,
      transport: { connected: () => candidates, send: (gatewayId) => (sent.push(gatewayId), false) },
      heldOut: { get: () => null },
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    try {
      const fed = coordinator.create({ profile: 'temperature', rounds: 1, minClients: 1, phaseTimeoutMs: 200, retryDelayMs: 0 }, 'a');
      assert.equal(fed.tenantId, 'a');
      for (let i = 0; i < 100 && coordinator.get(fed.id).rounds.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const round = coordinator.get(fed.id).rounds[0]!;
      assert.equal(round.summary.candidates, 1, 'one candidate: tenant a has one connected gateway');
      assert.ok(sent.length > 0, 'the round offered to someone');
      assert.deepEqual([...new Set(sent)], ['gw-a1']);
      assert.throws(() => coordinator.get(fed.id, 'b'), /no such federation/);
      assert.deepEqual(coordinator.list('b'), []);
    } finally {
      await coordinator.close();
    }
  });
});
