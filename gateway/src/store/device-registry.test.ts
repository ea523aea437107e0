import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Db, migrate, openDatabase, storeFile } from './database.js';
import { DeviceRegistry } from './device-registry.js';
import { verifySecret } from './secret-hash.js';

// The lowest cost the config accepts: the same code path as production, fast enough for tests.
const SCRYPT_COST = 1024;

const root = mkdtempSync(join(tmpdir(), 'outpost-registry-'));
after(() => rmSync(root, { recursive: true, force: true }));

let storeCount = 0;
function newRegistry(): { db: Db; dir: string; file: string; registry: DeviceRegistry } {
  const dir = join(root, `store-${++storeCount}`);
  const file = storeFile(dir);
  const db = openDatabase(file, { synchronous: 'full' });
  migrate(db);
  return { db, dir, file, registry: new DeviceRegistry(db, { scryptCost: SCRYPT_COST }) };
}

/** Every byte the store has on disk: the database, its write-ahead log and shared memory file. */
function storeBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
}

describe('DeviceRegistry', () => {
  test('add returns each secret once and stores only a salted scrypt hash', async () => {
    const { db, dir, registry } = newRegistry();
    const created = await registry.add(['pump-1', 'pump-2']);
    assert.deepEqual(
      created.map((d) => d.id),
      ['pump-1', 'pump-2'],
    );
    const [one, two] = created.map((d) => d.secret) as [string, string];
    assert.match(one, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(one, two);

    const hash = registry.credentials('pump-1')!.secretHash;
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.notEqual(hash.split('$')[4], registry.credentials('pump-2')!.secretHash.split('$')[4], 'each hash has its own salt');

    const shown = JSON.stringify([registry.list(), registry.get('pump-1')]);
    assert.ok(!shown.includes(one) && !shown.includes('scrypt$'), 'records carry neither the secret nor its hash');

    const assertNoSecret = (bytes: Buffer) => {
      assert.notEqual(bytes.indexOf('pump-1'), -1, 'test sanity: the device rows are in these bytes');
      for (const secret of [one, two]) assert.equal(bytes.indexOf(secret), -1, 'the secret is nowhere in the store files');
    };
    assertNoSecret(storeBytes(dir)); // open: the rows sit in the write-ahead log
    db.close();
    assertNoSecret(storeBytes(dir)); // closed: checkpointed into the database file
  });

  test('verifySecret accepts the device secret and refuses anything else', async () => {
    const { db, registry } = newRegistry();
    const [a, b] = await registry.add(['sensor-a', 'sensor-b']);
    const hashA = registry.credentials('sensor-a')!.secretHash;
    assert.equal(await verifySecret(a!.secret, hashA), true);
    assert.equal(await verifySecret(b!.secret, hashA), false, "another device's secret");
    assert.equal(await verifySecret(`${a!.secret}x`, hashA), false);
    assert.equal(await verifySecret('', hashA), false);
    const parts = hashA.split('$');
    parts[5] = Buffer.alloc(32).toString('base64url');
    assert.equal(await verifySecret(a!.secret, parts.join('$')), false, 'a tampered hash');
    assert.equal(await verifySecret(a!.secret, 'plain-text'), false, 'not a hash at all');
    db.close();
  });

  test('a duplicate id is refused with GW_ERR_DEVICE_EXISTS and nothing is added', async () => {
    const { db, registry } = newRegistry();
    await registry.add(['gate-1']);
    const version = registry.version();
    await assert.rejects(registry.add(['gate-1']), { code: 'GW_ERR_DEVICE_EXISTS' });
    await assert.rejects(registry.add(['gate-2', 'gate-1']), { code: 'GW_ERR_DEVICE_EXISTS' });
    await assert.rejects(registry.add(['gate-3', 'gate-3']), { code: 'GW_ERR_DEVICE_EXISTS' });
    assert.deepEqual(
      registry.list().map((d) => d.id),
      ['gate-1'],
    );
    assert.equal(registry.version(), version);
    db.close();
  });

  test('an invalid id is refused with GW_ERR_DEVICE_ID', async () => {
    const { db, registry } = newRegistry();
    for (const id of ['', '-leading-dash', '.hidden', 'with space', 'a/b', 'a+b', 'a#b', 'x'.repeat(65), 'ünïcode']) {
      await assert.rejects(registry.add([id]), { code: 'GW_ERR_DEVICE_ID' }, JSON.stringify(id));
    }
    await assert.rejects(registry.add(['fine-1', 'not fine']), { code: 'GW_ERR_DEVICE_ID' });
    assert.deepEqual(registry.list(), []);
    assert.equal((await registry.add(['x'.repeat(64)])).length, 1, '64 characters is allowed');
    db.close();
  });

  test('revoke marks the device, bumps registry_version once, and other connections see it', async () => {
    const { db, file, registry } = newRegistry();
    assert.equal(registry.version(), 0);
    await registry.add(['valve-1', 'valve-2']);
    assert.equal(registry.version(), 1, 'adding bumps the version');

    const other = openDatabase(file, { synchronous: 'full' });
    const otherRegistry = new DeviceRegistry(other, { scryptCost: SCRYPT_COST });
    const revoked = otherRegistry.revoke('valve-1'); // e.g. the CLI, while the gateway runs
    assert.equal(typeof revoked.revokedAt, 'number');
    assert.equal(registry.version(), 2);
    assert.equal(registry.credentials('valve-1')!.revoked, true);
    assert.equal(registry.credentials('valve-2')!.revoked, false);

    otherRegistry.revoke('valve-1');
    assert.equal(registry.version(), 2, 'revoking again changes nothing');
    assert.throws(() => otherRegistry.revoke('valve-9'), { code: 'GW_ERR_DEVICE_NOT_FOUND' });
    assert.equal(registry.version(), 2);
    other.close();
    db.close();
  });
});
