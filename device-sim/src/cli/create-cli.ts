import { Command } from 'commander';
import { registerDevicesCommand } from './devices-command.js';

/** The `outpost-sim` program; each subcommand lives in its own file and registers itself here. */
export function createCli(): Command {
  const program = new Command('outpost-sim')
    .description('Outpost load and fault generator: simulated devices (and, later, gateways and scenarios)')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  outpost-sim devices --url mqtt://127.0.0.1:1883 --count 1000 --rate 1 --duration 60
  outpost-sim devices --count 50 --qos 1 --duration 30 --report run.json     # as fast as acks allow
  outpost-sim help devices`,
    );
  registerDevicesCommand(program);
  return program;
}
