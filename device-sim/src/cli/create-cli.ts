import { Command } from 'commander';
import { registerBenchCommand } from './bench-command.js';
import { registerDevicesCommand } from './devices-command.js';
import { registerFederationCommand } from './federation-command.js';
import { registerGatewaysCommand } from './gateways-command.js';
import { registerScenarioCommand } from './scenario-command.js';

const USAGE_ERRORS = new Set([
  'commander.invalidArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.unknownOption',
  'commander.missingArgument',
  'commander.excessArguments',
  'commander.unknownCommand',
  'commander.conflictingOption',
]);

/** The `outpost-sim` program; each subcommand lives in its own file and registers itself here. */
export function createCli(): Command {
  const program = new Command('outpost-sim')
    .description('Outpost load and fault generator: simulated devices and gateways, scenarios with faults, and the benchmark harness')
    .showHelpAfterError()
    // commander exits 1 when an option value fails its parser; every command documents 2 for bad options.
    .exitOverride((err) => process.exit(USAGE_ERRORS.has(err.code) ? 2 : err.exitCode))
    .addHelpText(
      'after',
      `
Examples:
  outpost-sim devices --url mqtt://127.0.0.1:1883 --count 1000 --rate 1 --duration 60
  outpost-sim devices --count 50 --qos 1 --duration 30 --report run.json     # as fast as acks allow
  outpost-sim devices --count 20 --rate 2 --profile mixed --anomaly-rate 0.01 --labels labels.jsonl
  outpost-sim gateways --hub 127.0.0.1:50051 --count 200 --duration 20 --hub-api http://127.0.0.1:8081 --hub-api-token "$T"
  outpost-sim scenario device-sim/scenarios/storm-and-partition.json
  outpost-sim bench storm --devices 5000
  outpost-sim federation --gateways 20 --rounds 30 --secure-aggregation --dropout 0.3
  outpost-sim help devices | gateways | scenario | bench | federation`,
    );
  registerDevicesCommand(program);
  registerGatewaysCommand(program);
  registerScenarioCommand(program);
  registerBenchCommand(program);
  registerFederationCommand(program);
  return program;
}
