import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PROFILE_NAMES, type ProfileName } from '@outpost/models/signals';
import { type FederationSimReport, runFederationSim } from '../federation/run-federation-sim.js';
import { hostPort, integerIn, numberAtLeast, oneOf } from './option-parsers.js';

interface FederationFlags {
  hub?: string;
  hubApi?: string;
  hubApiToken?: string;
  gateways: number;
  rounds: number;
  profile: ProfileName;
  dropout: number;
  secureAggregation: boolean;
  dpClip?: number;
  dpNoise?: number;
  sampleFraction: number;
  minClients: number;
  epochs: number;
  learningRate: number;
  proxMu: number;
  phaseTimeout: number;
  target: number;
  centralEpochs?: number;
  stopAtTarget: boolean;
  seed: string;
  report?: string;
  json?: boolean;
}

function summary(r: FederationSimReport): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
  return [
    `central AUC ${r.central.auc.toFixed(4)} (${r.central.epochs} epochs); target ${r.targetAuc.toFixed(4)}`,
    `federation: ${r.roundsRun} rounds (${r.roundsFailed} failed), final AUC ${r.finalAuc?.toFixed(4) ?? 'n/a'} = ${pct(r.aucVsCentral)} of central, best ${r.bestAuc?.toFixed(4) ?? 'n/a'}, untrained ${r.initialAuc.toFixed(4)}`,
    `to target: ${r.roundsToTarget === null ? 'not reached' : `${r.roundsToTarget} rounds, ${r.secondsToTarget!.toFixed(1)} s`}; wall ${r.wallSeconds.toFixed(1)} s`,
    `bytes per gateway per round: median ${Math.round(r.bytesPerGatewayPerRound.median / 1024)} KiB, max ${Math.round(r.bytesPerGatewayPerRound.max / 1024)} KiB`,
  ].join('\n');
}

export function registerFederationCommand(program: Command): void {
  const command = program
    .command('federation')
    .description('N simulated gateways with non-IID data training one model together through a real hub (federated learning)')
    .option('--hub <host:port>', "a running hub's gRPC sync address (default: start a hub in a temporary directory)", hostPort)
    .option('--hub-api <url>', "that hub's HTTP API, e.g. http://127.0.0.1:8090")
    .option('--hub-api-token <token>', "that hub's API token; or env OUTPOST_HUB_API_TOKEN")
    .option('--gateways <n>', 'simulated gateways, each with its own data', integerIn(2, 1000), 20)
    .option('--rounds <n>', 'most rounds', integerIn(1, 1000), 30)
    .option('--profile <name>', `sensor profile (${PROFILE_NAMES.join(', ')})`, oneOf(PROFILE_NAMES), 'humidity')
    .option('--dropout <fraction>', 'share of the selected gateways that drop out mid-round, drawn every round', numberAtLeast(0), 0)
    .option('--secure-aggregation', 'secure aggregation: the hub learns only the sum of the updates', false)
    .option('--dp-clip <norm>', 'differential privacy: clip each update to this L2 norm (with --dp-noise)', numberAtLeast(0))
    .option('--dp-noise <multiplier>', 'differential privacy: Gaussian noise multiplier (std = multiplier × clip)', numberAtLeast(0))
    .option('--sample-fraction <f>', 'share of the eligible gateways selected per round', numberAtLeast(0), 0.5)
    .option('--min-clients <n>', 'fewest gateways a round runs with', integerIn(1, 1000), 5)
    .option('--epochs <n>', 'local epochs per round', integerIn(1, 100), 1)
    .option('--learning-rate <lr>', 'local learning rate (Adam)', numberAtLeast(0), 0.003)
    .option('--prox-mu <mu>', 'FedProx proximal term (0: FedAvg)', numberAtLeast(0), 0)
    .option('--phase-timeout <ms>', 'deadline of each phase of a round', integerIn(200, 3_600_000), 60_000)
    .option('--central-epochs <n>', 'epochs of the central peer (default: the federation\'s budget, rounds × sample fraction × epochs)', integerIn(1, 1000))
    .option('--target <ratio>', "target AUC as a share of the central model's", numberAtLeast(0), 0.98)
    .option('--no-stop-at-target', 'run every round even after the target is reached')
    .option('--seed <text>', 'seed of the client data, selection and the initial model', 'outpost-sim-federation')
    .option('--report <file>', 'write the full report (every round) to this JSON file')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText(
      'after',
      `
Client data comes from the models library's non-IID generator (each gateway draws its device count, sampling
interval, anomaly rate and anomaly types). The central peer trains the same model on the pooled data for as
many passes as the federation makes in total, and its best epoch on the held-out windows is the peer (the
hub evaluates the federation on the same windows).
Progress lines go to stderr; the summary (or --json) to stdout.

Examples:
  # 20 gateways, 30 rounds, a hub started for the run
  outpost-sim federation --gateways 20 --rounds 30
  # secure aggregation with 30 % of the selected gateways dropping out mid-round, report kept
  outpost-sim federation --secure-aggregation --dropout 0.3 --report fl.json
  # differential privacy against a running hub
  outpost-sim federation --hub 127.0.0.1:50051 --hub-api http://127.0.0.1:8090 --hub-api-token "$T" --dp-clip 1 --dp-noise 0.05

Exit codes: 0 the target was reached, 1 it was not (or a failure), 2 bad options.`,
    )
    .action(async (flags: FederationFlags) => {
      const fail = (message: string): never => command.error(`error: ${message}`, { exitCode: 2 });
      const token = flags.hubApiToken ?? process.env.OUTPOST_HUB_API_TOKEN;
      if (flags.hub && (!flags.hubApi || !token)) fail('--hub needs --hub-api and --hub-api-token (or env OUTPOST_HUB_API_TOKEN)');
      if (flags.dropout >= 1) fail(`--dropout: expected a fraction below 1, got ${flags.dropout}`);
      if (flags.sampleFraction <= 0 || flags.sampleFraction > 1) fail(`--sample-fraction: expected a fraction in (0, 1], got ${flags.sampleFraction}`);
      if ((flags.dpClip === undefined) !== (flags.dpNoise === undefined)) fail('--dp-clip and --dp-noise go together');
      if (flags.dpClip !== undefined && flags.dpClip <= 0) fail('--dp-clip: expected a norm above 0');
      if (flags.minClients > flags.gateways) fail(`--min-clients ${flags.minClients} is more than --gateways ${flags.gateways}`);
      if (flags.secureAggregation && flags.minClients < 3) fail('--secure-aggregation needs --min-clients 3 or more');
      const report = await runFederationSim({
        ...(flags.hub ? { hub: { grpc: flags.hub, api: { url: flags.hubApi!, token: token! } } } : {}),
        gateways: flags.gateways,
        rounds: flags.rounds,
        profile: flags.profile,
        dropout: flags.dropout,
        secureAggregation: flags.secureAggregation,
        dp: flags.dpClip !== undefined ? { clipNorm: flags.dpClip, noiseMultiplier: flags.dpNoise! } : null,
        sampleFraction: flags.sampleFraction,
        minClients: flags.minClients,
        epochs: flags.epochs,
        learningRate: flags.learningRate,
        proxMu: flags.proxMu,
        phaseTimeoutMs: flags.phaseTimeout,
        targetRatio: flags.target,
        ...(flags.centralEpochs !== undefined ? { centralEpochs: flags.centralEpochs } : {}),
        stopAtTarget: flags.stopAtTarget,
        seed: flags.seed,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      if (flags.report) await writeFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
      const { rounds: _rounds, ...brief } = report;
      process.stdout.write(flags.json ? `${JSON.stringify(brief, null, 2)}\n` : `${summary(report)}\n`);
      process.exitCode = report.roundsToTarget === null ? 1 : 0;
    });
}
