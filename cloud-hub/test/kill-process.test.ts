import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { TestStream, enroll, expectedCounts, mixedRecords, newClient } from './helpers/index.js';
import { runHubCli, startHubProcess } from './helpers/hub-process.js';

const BATCH = 250;
const WINDOW = 4;
const KILL_AFTER_ACKED = 3000;
const TOTAL = 6000;

describe('acked means durable (hub as a child process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-kill-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('SIGKILL mid-stream: after restart the hub resumes at its last ack, nothing acked is lost, nothing is applied twice', async () => {
    // Tokens work with the hub stopped: the CLI writes the same store.
    const { token } = JSON.parse((await runHubCli(['tokens', 'create', '--ttl', '10m', '--json', '--data-dir', dataDir])).stdout) as { token: string };
    const first = await startHubProcess(dataDir);
    let client = newClient(first.grpcPort);
    const { gatewayId, credential } = await enroll(client, token, 'kill-test');

    // Pump batches with a window of unacked ones and remember the highest ack; kill once enough is acked.
    const stream = new TestStream(client, credential);
    assert.equal((await stream.welcome()).ackedSeq, 0);
    let sent = 0;
    let acked = 0;
    let killed = false;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (!killed && sent < TOTAL && sent - acked < WINDOW * BATCH) {
          stream.batch(mixedRecords(sent + 1, sent + BATCH));
          sent += BATCH;
        }
      };
      stream.call.on('data', (m: { body: string; ack?: { ackedSeq: number } }) => {
        if (m.body !== 'ack') return;
        acked = Math.max(acked, m.ack!.ackedSeq);
        if (acked >= KILL_AFTER_ACKED && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
          resolve();
        }
        pump();
      });
      pump();
    });
    assert.equal(await first.exited, null, 'the hub died by signal');
    await stream.ended;
    client.close();
    assert.ok(sent > acked, `batches were in flight at the kill (sent ${sent}, acked ${acked})`);

    const second = await startHubProcess(dataDir);
    try {
      client = newClient(second.grpcPort);
      const resumed = new TestStream(client, credential);
      const welcome = await resumed.welcome();
      assert.ok(welcome.ackedSeq >= acked, `Welcome.acked_seq ${welcome.ackedSeq} covers every ack the client saw (${acked})`);
      assert.ok(welcome.ackedSeq <= sent);
      for (let from = welcome.ackedSeq + 1; from <= TOTAL; from += BATCH) {
        assert.equal(await resumed.send(mixedRecords(from, Math.min(TOTAL, from + BATCH - 1))), Math.min(TOTAL, from + BATCH - 1));
      }
      await resumed.end();

      const apiToken = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
      const res = await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/gateways/${gatewayId}/counts`, { headers: { authorization: `Bearer ${apiToken}` } });
      const counts = (await res.json()) as { appliedSeq: number; duplicatesSkipped: number; records: Record<string, number>; rows: Record<string, number> };
      assert.equal(counts.appliedSeq, TOTAL);
      assert.equal(counts.duplicatesSkipped, 0, 'resuming from Welcome resends nothing');
      const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
      assert.deepEqual(nonZero(counts.records), expectedCounts(TOTAL), 'each seq applied exactly once');
      assert.deepEqual(nonZero(counts.rows), expectedCounts(TOTAL), 'and wrote exactly one row');

      // The CLI reads the same registry while the hub runs.
      const listed = JSON.parse((await runHubCli(['gateways', 'list', '--json', '--data-dir', dataDir])).stdout) as { id: string; ackedSeq: number }[];
      assert.deepEqual(listed.map((g) => [g.id, g.ackedSeq]), [[gatewayId, TOTAL]]);

      // `gateways revoke` from another process ends the live stream of the running hub.
      const live = new TestStream(client, credential);
      await live.welcome();
      const revoked = await runHubCli(['gateways', 'revoke', gatewayId, '--data-dir', dataDir]);
      assert.match(revoked.stdout, new RegExp(`^${gatewayId} revoked at `));
      const ended = await live.ended;
      assert.equal(ended.code, status.PERMISSION_DENIED);
      assert.match(ended.details, /^E_SYNC_REVOKED/);
      client.close();
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, 'SIGTERM stops the hub cleanly');
    }
  });
});
