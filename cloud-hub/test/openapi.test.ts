import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; tags?: string[]; security?: unknown[]; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
  security: Record<string, string[]>[];
}

/** fastify's `/a/:id` is OpenAPI's `/a/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document generated from the route schemas', () => {
  let t: TestHub;
  let doc: OpenApiDoc;
  before(async () => {
    t = await startTestHub();
    const res = await t.api<OpenApiDoc>('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(() => t.close());

  it('lists every registered route that is not hidden, each with a summary, a tag and a 2xx response schema', () => {
    const routes = t.hub.http.outpostRoutes.filter((r) => !r.hidden && r.method !== 'HEAD');
    assert.ok(routes.length >= 20, `routes: ${routes.length}`);
    for (const route of routes) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      assert.ok(op, `${route.method} ${route.url} is in the document`);
      assert.ok(op.summary && op.tags?.length, `${route.method} ${route.url} has a summary and a tag`);
      if (route.url !== '/metrics' && route.url !== '/api/v1/openapi.json') {
        assert.ok(Object.keys(op.responses ?? {}).some((code) => code.startsWith('2')), `${route.method} ${route.url} documents its answer`);
      }
    }
    assert.ok(doc.paths['/api/v1/gateways/{id}/devices']?.get, 'the devices route with battery forecasts');
    assert.ok(doc.paths['/api/v1/alerts']?.get, 'the fleet-wide alerts route');
  });

  it('declares the bearer token (and the console cookie) as security schemes; probes need neither', () => {
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { ...doc.components.securitySchemes.bearerAuth, type: 'http', scheme: 'bearer' });
    assert.equal(doc.components.securitySchemes.consoleSession?.type, 'apiKey');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }, { consoleSession: [] }]);
    assert.deepEqual(doc.paths['/healthz']!.get!.security, []);
  });

  it('needs authentication; the docs page is served to an authenticated caller and sends a browser without one to the console', async () => {
    const base = `http://127.0.0.1:${t.addresses.httpPort}`;
    assert.equal((await fetch(`${base}/api/v1/openapi.json`)).status, 401);
    const html = await fetch(`${base}/api/docs/`, { headers: { authorization: `Bearer ${t.hub.apiToken.value}` } });
    assert.equal(html.status, 200);
    assert.match(await html.text(), /swagger-ui/i);
    const anonymous = await fetch(`${base}/api/docs/`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/console/#/login');
  });

  it('response schemas keep every field the API returned before (the gateway record is not filtered)', async () => {
    const { gatewayId } = await t.enrollGateway('schema-gw');
    const one = (await t.api<Record<string, unknown>>(`/api/v1/gateways/${gatewayId}`)).body;
    assert.deepEqual(Object.keys(one).sort(), [
      'ackedSeq', 'backlogOldestMs', 'backlogRecords', 'batches', 'clockTrusted', 'connected', 'duplicatesSkipped', 'enrolledAt', 'id', 'lastSeenAt', 'name',
      'powerMode', 'powerReportedAt', 'powerSimulated', 'powerSinceMs', 'protocolVersion', 'quarantined', 'revokedAt', 'softwareVersion', 'tenantId',
    ]);
    assert.deepEqual(one, t.hub.store.fleet.get(gatewayId) && { ...t.hub.store.fleet.get(gatewayId), connected: false });
  });
});
