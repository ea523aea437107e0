import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readCredentialsFile } from '../load/credentials-file.js';
import { type DeviceLoadOptions, loopbackAddresses, type SecondLine } from '../load/load-options.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { adaptiveTotals } from '../power/adaptive-reporter.js';
import { LabelsFile } from '../signals/labels-file.js';
import { integerIn, numberAtLeast, oneOf } from './option-parsers.js';
import { addAuditOptions, addSignalOptions, type AuditFlags, auditIfAsked, type SignalFlags, signalSettingsFrom } from './shared-flags.js';

interface DevicesFlags extends SignalFlags, AuditFlags {
  url: string;
  count?: number;
  rate?: number;
  window: number;
  qos: 0 | 1;
  encoding: 'json' | 'cbor';
  duration?: number;
  messages?: number;
  connectRate: number;
  credentials?: string;
  idPrefix: string;
  workers?: number;
  sourceAddresses?: number;
  reconnectMs: number;
  report?: string;
  followConfig?: boolean;
}

const DEFAULT_DURATION_S = 10;

/** One per-second line; `rateLabel` names what `msgPerSec` counts (records for the simulated gateways). */
export function formatSecondLine(l: SecondLine, rateLabel = 'msg/s'): string {
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(2));
  return `[${String(l.second).padStart(4)}s] connected ${l.connected}  sent ${l.sent}  acked ${l.acked}  errors ${l.errors}  ${rateLabel} ${l.msgPerSec}  p50 ${ms(l.p50Ms)} ms  p99 ${ms(l.p99Ms)} ms`;
}

export function registerDevicesCommand(program: Command): void {
  const command = program
    .command('devices')
    .description('connect N MQTT devices and publish telemetry at a rate or as fast as acks allow')
    .option('--url <url>', 'broker URL', 'mqtt://127.0.0.1:1883')
    .option('--count <n>', 'devices (default: all credentials; required without --credentials)', integerIn(1))
    .option('--rate <msgs>', 'messages per second per device, fractions allowed (default: as fast as acks allow)', numberAtLeast(0.0001))
    .option('--window <n>', 'most unacknowledged publishes per device', integerIn(1, 65_535), 16)
    .option('--qos <q>', 'publish QoS: 0 or 1', (raw) => Number(oneOf(['0', '1'] as const)(raw)) as 0 | 1, 1)
    .option('--encoding <e>', 'payload encoding: json or cbor', oneOf(['json', 'cbor'] as const), 'json')
    .option('--duration <s>', `stop after this many seconds (default ${DEFAULT_DURATION_S} unless --messages is given)`, integerIn(1))
    .option('--messages <n>', 'stop each device after this many messages', integerIn(1))
    .option('--connect-rate <n>', 'new connections per second (0 = all at once)', numberAtLeast(0), 1000)
    .option('--credentials <file>', 'JSON [{"id","secret"}] as printed by `outpost-gateway devices add <id...> --json`')
    .option('--id-prefix <p>', 'id prefix of anonymous devices', 'sim-')
    .option('--workers <n>', 'worker threads (default: min(2, cores))', integerIn(1, 256))
    .option('--source-addresses <n>', 'spread connections over 127.0.0.1..127.0.0.<n> (each gives ~28k local ports)', integerIn(1, 254))
    .option('--reconnect-ms <ms>', 'reconnect dropped devices after this delay (0 = leave them down)', integerIn(0), 0)
    .option('--report <file>', 'write the full report (per second, per device) to this JSON file')
    .option('--follow-config', "subscribe to each device's config topic and follow its reporting policy (adaptive: sample every intervalMs, send only what the shared predictor cannot predict; --messages then counts samples)");
  addSignalOptions(command);
  addAuditOptions(command)
    .addHelpText(
      'after',
      `
Per-second lines go to stderr; the report summary goes to stdout as JSON (per-device and per-second
detail only in --report). Press Ctrl-C to stop early: devices still disconnect cleanly.

Examples:
  # 100 anonymous devices, 1 msg/s each, for a minute
  outpost-sim devices --url mqtt://127.0.0.1:1883 --count 100 --rate 1 --duration 60
  # as fast as PUBACKs allow, 8 in flight per device, CBOR
  outpost-sim devices --count 50 --window 8 --encoding cbor --duration 30
  # devices provisioned on a gateway; keep the per-device acked seqs for a loss audit
  outpost-gateway devices add pump-1 pump-2 pump-3 --json > creds.json
  outpost-sim devices --credentials creds.json --rate 10 --messages 1000 --report run.json
  # 60k connections over 4 loopback source addresses, 500 new connections per second
  outpost-sim devices --count 60000 --rate 0.1 --connect-rate 500 --source-addresses 4 --duration 300
  # realistic readings with labelled anomalies (training data for models), the daily cycle 60x faster
  outpost-sim devices --credentials creds.json --rate 2 --duration 120 --profile mixed --anomaly-rate 0.01 \
    --seed 42 --time-scale 60 --labels labels.jsonl
  # adaptive reporting: set a policy on the gateway, then let the devices follow their config topic
  curl -X PUT -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"intervalMs":1000,"mode":"adaptive","tolerance":{"temperature":0.5}}' localhost:8080/api/v1/devices/pump-1/reporting
  outpost-sim devices --credentials creds.json --profile temperature --follow-config --duration 120
  # then check that every acked reading is stored (exit 1 if anything acked is missing)
  outpost-sim devices --credentials creds.json --rate 10 --duration 30 \
    --gateway-api http://127.0.0.1:8080 --api-token "$(cat .outpost/gateway/api-token)"

Exit codes: 0 ok, 1 failure or acked readings missing from the gateway, 2 bad options.`,
    )
    .action(async (flags: DevicesFlags) => {
      const fail = (message: string): never => command.error(`error: ${message}`, { exitCode: 2 });
      const signals = signalSettingsFrom(flags, fail);
      const labels = flags.labels ? await LabelsFile.open(flags.labels) : undefined;
      const credentials = flags.credentials ? await readCredentialsFile(flags.credentials) : undefined;
      const durationS = flags.duration ?? (flags.messages === undefined ? DEFAULT_DURATION_S : undefined);
      const abort = new AbortController();
      process.once('SIGINT', () => {
        process.stderr.write('stopping: draining in-flight messages and disconnecting…\n');
        abort.abort();
      });
      const options: DeviceLoadOptions = {
        url: flags.url,
        credentials,
        count: flags.count,
        idPrefix: flags.idPrefix,
        qos: flags.qos,
        encoding: flags.encoding,
        ratePerDevice: flags.rate,
        inflightWindow: flags.window,
        durationMs: durationS === undefined ? undefined : durationS * 1000,
        messagesPerDevice: flags.messages,
        connectRatePerSec: flags.connectRate,
        workers: flags.workers,
        localAddresses: flags.sourceAddresses ? loopbackAddresses(flags.sourceAddresses) : undefined,
        reconnectPeriodMs: flags.reconnectMs,
        onSecond: (line) => process.stderr.write(`${formatSecondLine(line)}\n`),
        signal: abort.signal,
        signals,
        onLabels: labels ? (batch) => labels.write(batch) : undefined,
        followConfig: flags.followConfig ?? false,
      };
      let report;
      try {
        report = await runDeviceLoad(options);
      } finally {
        await labels?.close();
      }
      const lossAudit = await auditIfAsked(flags, report.devices, fail);
      const full = { ...report, labels: labels ? { file: labels.path, written: labels.written } : null, lossAudit: lossAudit ?? null, adaptive: flags.followConfig ? adaptiveTotals(report.devices.map((d) => d.adaptive)) : null };
      if (flags.report) await writeFile(flags.report, `${JSON.stringify(full, null, 2)}\n`);
      const { devices: _devices, seconds: _seconds, ...summary } = full;
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      if (lossAudit && !lossAudit.ok) process.exitCode = 1;
    });
}
