import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { TestStream, enroll, mixedRecords } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

/** The rejection of a promise, or a failure when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; details: string };
  }
  assert.fail('expected a refusal');
}

describe('enrollment and stream authentication', () => {
  let t: TestHub;
  let clock = Date.now();
  before(async () => {
    t = await startTestHub({}, { now: () => clock });
  });
  after(() => t.close());

  it('trades a token for a credential once; reuse and expiry are refused with E_ENROLL_TOKEN', async () => {
    const created = await t.api<{ token: string; expiresAt: number }>('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlMs: 60_000 } });
    assert.equal(created.status, 201);
    assert.equal(created.body.expiresAt, clock + 60_000);
    const enrolled = await enroll(t.client, created.body.token, 'pump-house');
    assert.match(enrolled.gatewayId, /^gw-[0-9a-f]{16}$/);
    assert.ok(enrolled.credential.startsWith(`${enrolled.gatewayId}.`));
    assert.equal(enrolled.hubId, t.hub.store.hubId);

    const reused = await rejection(enroll(t.client, created.body.token));
    assert.equal(reused.code, status.PERMISSION_DENIED);
    assert.match(reused.details, /^E_ENROLL_TOKEN/);

    const short = await t.api<{ token: string }>('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlMs: 1000 } });
    clock += 1001;
    const expired = await rejection(enroll(t.client, short.body.token));
    assert.equal(expired.code, status.PERMISSION_DENIED);
    assert.match(expired.details, /^E_ENROLL_TOKEN/);

    const unknown = await rejection(enroll(t.client, 'oet_nonsense'));
    assert.match(unknown.details, /^E_ENROLL_TOKEN/);

    const gateway = await t.api<{ name: string; ackedSeq: number; revokedAt: null }>(`/api/v1/gateways/${enrolled.gatewayId}`);
    assert.equal(gateway.body.name, 'pump-house');
    assert.equal(gateway.body.ackedSeq, 0);
  });

  it('refuses a stream without a credential, or with a wrong one, with E_SYNC_UNAUTHENTICATED', async () => {
    const { gatewayId } = await t.enrollGateway();
    for (const credential of [null, 'garbage', `${gatewayId}.not-the-right-secret-at-all`]) {
      const stream = new TestStream(t.client, credential);
      stream.hello();
      const ended = await stream.ended;
      assert.equal(ended.code, status.UNAUTHENTICATED, String(credential));
      assert.match(ended.details, /^E_SYNC_UNAUTHENTICATED/);
      assert.equal(stream.received.length, 0, 'nothing is sent to an unauthenticated stream');
    }
  });

  it('revoking a gateway closes its live stream with E_SYNC_REVOKED and refuses new ones', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    assert.equal(await stream.send(mixedRecords(1, 5)), 5);
    const listed = await t.api<{ gateways: { id: string; connected: boolean }[] }>('/api/v1/gateways');
    assert.equal(listed.body.gateways.find((g) => g.id === gatewayId)?.connected, true);

    const revoked = await t.api<{ revokedAt: number; connected: boolean }>(`/api/v1/gateways/${gatewayId}/revoke`, { method: 'POST' });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.revokedAt, clock);
    const ended = await stream.ended;
    assert.equal(ended.code, status.PERMISSION_DENIED);
    assert.match(ended.details, /^E_SYNC_REVOKED/);

    const again = new TestStream(t.client, credential);
    again.hello();
    const refused = await again.ended;
    assert.equal(refused.code, status.PERMISSION_DENIED);
    assert.match(refused.details, /^E_SYNC_REVOKED/);
    const after = await t.api<{ connected: boolean }>(`/api/v1/gateways/${gatewayId}`);
    assert.equal(after.body.connected, false);
  });

  it('a gateway revoked through the store by another process loses its stream too (CLI path)', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    // What `outpost-hub gateways revoke` does: write the revocation to the shared store, nothing else.
    t.hub.store.fleet.revoke(gatewayId, Date.now());
    const ended = await stream.ended;
    assert.equal(ended.code, status.PERMISSION_DENIED);
    assert.match(ended.details, /^E_SYNC_REVOKED/);
  });

  it('a new stream of the same gateway replaces the old one', async () => {
    const { credential } = await t.enrollGateway();
    const first = new TestStream(t.client, credential);
    await first.welcome();
    const second = new TestStream(t.client, credential);
    await second.welcome();
    const ended = await first.ended;
    assert.equal(ended.code, status.ABORTED);
    assert.match(ended.details, /replaced/);
    assert.equal(await second.send(mixedRecords(1, 3)), 3);
    await second.end();
  });

  it('Hello must come first and speak protocol version 1', async () => {
    const { credential } = await t.enrollGateway();
    const noHello = new TestStream(t.client, credential);
    noHello.batch(mixedRecords(1, 2));
    const ended = await noHello.ended;
    assert.equal(ended.code, status.INVALID_ARGUMENT);

    const future = new TestStream(t.client, credential);
    future.hello({ protocolVersion: 2 });
    const error = await future.next((m) => m.body === 'error');
    assert.equal(error.error!.code, 'E_SYNC_PROTOCOL_VERSION');
    const refused = await future.ended;
    assert.equal(refused.code, status.FAILED_PRECONDITION);
    assert.match(refused.details, /^E_SYNC_PROTOCOL_VERSION/);
    assert.equal(future.received.filter((m) => m.body === 'welcome').length, 0);
  });

  it('the admin API wants its bearer token, except for health probes', async () => {
    const res = await fetch(`http://127.0.0.1:${t.addresses.httpPort}/api/v1/gateways`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { code: string; retryable: boolean } };
    assert.equal(body.error.code, 'HUB_ERR_UNAUTHORIZED');
    assert.equal((await fetch(`http://127.0.0.1:${t.addresses.httpPort}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${t.addresses.httpPort}/readyz`)).status, 200);
    const missing = await t.api<{ error: { code: string } }>('/api/v1/gateways/gw-0000000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'HUB_ERR_GATEWAY_NOT_FOUND');
  });
});
