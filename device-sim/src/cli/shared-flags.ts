import type { Command } from 'commander';
import { runLossAudit, formatLossAudit, type LossAuditReport } from '../audit/loss-audit.js';
import type { DeviceResult, SignalSettings } from '../load/worker-protocol.js';
import { ANOMALY_TYPES, type AnomalyType, PROFILE_NAMES, type ProfileChoice } from '@outpost/models/signals';
import { numberAtLeast, oneOf } from './option-parsers.js';

export interface SignalFlags {
  profile?: ProfileChoice;
  anomalyRate: number;
  anomalyTypes?: string;
  seed: string;
  timeScale: number;
  labels?: string;
}

export interface AuditFlags {
  gatewayApi?: string;
  apiToken?: string;
}

export function addSignalOptions(command: Command): Command {
  return command
    .option('--profile <name>', `signal profile of the readings: ${PROFILE_NAMES.join(', ')}, or mixed (device i gets profile i mod 5)`, oneOf([...PROFILE_NAMES, 'mixed'] as const))
    .option('--anomaly-rate <p>', 'probability that a reading starts a labelled anomaly (needs --profile)', numberAtLeast(0), 0)
    .option('--anomaly-types <list>', `comma-separated subset of ${ANOMALY_TYPES.join(',')}`)
    .option('--seed <seed>', 'seed of the signals and anomalies: same seed, same readings and labels', '1')
    .option('--time-scale <x>', 'signal seconds per real second (60: the daily cycle and battery drain run 60× faster)', numberAtLeast(0.000001), 1)
    .option('--labels <file>', 'write anomaly labels as JSONL {deviceId, metric, type, startTs, endTs, magnitude, samples}');
}

export function addAuditOptions(command: Command): Command {
  return command
    .option('--gateway-api <url>', "after the run, check through this gateway API that every acked reading is stored (e.g. http://127.0.0.1:8080)")
    .option('--api-token <token>', "the gateway's API token (its data dir's api-token file); or env OUTPOST_GW_API_TOKEN");
}

/** Signal settings from the flags; `undefined` when no profile was asked for. Throws a message naming the flag. */
export function signalSettingsFrom(flags: SignalFlags, fail: (message: string) => never): SignalSettings | undefined {
  if (!flags.profile) {
    if (flags.anomalyRate > 0 || flags.labels || flags.anomalyTypes) fail('--anomaly-rate, --anomaly-types and --labels need --profile');
    return undefined;
  }
  if (flags.anomalyRate > 1) fail(`--anomaly-rate: expected a probability from 0 to 1, got ${flags.anomalyRate}`);
  let types: AnomalyType[] | undefined;
  if (flags.anomalyTypes) {
    types = flags.anomalyTypes.split(',').map((t) => t.trim()) as AnomalyType[];
    const bad = types.filter((t) => !(ANOMALY_TYPES as readonly string[]).includes(t));
    if (bad.length > 0) fail(`--anomaly-types: expected names from ${ANOMALY_TYPES.join(', ')}, got ${bad.join(', ')}`);
  }
  return { seed: flags.seed, profile: flags.profile, anomalyRate: flags.anomalyRate, anomalyTypes: types, timeScale: flags.timeScale };
}

/** Run the loss audit when --gateway-api was given; prints the summary line to stderr. */
export async function auditIfAsked(flags: AuditFlags, devices: readonly DeviceResult[], fail: (message: string) => never): Promise<LossAuditReport | undefined> {
  if (!flags.gatewayApi) return undefined;
  const token = flags.apiToken ?? process.env.OUTPOST_GW_API_TOKEN;
  if (!token) fail('--gateway-api needs --api-token (or env OUTPOST_GW_API_TOKEN)');
  const audit = await runLossAudit({ apiUrl: flags.gatewayApi, apiToken: token, devices });
  process.stderr.write(`${formatLossAudit(audit)}\n`);
  return audit;
}
