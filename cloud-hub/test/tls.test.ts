import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { TestStream, enroll, mixedRecords, newClient } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

describe('sync over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-hub-tls-'));
  let t: TestHub;
  before(async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    t = await startTestHub({ sync: { tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls and streams over TLS with the hub certificate as the trust root; plaintext gets nowhere', async () => {
    const token = (await t.api<{ token: string }>('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).body.token;
    const plain = newClient(t.addresses.grpcPort);
    await assert.rejects(enroll(plain, token), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
    plain.close();

    const tls = newClient(t.addresses.grpcPort, {}, grpc.credentials.createSsl(readFileSync(join(dir, 'cert.pem'))));
    try {
      const { credential } = await enroll(tls, token);
      const stream = new TestStream(tls, credential);
      await stream.welcome();
      assert.equal(await stream.send(mixedRecords(1, 10)), 10);
      await stream.end();
    } finally {
      tls.close();
    }
  });
});
