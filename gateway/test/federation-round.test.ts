import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { DATA_CLASSES, PROTO_ROOT, SYNC_PROTO_PATH, deviceTopics, encodeMessage, flPhaseReplySchemas, rawReadingPayloadSchema } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { waitFor } from './helpers/sync-fixture.js';
import { connectDevice, startTestGateway } from './helpers/test-gateway.js';

const scratch = mkdtempSync(join(tmpdir(), 'outpost-fl-e2e-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A loopback TCP relay that keeps every byte the gateway sends to the hub, per connection. */
class RecordingRelay {
  readonly upstreamBytes: Buffer[][] = [];
  readonly #sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<RecordingRelay> {
    const holder: { relay?: RecordingRelay } = {};
    const server = createServer((socket) => holder.relay!.#accept(socket));
    holder.relay = new RecordingRelay(server, target);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return holder.relay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  #accept(client: Socket): void {
    const chunks: Buffer[] = [];
    this.upstreamBytes.push(chunks);
    const upstream = createConnection({ host: '127.0.0.1', port: this.target });
    for (const s of [client, upstream]) this.#sockets.add(s);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  close(): void {
    for (const s of this.#sockets) s.destroy();
    this.server.close();
  }
}

/**
 * The gRPC messages of the client → server direction of one HTTP/2 connection, per HTTP/2 stream: DATA
 * frames concatenated and cut into length-prefixed gRPC messages, decompressed.
 */
function grpcMessages(bytes: Buffer): Buffer[][] {
  const preface = 24;
  const streams = new Map<number, Buffer[]>();
  let at = preface;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    const type = bytes[at + 3]!;
    const flags = bytes[at + 4]!;
    const streamId = bytes.readUInt32BE(at + 5) & 0x7fffffff;
    let payload = bytes.subarray(at + 9, at + 9 + length);
    at += 9 + length;
    if (type !== 0) continue;
    if (flags & 0x8) payload = payload.subarray(1, payload.length - payload[0]!);
    streams.set(streamId, [...(streams.get(streamId) ?? []), payload]);
  }
  return [...streams.values()].map((parts) => {
    const data = Buffer.concat(parts);
    const messages: Buffer[] = [];
    let p = 0;
    while (p + 5 <= data.length) {
      const len = data.readUInt32BE(p + 1);
      const message = data.subarray(p + 5, p + 5 + len);
      // The gateway compresses its messages (gzip); the flag byte says which ones.
      messages.push(data[p] === 1 ? gunzipSync(message) : message);
      p += 5 + len;
    }
    return messages;
  });
}

interface FederationView {
  status: string;
  rounds: { round: number; status: string; reason: string | null; summary: { selected: number; completed: number; aggregateNorm: number | null } }[];
}

function publish(client: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}

describe('federated learning through a real gateway and edge-runtime', () => {
  it('the trainer takes part in a round end to end, and nothing the gateway sends the hub is a raw reading', async () => {
    const hubDir = join(scratch, 'hub');
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const relay = await RecordingRelay.start(hub.grpcPort);
    const env = { OUTPOST_RT_POWER_SOURCE: 'fixed', OUTPOST_RT_POWER_FIXED_SOURCE: 'ac', OUTPOST_RT_TRAINING_TAGS: 'site-a,e2e' };
    Object.assign(process.env, env);
    const gw = await startTestGateway({
      runtime: { enabled: true },
      limits: { deviceMsgsPerSec: 10_000, deviceBurst: 10_000 },
      sync: { hubUrl: `127.0.0.1:${relay.port}`, enrollmentToken: token, backoffBaseMs: 100, backoffMaxMs: 1000 },
    });
    for (const key of Object.keys(env)) delete process.env[key];
    try {
      await waitFor('edge-runtime connected', async () => ((await gw.api<{ feed: { runtimeConnected: boolean } }>('/api/v1/runtime')).body.feed.runtimeConnected ? true : undefined), 60_000);
      const secrets = await gw.provision('temp-1', 'temp-2');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const t0 = Date.now() - 86_400_000;
      const readings = 160;
      for (const id of ['temp-1', 'temp-2']) {
        const device = await connectDevice(url, id, secrets[id]!);
        for (let seq = 0; seq < readings; seq++) {
          const temperature = 20 + 2 * Math.sin(seq / 12) + (id === 'temp-2' ? 1 : 0);
          await publish(device, deviceTopics.telemetry(id), encodeMessage('telemetry', { v: 1, seq, ts: t0 + seq * 60_000, metrics: { temperature } }));
        }
        // An event goes to the outbox at once (summaries wait for their minute to close).
        await publish(device, deviceTopics.events(id), encodeMessage('event', { v: 1, ts: t0 + readings * 60_000, type: 'door_open', severity: 'info' }));
        await device.endAsync();
      }
      await waitFor('readings fed to edge-runtime', async () => ((await gw.api<{ feed: { sent: number } }>('/api/v1/runtime')).body.feed.sent >= 2 * readings ? true : undefined), 30_000);
      await waitFor('the gateway connected to the hub in performance mode', async () => {
        const { body } = await hub.api<{ gateways: { connected: boolean; powerMode: string | null }[] }>('/api/v1/gateways');
        return body.gateways.some((g) => g.connected && g.powerMode === 'performance') ? true : undefined;
      }, 30_000);

      const created = await hub.api<{ id: string }>('/api/v1/federations', {
        method: 'POST',
        body: JSON.stringify({ profile: 'temperature', rounds: 1, minClients: 1, minSamples: 32, phaseTimeoutMs: 60_000, tags: ['site-a'], training: { epochs: 1, batchSize: 32 }, dp: { clipNorm: 1, noiseMultiplier: 0.5 } }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const done = await waitFor(
        'the round',
        async () => {
          const { body } = await hub.api<FederationView>(`/api/v1/federations/${created.body.id}`);
          return body.status !== 'running' ? body : undefined;
        },
        120_000,
      );
      await waitFor('the events acknowledged by the hub', async () => ((await gw.api<{ ackedSeq: number }>('/api/v1/sync')).body.ackedSeq >= 2 ? true : undefined), 30_000);
      const [round] = done.rounds;
      assert.equal(round!.status, 'completed', round!.reason ?? '');
      assert.equal(round!.summary.selected, 1);
      assert.equal(round!.summary.completed, 1);
      assert.ok(round!.summary.aggregateNorm! > 0, 'the gateway sent a non-zero update');

      // What the hub received: every message of every connection the gateway opened to it.
      const definition = protoLoader.loadSync(SYNC_PROTO_PATH, { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] });
      const decode = (definition['outpost.sync.v1.Sync'] as unknown as { Stream: { requestDeserialize: (b: Buffer) => Record<string, unknown> } }).Stream.requestDeserialize;
      // Sync streams open with Hello; the other calls (Enroll) are not GatewayMessages.
      const isSyncStream = (first: Buffer | undefined) => {
        try {
          return first !== undefined && decode(first).body === 'hello';
        } catch {
          return false;
        }
      };
      const streams = relay.upstreamBytes.flatMap((chunks) => grpcMessages(Buffer.concat(chunks))).filter((m) => isSyncStream(m[0]));
      assert.ok(streams.length >= 1, 'at least one sync stream recorded');
      const messages = streams.flat().map(decode);
      const records = messages.flatMap((m) => (m.body === 'batch' ? (m.batch as { records: { dataClass: number; payload: Buffer }[] }).records : []));
      const replies = messages.filter((m) => m.body === 'flReply').map((m) => m.flReply as { phase: 'offer' | 'train'; body: Buffer; errorCode: string });
      assert.ok(records.length > 0, 'the gateway synced records during the test');
      assert.equal(records.filter((r) => r.dataClass === DATA_CLASSES.rawReading.proto).length, 0, 'no record of class rawReading');
      for (const r of records) assert.equal(rawReadingPayloadSchema.safeParse(JSON.parse(r.payload.toString('utf8'))).success, false, 'no record payload is a reading');
      assert.deepEqual(replies.map((r) => [r.phase, r.errorCode]), [['offer', ''], ['train', '']]);
      const offer = flPhaseReplySchemas.offer.parse(JSON.parse(replies[0]!.body.toString('utf8')));
      assert.ok(offer.samples >= 32, `the trainer reported ${offer.samples} windows`);
      assert.deepEqual(offer.tags, ['site-a', 'e2e']);
      // Strict schemas: a reply carries exactly the update, its weight and the loss, nothing else.
      const train = flPhaseReplySchemas.train.parse(JSON.parse(replies[1]!.body.toString('utf8')));
      assert.equal(train.samples, offer.samples);
    } finally {
      await gw.close();
      relay.close();
      await hub.stop();
    }
  });
});
