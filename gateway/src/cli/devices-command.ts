import type { Command } from 'commander';
import { loadGatewayConfig } from '../config/load-config.js';
import { migrate, openDatabase, storeFile } from '../store/database.js';
import { DeviceRegistry } from '../store/device-registry.js';
import { cliOverrides, type CommonFlags } from './common-flags.js';

function openRegistry(command: Command) {
  const common = command.optsWithGlobals() as CommonFlags;
  const config = loadGatewayConfig({ file: common.config, overrides: cliOverrides(common) });
  const db = openDatabase(storeFile(config.dataDir), { synchronous: config.store.synchronous });
  migrate(db);
  return { db, registry: new DeviceRegistry(db, { scryptCost: config.auth.scryptCost }) };
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export function registerDevicesCommand(program: Command): void {
  const devices = program.command('devices').description('manage device credentials (works with the gateway running or stopped)');

  devices
    .command('add')
    .argument('<id...>', 'device ids: 1-64 characters of [A-Za-z0-9_.-]')
    .option('--json', 'print [{"id","secret"}] as JSON')
    .description('create devices and print each new secret once (only a slow hash is stored)')
    .action(async (ids: string[], flags: { json?: boolean }, command: Command) => {
      const { db, registry } = openRegistry(command);
      try {
        const created = await registry.add(ids);
        if (flags.json) process.stdout.write(`${JSON.stringify(created)}\n`);
        else {
          for (const d of created) process.stdout.write(`${d.id}  ${d.secret}\n`);
          process.stderr.write('Store these secrets now: they cannot be shown again.\n');
        }
      } finally {
        db.close();
      }
    });

  devices
    .command('list')
    .option('--json', 'print JSON')
    .description('list devices')
    .action((flags: { json?: boolean }, command: Command) => {
      const { db, registry } = openRegistry(command);
      try {
        const list = registry.list();
        if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
        process.stdout.write('ID\tSTATUS\tCREATED\tLAST SEEN\n');
        for (const d of list) process.stdout.write(`${d.id}\t${d.revokedAt ? 'revoked' : 'active'}\t${iso(d.createdAt)}\t${iso(d.lastSeenAt)}\n`);
      } finally {
        db.close();
      }
    });

  devices
    .command('revoke')
    .argument('<id>', 'device id')
    .description('revoke a device; a running gateway disconnects it within a fraction of a second')
    .action((id: string, _flags: unknown, command: Command) => {
      const { db, registry } = openRegistry(command);
      try {
        const device = registry.revoke(id);
        process.stdout.write(`${device.id} revoked at ${iso(device.revokedAt)}\n`);
      } finally {
        db.close();
      }
    });
}
