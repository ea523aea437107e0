#!/usr/bin/env node
import { Command } from 'commander';
import { registerGatewaysCommand } from './cli/gateways-command.js';
import { registerStartCommand } from './cli/start-command.js';
import { registerTenantsCommand } from './cli/tenants-command.js';
import { registerTokensCommand } from './cli/tokens-command.js';
import { HubError } from './errors.js';

const program = new Command('outpost-hub')
  .description('Outpost cloud hub (embedded: one process, SQLite)')
  .option('--config <file>', 'JSON config file (also $OUTPOST_HUB_CONFIG)')
  .option('--data-dir <dir>', 'data directory (also $OUTPOST_HUB_DATA_DIR)')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  outpost-hub start --data-dir /var/lib/outpost/hub --grpc-port 50051 --http-port 8090
  outpost-hub start --grpc-port 0 --http-port 0          # pick free ports and print them
  outpost-hub tokens create --ttl 24h                    # one-time enrollment token, printed once
  outpost-hub tokens create --tenant acme                # ... whose gateway belongs to tenant acme
  outpost-hub tenants create acme --name "Acme Farms"
  outpost-hub api-tokens create --tenant acme --role admin   # API token, printed once
  outpost-hub gateways list
  outpost-hub gateways revoke gw-0123456789abcdef`,
  );

// `outpost-hub gateways list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

registerStartCommand(program);
registerTokensCommand(program);
registerGatewaysCommand(program);
registerTenantsCommand(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof HubError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(err.code === 'HUB_ERR_CONFIG' ? 78 : 1);
  }
  throw err;
});
