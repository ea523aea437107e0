#!/usr/bin/env node
import { Command } from 'commander';
import { registerDevicesCommand } from './cli/devices-command.js';
import { registerStartCommand } from './cli/start-command.js';
import { GatewayError } from './errors.js';

const program = new Command('outpost-gateway')
  .description('Outpost edge gateway')
  .option('--config <file>', 'JSON config file (also $OUTPOST_GW_CONFIG)')
  .option('--data-dir <dir>', 'data directory (also $OUTPOST_GW_DATA_DIR)')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  outpost-gateway start --data-dir /var/lib/outpost --mqtt-port 1883 --http-port 8080
  outpost-gateway start --mqtt-port 0 --http-port 0        # pick free ports and print them
  outpost-gateway devices add pump-17 pump-18              # prints each secret once
  outpost-gateway devices list
  outpost-gateway devices revoke pump-17`,
  );

// `outpost-gateway devices list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

registerStartCommand(program);
registerDevicesCommand(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof GatewayError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(err.code === 'GW_ERR_CONFIG' ? 78 : 1);
  }
  throw err;
});
