import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { SimError } from '../errors.js';
import { readCredentialsFile } from '../load/credentials-file.js';
import { runScenario } from '../scenario/run-scenario.js';
import { readScenarioFile } from '../scenario/scenario-schema.js';
import { LabelsFile } from '../signals/labels-file.js';
import { formatSecondLine } from './devices-command.js';
import { integerIn } from './option-parsers.js';
import { addAuditOptions, type AuditFlags, auditIfAsked } from './shared-flags.js';

interface ScenarioFlags extends AuditFlags {
  url?: string;
  credentials?: string;
  workers?: number;
  labels?: string;
  report?: string;
  quiet?: boolean;
}

const EXAMPLE = `{
  "name": "storm, partition and skew",
  "target": { "url": "mqtt://127.0.0.1:1883", "credentials": "creds.json" },
  "devices": { "ratePerSec": 1, "qos": 1, "profile": "mixed", "seed": 7, "timeScale": 60, "reconnectMs": 1000 },
  "proxies": [ { "name": "hub-link", "listen": "127.0.0.1:7001", "target": "127.0.0.1:7000" } ],
  "phases": [
    { "type": "ramp", "devices": 200, "connectRatePerSec": 100 },
    { "type": "steady", "durationS": 10 },
    { "type": "reconnect-storm", "devices": 200, "holdMs": 1000 },
    { "type": "partition", "target": "devices", "mode": "drop", "durationS": 5 },
    { "type": "partition", "target": "hub-link", "mode": "hold", "durationS": 30 },
    { "type": "clock-skew", "devices": 50, "offsetMs": -3600000, "durationS": 10 },
    { "type": "anomalies", "rate": 0.05, "types": ["spike", "stuck-at"], "durationS": 10 },
    { "type": "battery-drain", "drainMultiplier": 100, "charging": false, "durationS": 10 }
  ]
}`;

export function registerScenarioCommand(program: Command): void {
  const command = program
    .command('scenario')
    .argument('<file>', 'scenario JSON file')
    .description('run a scenario: ramps, steady load, reconnect storms, partitions, clock skew, anomalies, battery drain')
    .option('--url <url>', "broker URL (overrides the scenario's target.url; default mqtt://127.0.0.1:1883)")
    .option('--credentials <file>', "device credentials JSON (overrides target.credentials; without any, devices connect anonymously)")
    .option('--workers <n>', 'worker threads (default: min(2, cores))', integerIn(1, 256))
    .option('--labels <file>', 'write anomaly labels as JSONL')
    .option('--report <file>', 'write the full report (phases, per second, per device, loss audit) as JSON')
    .option('--quiet', 'no per-second lines');
  addAuditOptions(command).addHelpText(
    'after',
    `
Phases run in order over one continuous device load. The first phase must be a ramp; each ramp connects
more devices. "devices" in other phases means the first N connected devices (default: all).
  ramp             devices, connectRatePerSec (0 = at once), timeoutS
  steady           durationS
  reconnect-storm  devices, holdMs (down time before reconnecting), timeoutS: reports the time until all are back
  partition        target ("devices" or a proxy name), mode (drop: cut connections and refuse new ones;
                   hold: freeze them), durationS. "devices" routes the devices through a loopback proxy.
                   A named proxy (proxies[]) puts any other TCP link behind one, e.g. gateway → hub: point
                   the gateway's hub address at its "listen" address.
  clock-skew       devices, offsetMs (added to each reading's ts), durationS (omit: until the end)
  anomalies        devices, rate (per reading), types, durationS
  battery-drain    devices, drainMultiplier, charging (true/false/null = solar window), durationS

Example scenario (more in device-sim/scenarios/):
${EXAMPLE}

Examples:
  outpost-sim scenario device-sim/scenarios/storm-and-partition.json --url mqtt://127.0.0.1:1883
  outpost-sim scenario my.json --credentials creds.json --labels labels.jsonl --report run.json \\
    --gateway-api http://127.0.0.1:8080 --api-token "$(cat .outpost/gateway/api-token)"

Exit codes: 0 ok, 1 failure or acked readings missing from the gateway, 2 bad scenario file or options.`,
  );
  command.action(async (file: string, flags: ScenarioFlags) => {
    const fail = (message: string): never => command.error(`error: ${message}`, { exitCode: 2 });
    const scenario = await readScenarioFile(file);
    const base = dirname(resolve(file));
    const credentialsPath = flags.credentials ?? (scenario.target.credentials ? resolve(base, scenario.target.credentials) : undefined);
    const credentials = credentialsPath ? await readCredentialsFile(credentialsPath) : undefined;
    const gatewayApi = flags.gatewayApi ?? scenario.target.gatewayApi;
    const labels = flags.labels ? await LabelsFile.open(flags.labels) : undefined;
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    let result;
    try {
      result = await runScenario({
        scenario,
        url: flags.url ?? scenario.target.url ?? 'mqtt://127.0.0.1:1883',
        credentials,
        workers: flags.workers,
        onSecond: flags.quiet ? undefined : (line) => process.stderr.write(`${formatSecondLine(line)}\n`),
        onLabels: labels ? (batch) => labels.write(batch) : undefined,
        log: (line) => process.stderr.write(`[scenario] ${line}\n`),
        signal: abort.signal,
      });
    } catch (err) {
      if (err instanceof SimError && err.code === 'SIM_ERR_SCENARIO') fail(err.message);
      throw err;
    } finally {
      await labels?.close();
    }
    const lossAudit = await auditIfAsked({ gatewayApi, apiToken: flags.apiToken }, result.load.devices, fail);
    const full = { scenario: scenario.name, devices: result.devices, phases: result.phases, load: result.load, labels: labels ? { file: labels.path, written: labels.written } : null, lossAudit: lossAudit ?? null };
    if (flags.report) await writeFile(flags.report, `${JSON.stringify(full, null, 2)}\n`);
    const { devices: _devices, seconds: _seconds, ...loadSummary } = result.load;
    process.stdout.write(`${JSON.stringify({ ...full, load: loadSummary }, null, 2)}\n`);
    if (lossAudit && !lossAudit.ok) process.exitCode = 1;
  });
}
