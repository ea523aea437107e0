import type { Command } from 'commander';
import { HubError } from '../errors.js';
import { type CommonFlags, openStoreFromFlags } from './common-flags.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export function registerGatewaysCommand(program: Command): void {
  const gateways = program.command('gateways').description('the fleet registry (works with the hub running or stopped)');

  gateways
    .command('list')
    .option('--json', 'print JSON')
    .description('list enrolled gateways')
    .action((flags: { json?: boolean }, command: Command) => {
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const list = store.fleet.list();
        if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
        process.stdout.write('ID\tNAME\tSTATUS\tACKED SEQ\tBACKLOG\tCLOCK\tPOWER\tVERSION\tLAST SEEN\n');
        for (const g of list) {
          const state = g.revokedAt ? 'revoked' : g.connected ? 'connected' : 'offline';
          const clock = g.clockTrusted === null ? '-' : g.clockTrusted ? 'ok' : 'untrusted';
          const power = g.powerMode === null ? '-' : `${g.powerMode}${g.powerSimulated ? ' (simulated)' : ''}`;
          process.stdout.write(`${g.id}\t${g.name}\t${state}\t${g.ackedSeq}\t${g.backlogRecords ?? '-'}\t${clock}\t${power}\t${g.softwareVersion || '-'}\t${iso(g.lastSeenAt)}\n`);
        }
      } finally {
        store.close();
      }
    });

  gateways
    .command('revoke')
    .argument('<id>', 'gateway id')
    .description('revoke a gateway; a running hub closes its stream within sync.revocationPollMs')
    .action((id: string, _flags: unknown, command: Command) => {
      const { store } = openStoreFromFlags(command.optsWithGlobals() as CommonFlags);
      try {
        const gateway = store.fleet.revoke(id, Date.now());
        if (!gateway) throw new HubError('HUB_ERR_GATEWAY_NOT_FOUND', id);
        process.stdout.write(`${gateway.id} revoked at ${iso(gateway.revokedAt)}\n`);
      } finally {
        store.close();
      }
    });
}
