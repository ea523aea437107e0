import type { Command } from 'commander';
import { HubError } from '../errors.js';
import { type CommonFlags, openStoreFromFlags } from './common-flags.js';
import { parseDuration } from './duration.js';

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('enrollment tokens (works with the hub running or stopped)');
  tokens
    .command('create')
    .option('--ttl <duration>', 'lifetime: 30m, 24h, 7d … (default enrollment.defaultTokenTtlMs)')
    .option('--tenant <id>', 'the tenant the enrolled gateway belongs to', 'default')
    .option('--json', 'print {"token","expiresAt"} as JSON')
    .description('create a one-time enrollment token and print it once (only its hash is stored)')
    .action((flags: { ttl?: string; tenant: string; json?: boolean }, command: Command) => {
      const { config, store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const ttlMs = flags.ttl ? parseDuration(flags.ttl) : config.enrollment.defaultTokenTtlMs;
        if (ttlMs < 1000 || ttlMs > config.enrollment.maxTokenTtlMs) {
          throw new HubError('HUB_ERR_BAD_REQUEST', `--ttl must be between 1s and ${config.enrollment.maxTokenTtlMs} ms (enrollment.maxTokenTtlMs)`);
        }
        if (!store.tenants.get(flags.tenant)) throw new HubError('HUB_ERR_TENANT_NOT_FOUND', flags.tenant);
        const created = store.enrollment.createToken(ttlMs, Date.now(), flags.tenant);
        if (flags.json) process.stdout.write(`${JSON.stringify(created)}\n`);
        else {
          process.stdout.write(`${created.token}\n`);
          process.stderr.write(`One-time enrollment token, valid until ${new Date(created.expiresAt).toISOString()}. It cannot be shown again.\n`);
        }
      } finally {
        store.close();
      }
    });
}
