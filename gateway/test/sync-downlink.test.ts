import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeMessage, deviceTopics, encodeMessage } from '@outpost/protocols';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { type SyncView, countsAgree, publishReadings, raiseAlerts, waitFor, waitForDrain } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { collect, connectDevice, startTestGateway } from './helpers/test-gateway.js';

describe('hub → gateway → device, and revocation', () => {
  const hubDir = mkdtempSync(join(tmpdir(), 'outpost-hub-'));
  after(() => rmSync(hubDir, { recursive: true, force: true }));

  it('desired state reaches the device retained, a command is delivered once and its result flows back; a revoked gateway keeps its outbox', async () => {
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const gw = await startTestGateway({ sync: { hubUrl: `127.0.0.1:${hub.grpcPort}`, enrollmentToken: token, backoffBaseMs: 100, backoffMaxMs: 1000 } });
    try {
      const secrets = await gw.provision('dev-0');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const { gatewayId } = await waitForDrain(gw.api, 30_000);
      const base = `/api/v1/gateways/${gatewayId}/devices/dev-0`;

      const device = await connectDevice(url, 'dev-0', secrets['dev-0']!);
      await device.subscribeAsync([deviceTopics.config('dev-0'), deviceTopics.commands('dev-0')], { qos: 1 });
      const configs = collect(device, deviceTopics.config('dev-0'), 1, 15_000);
      const put = await hub.api(`${base}/shadow/desired`, { method: 'PUT', body: JSON.stringify({ reporting: { intervalMs: 5000 } }) });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const [config] = await configs;
      assert.ok(config, 'the device got its desired config');
      const decoded = decodeMessage('deviceConfig', config).message;
      assert.equal(decoded.configVersion, 1);
      assert.equal(decoded.reporting?.intervalMs, 5000);

      const commands = collect(device, deviceTopics.commands('dev-0'), 2, 5000);
      const created = await hub.api<{ commandId: string }>(`${base}/commands`, { method: 'POST', body: JSON.stringify({ name: 'reboot', args: { delayMs: 10 } }) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const received = (await commands).map((p) => decodeMessage('command', p).message);
      assert.equal(received.length, 1, 'delivered once');
      assert.equal(received[0]!.commandId, created.body.commandId);
      const status = (id: string) => hub.api<{ status: string }>(`${base}/commands/${id}`).then((r) => r.body.status);
      await waitFor('the hub to hear "delivered"', async () => (await status(created.body.commandId)) === 'delivered', 10_000);
      await device.publishAsync(deviceTopics.commandResults('dev-0'), encodeMessage('commandResult', { v: 1, commandId: created.body.commandId, status: 'ok', result: { rebooted: true } }), { qos: 1 });
      await waitFor('the device result to reach the hub', async () => (await status(created.body.commandId)) === 'ok', 15_000);
      await device.endAsync();

      // Revoked: the gateway stops syncing, says why, and keeps what it has not sent.
      const revoked = await hub.api(`/api/v1/gateways/${gatewayId}/revoke`, { method: 'POST' });
      assert.equal(revoked.status, 200);
      const view = await waitFor(
        'the gateway to notice the revocation',
        async () => {
          const v = (await gw.api<SyncView>('/api/v1/sync')).body;
          return v.state !== 'streaming' && v.lastError?.code === 'E_SYNC_REVOKED' ? v : undefined;
        },
        15_000,
      );
      assert.equal(view.state, 'backoff');
      await raiseAlerts(url, gw.gateway.internalSecret, 'after-revoke', 3);
      const kept = (await gw.api<SyncView>('/api/v1/sync')).body;
      assert.equal(kept.classes.alert!.records, 3);
    } finally {
      await gw.close();
      await hub.stop();
    }
  });
});

describe('batch size against the hub limit', () => {
  const hubDir = mkdtempSync(join(tmpdir(), 'outpost-hub-'));
  after(() => rmSync(hubDir, { recursive: true, force: true }));

  it('batches the hub refuses as too large are halved until they fit; the drain completes exactly once', async () => {
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir, { env: { OUTPOST_HUB_SYNC_MAX_BATCH_BYTES: String(64 * 1024) } });
    const proxy = await TcpProxy.start(null); // a backlog first, so the first batches are big
    const gw = await startTestGateway({
      sync: { hubUrl: `127.0.0.1:${proxy.port}`, enrollmentToken: token, rawReadings: true, batchMinRecords: 2000, batchMaxRecords: 5000, backoffBaseMs: 100, backoffMaxMs: 1000 },
      limits: { deviceMsgsPerSec: 1_000_000, deviceBurst: 1_000_000 },
    });
    try {
      const secrets = await gw.provision('dev-0', 'dev-1');
      await publishReadings(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, secrets, 5000);
      proxy.setTarget(hub.grpcPort);
      const { view, counts } = await countsAgree(gw.api, hub.api, 120_000);
      assert.equal(counts.records.rawReading, 10_000);
      assert.equal(view.sequenced.rawReading, 10_000);
      const status = (await gw.api<{ batchRecords: number; sessions: number; lastError: { code: string | null; message: string } | null }>('/api/v1/sync')).body;
      assert.ok(status.batchRecords < 2000, `the batch size came down (${status.batchRecords})`);
      assert.ok(status.sessions >= 2, 'a refused batch ended a stream and the gateway reconnected');
      assert.ok(status.sessions <= 10, `the size converged instead of oscillating (${status.sessions} sessions)`);
    } finally {
      await gw.close();
      await hub.stop();
      await proxy.close();
    }
  });
});
