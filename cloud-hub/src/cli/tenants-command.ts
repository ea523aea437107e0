import type { Command } from 'commander';
import { HubError } from '../errors.js';
import { API_ROLES, type ApiRole } from '../store/hub-store.js';
import { type CommonFlags, openStoreFromFlags } from './common-flags.js';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** `outpost-hub tenants …` and `outpost-hub api-tokens …` (work with the hub running or stopped: same store). */
export function registerTenantsCommand(program: Command): void {
  const tenants = program.command('tenants').description('tenants: each owns its gateways and everything they sync (docs/tenants.md)');
  tenants
    .command('create')
    .argument('<id>', 'tenant id: lowercase letters, digits and dashes (1-63)')
    .option('--name <name>', 'display name (default: the id)')
    .description('create a tenant; then give it an admin token with `api-tokens create --tenant <id> --role admin`')
    .action((id: string, flags: { name?: string }, command: Command) => {
      if (!TENANT_ID.test(id)) throw new HubError('HUB_ERR_BAD_REQUEST', `tenant id "${id}": use 1-63 of [a-z0-9-], starting with a letter or digit`);
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const created = store.tenants.create(id, flags.name ?? id, Date.now());
        if (!created) throw new HubError('HUB_ERR_TENANT_EXISTS', id);
        process.stdout.write(`${created.id}\n`);
      } finally {
        store.close();
      }
    });
  tenants
    .command('list')
    .option('--json', 'print JSON')
    .description('list tenants')
    .action((flags: { json?: boolean }, command: Command) => {
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const list = store.tenants.list();
        if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
        process.stdout.write('ID\tNAME\tCREATED\n');
        for (const t of list) process.stdout.write(`${t.id}\t${t.name}\t${iso(t.createdAt)}\n`);
      } finally {
        store.close();
      }
    });

  const tokens = program.command('api-tokens').description("a tenant's API tokens with their roles (enrollment tokens are `tokens`)");
  tokens
    .command('create')
    .requiredOption('--role <role>', `one of ${API_ROLES.join(', ')}`)
    .option('--tenant <id>', 'the tenant', 'default')
    .option('--name <name>', 'what the token is for (default: the role)')
    .option('--json', 'print the token and its record as JSON')
    .description('create an API token and print it once (only its SHA-256 is stored)')
    .action((flags: { role: string; tenant: string; name?: string; json?: boolean }, command: Command) => {
      if (!(API_ROLES as readonly string[]).includes(flags.role)) throw new HubError('HUB_ERR_BAD_REQUEST', `--role ${flags.role}: use one of ${API_ROLES.join(', ')}`);
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        if (!store.tenants.get(flags.tenant)) throw new HubError('HUB_ERR_TENANT_NOT_FOUND', `${flags.tenant} (create it with: outpost-hub tenants create ${flags.tenant})`);
        const { token, record } = store.tenants.createApiToken(flags.tenant, flags.role as ApiRole, flags.name ?? flags.role, Date.now());
        if (flags.json) return void process.stdout.write(`${JSON.stringify({ ...record, token })}\n`);
        process.stdout.write(`${token}\n`);
        process.stderr.write(`API token ${record.id}: ${record.role} of tenant ${record.tenantId}. It cannot be shown again.\n`);
      } finally {
        store.close();
      }
    });
  tokens
    .command('list')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'print JSON')
    .description('list API tokens (ids and roles, never the tokens)')
    .action((flags: { tenant?: string; json?: boolean }, command: Command) => {
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const list = store.tenants.listApiTokens(flags.tenant);
        if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
        process.stdout.write('ID\tTENANT\tROLE\tNAME\tCREATED\tREVOKED\n');
        for (const t of list) process.stdout.write(`${t.id}\t${t.tenantId}\t${t.role}\t${t.name}\t${iso(t.createdAt)}\t${iso(t.revokedAt)}\n`);
      } finally {
        store.close();
      }
    });
  tokens
    .command('revoke')
    .argument('<id>', 'API token id (atk-…)')
    .description('revoke an API token; a running hub refuses it (and its console sessions) at once')
    .action((id: string, _flags: unknown, command: Command) => {
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const revoked = store.tenants.revokeApiToken(id, Date.now());
        if (!revoked) throw new HubError('HUB_ERR_API_TOKEN_NOT_FOUND', id);
        process.stdout.write(`${revoked.id} revoked at ${iso(revoked.revokedAt)}\n`);
      } finally {
        store.close();
      }
    });
}
