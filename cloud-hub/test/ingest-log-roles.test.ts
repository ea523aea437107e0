import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type HubConfig, loadHubConfig } from '../src/index.js';
import { type RunningRole, startHubRole } from '../src/ingest-log/hub-roles.js';
import { TEST_BROKERS, dropTopics, requireBroker, silent, waitFor } from './ingest-log-helpers.js';
import { TestStream, enroll, expectedCounts, mixedRecords, newClient } from './helpers/index.js';

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

before(requireBroker);

for (const client of ['kafkajs', 'platformatic'] as const) {
  describe(`hub roles over Kafka (${client}): ingest acks once logged, workers apply`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-roles-'));
    const topic = `outpost-test-${randomUUID()}`;
    let config: HubConfig;
    let ingest: RunningRole;
    let worker: RunningRole | undefined;
    before(async () => {
      config = loadHubConfig({
        env: {},
        overrides: {
          dataDir,
          log: { level: 'silent' },
          sync: { host: '127.0.0.1', port: 0 },
          http: { host: '127.0.0.1', port: 0 },
          ingestLog: { kind: 'kafka', brokers: TEST_BROKERS.join(','), topic, partitions: 3, client, groupId: `workers-${randomUUID()}` },
        },
      });
      ingest = await startHubRole(config, 'ingest', { logger: silent });
    });
    after(async () => {
      await worker?.close();
      await ingest?.close();
      await dropTopics([topic]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('counts at the hub equal counts sent, across a worker restart and a reconnect', async () => {
      const grpc = newClient(ingest.addresses!.grpcPort);
      const { token } = ingest.hub!.store.enrollment.createToken(60_000, Date.now());
      const { gatewayId, credential } = await enroll(grpc, token);
      const applied = () => ingest.hub!.store.sync.ackedSeq(gatewayId);
      worker = await startHubRole(config, 'worker', { logger: silent });

      const stream = new TestStream(grpc, credential);
      assert.equal((await stream.welcome()).ackedSeq, 0);
      for (let from = 1; from <= 100; from += 25) stream.batch(mixedRecords(from, from + 24));
      await stream.next((m) => m.body === 'ack' && m.ack!.ackedSeq === 100);
      await waitFor('the worker to apply 100', () => applied() === 100);

      // The worker stops; the ingest still acks, because the log holds the batches.
      await worker.close();
      worker = undefined;
      assert.equal(await stream.send(mixedRecords(101, 150)), 150);
      assert.equal(applied(), 100, 'nothing applies them while no worker runs');
      await stream.end();

      // A new stream waits for the workers before its Welcome, so the hub never reports less than it acked.
      worker = await startHubRole(config, 'worker', { logger: silent });
      const resumed = new TestStream(grpc, credential);
      assert.equal((await resumed.welcome()).ackedSeq, 150);
      // An overlapping resend: only 151–200 are new; the ingest drops the rest before logging.
      assert.equal(await resumed.send(mixedRecords(120, 200)), 200);
      await waitFor('the worker to apply 200', () => applied() === 200);
      await resumed.end();
      grpc.close();

      const counts = ingest.hub!.store.sync.counts(gatewayId);
      assert.deepEqual(nonZero(counts.records), expectedCounts(200));
      assert.deepEqual(nonZero(counts.rows), expectedCounts(200), 'every record wrote one row');
      assert.equal(counts.quarantined, 0);
    });
  });
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `outpost-hub start --role worker` as a child process; resolves once it says it is ready. */
async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OUTPOST_HUB_')));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(repoRoot, 'cloud-hub', 'src', 'main.ts'), 'start', '--role', 'worker'], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout!.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 30 s: ${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      if (stderr.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('hub roles: a worker killed with SIGKILL mid-apply', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-roles-'));
  const topic = `outpost-test-${randomUUID()}`;
  const groupId = `workers-${randomUUID()}`;
  const env = {
    OUTPOST_HUB_DATA_DIR: dataDir,
    OUTPOST_HUB_LOG_LEVEL: 'warn',
    OUTPOST_HUB_INGEST_LOG_KIND: 'kafka',
    OUTPOST_HUB_INGEST_LOG_BROKERS: TEST_BROKERS.join(','),
    OUTPOST_HUB_INGEST_LOG_TOPIC: topic,
    OUTPOST_HUB_INGEST_LOG_PARTITIONS: '2',
    OUTPOST_HUB_INGEST_LOG_GROUP_ID: groupId,
  };
  let ingest: RunningRole | undefined;
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await ingest?.close();
    await dropTopics([topic]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing and applies nothing twice: counts at the hub equal counts sent', async (t) => {
    const config = loadHubConfig({ env, overrides: { log: { level: 'silent' }, sync: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } } });
    ingest = await startHubRole(config, 'ingest', { logger: silent });
    const grpc = newClient(ingest.addresses!.grpcPort);
    const { token } = ingest.hub!.store.enrollment.createToken(60_000, Date.now());
    const { gatewayId, credential } = await enroll(grpc, token);
    const applied = () => ingest!.hub!.store.sync.ackedSeq(gatewayId);
    const first = await startWorkerProcess(env);
    children.push(first);

    const stream = new TestStream(grpc, credential);
    await stream.welcome();
    // 3000 records in 150 pipelined batches: the log has them all once the last ack is in.
    for (let from = 1; from <= 3000; from += 20) stream.batch(mixedRecords(from, from + 19));
    await stream.next((m) => m.body === 'ack' && m.ack!.ackedSeq === 3000, 30_000);
    await waitFor('the worker to be mid-way', () => applied() > 0, 30_000);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const atKill = applied();
    t.diagnostic(`first worker killed at applied seq ${atKill} of 3000`);

    const second = await startWorkerProcess(env);
    children.push(second);
    await waitFor('the second worker to apply the rest', () => applied() === 3000, 30_000);
    second.kill('SIGTERM');
    await once(second, 'exit');
    await stream.end();
    grpc.close();

    const counts = ingest.hub!.store.sync.counts(gatewayId);
    assert.deepEqual(nonZero(counts.records), expectedCounts(3000), `killed at applied seq ${atKill}`);
    assert.deepEqual(nonZero(counts.rows), expectedCounts(3000), 'every record wrote one row');
  });
});

describe('hub roles: configuration', () => {
  it('ingest and worker need the Kafka log', async () => {
    const config = loadHubConfig({ env: {}, overrides: { dataDir: mkdtempSync(join(tmpdir(), 'outpost-hub-roles-')) } });
    await assert.rejects(startHubRole(config, 'ingest', { logger: silent }), { code: 'HUB_ERR_CONFIG' });
    await assert.rejects(startHubRole(config, 'worker', { logger: silent }), { code: 'HUB_ERR_CONFIG' });
    rmSync(config.dataDir, { recursive: true, force: true });
  });
});
