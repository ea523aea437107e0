import { type ConfigField, configFieldTables, markdownCell } from '@outpost/service-kit';
import { RUNTIME_ERRORS, RuntimeError } from '../errors.js';
import { type RuntimeConfigInput, runtimeConfigSchema } from './config-schema.js';
import { CONFIG_FILE_ENV, ENV_PREFIX, loadRuntimeConfig, RUNTIME_CONFIG_FIELDS } from './load-config.js';

// The operator's reference (docs/edge-runtime-configuration.md) is rendered from the schema and the error
// catalogue here, so it cannot drift: `npm run config-docs -w @outpost/edge-runtime` writes it and a test
// compares the two.

export const CONFIGURATION_DOC_PATH = 'docs/edge-runtime-configuration.md';

const SECTION_TITLES: Record<string, string> = {
  '': 'General',
  log: 'Logging (`log`)',
  mqtt: 'Broker connection (`mqtt`)',
  detector: 'Online detector (`detector`)',
  scoring: 'Model scoring (`scoring`)',
  alerts: 'Alerts (`alerts`)',
  state: 'Saved state (`state`)',
  status: 'Runtime status (`status`)',
  power: 'Power manager (`power`)',
};

const SECTION_NOTES: Record<string, string> = {
  '': 'The runtime connects as client id `_internal.edge-runtime`, username `_internal`, with the gateway\'s internal secret as password. `internalSecret` is accepted only from the environment; a config file or flag that sets it is refused.',
  scoring: 'Windows are scored in a worker thread that owns the onnxruntime sessions (one intra-op thread by default, one inter-op thread, sequential execution, no spinning). When `scoring.queueMax` windows wait, the runtime stops acknowledging readings batches, so the gateway holds further ones.',
  alerts: 'Every alert is published at QoS 1 on `local/v1/alerts` and stays queued until the gateway\'s PUBACK (which means stored); none is dropped. When `alerts.queueMax` wait, reading intake pauses as above.',
  power:
    'The power manager reads the power source every `power.sampleIntervalMs`, chooses a mode (performance, balanced, saver, critical) with the thresholds above, and publishes it retained on `local/v1/power/mode`; the gateway applies it to sync and its own logs. Sources `file` and `fixed` are simulated, and every mode published from them says `simulated: true`. The state machine, what each mode changes and the file format are in [power](power.md#gateway-power-modes).',
  state: 'The online detector bank and the featurizer states are saved to `<dataDir>/runtime-state.json` (temp file, fsync, rename) and read back at start; an unreadable file is logged with `RT_ERR_STATE_CORRUPT` and ignored.',
};

/** A realistic file; rendering fails if the schema stops accepting it, so the example cannot go stale. */
const EXAMPLE_FILE: RuntimeConfigInput = {
  dataDir: '/var/lib/outpost/edge-runtime',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  internalSecretFile: '/var/lib/outpost/gateway/internal-secret',
  models: ['/opt/outpost/models/ae-temperature-1.0.0-0123456789ab.json'],
  rulesFile: '/etc/outpost/rules.yaml',
  scoring: { batchSize: 512, batchWindowMs: 20, intraOpThreads: 1 },
  alerts: { cooldownMs: 60000 },
};

/** The bad start shown in the doc, and the message the loader really gives for it. */
export const EXAMPLE_BAD_START = {
  command: 'OUTPOST_RT_SCORING_INTRA_OP_THREADS=4 outpost-edge-runtime --mqtt-url localhost:1883',
  env: { OUTPOST_RT_SCORING_INTRA_OP_THREADS: '4' },
  overrides: { mqttUrl: 'localhost:1883' },
};

const cell = markdownCell;

function exampleError(): string {
  try {
    loadRuntimeConfig({ env: EXAMPLE_BAD_START.env, overrides: EXAMPLE_BAD_START.overrides });
  } catch (err) {
    if (err instanceof RuntimeError) return `error ${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('the example of a bad configuration loaded without an error; pick values the schema refuses');
}

function errorTable(): string[] {
  const rows = Object.entries(RUNTIME_ERRORS).map(([code, e]) => `| \`${code}\` | ${e.retryable ? 'yes' : 'no'} | ${cell(e.text)} | ${cell(e.help)} |`);
  return ['| code | retry helps | meaning | what happens / what to do |', '| --- | --- | --- | --- |', ...rows, ''];
}

/** Render docs/edge-runtime-configuration.md. Pure: the same schema gives the same bytes. */
export function renderConfigurationDoc(fields: readonly ConfigField[] = RUNTIME_CONFIG_FIELDS): string {
  const example = runtimeConfigSchema.safeParse(EXAMPLE_FILE);
  if (!example.success) throw new Error(`the example config file in config-doc.ts no longer fits the schema: ${example.error.message}`);
  return [
    '# Edge-runtime configuration',
    '',
    '<!-- Generated from edge-runtime/src/config/config-schema.ts and errors.ts by `npm run config-docs -w @outpost/edge-runtime`. Do not edit by hand: a test fails when this file and the schema differ. -->',
    '',
    '`outpost-edge-runtime` scores the readings the gateway republishes on its local topics with ONNX models, rules',
    '([rules file format](rules.md)) and the online detector, and publishes alerts back. The gateway normally starts',
    'and supervises it. Every key is optional.',
    '',
    '## Where values come from',
    '',
    'Four layers, each overriding the ones before it, key by key:',
    '',
    '1. **Defaults**, the *Default* column below.',
    `2. **A JSON file** named by \`--config <file>\`, or by \`$${CONFIG_FILE_ENV}\` when the flag is not given. Keys nest by`,
    '   section (`{"scoring": {"batchSize": 256}}`). Unknown keys are refused.',
    `3. **Environment variables** \`${ENV_PREFIX}*\`, named in the *Environment* column. \`models\` takes a comma-separated list there.`,
    '4. **Command-line flags**: `--data-dir`, `--mqtt-url`, `--models`, `--rules-file`, `--log-level`.',
    '',
    'The configuration is validated once, at start, and then frozen.',
    '',
    '## When a value is wrong',
    '',
    'The runtime does not start. It prints one line per bad value, naming the key, where it came from, the value',
    'and what is expected, and exits with code 78 (`EX_CONFIG`). A rules file with problems (`RT_ERR_RULES`) or an',
    'unreadable internal secret (`RT_ERR_SECRET`) exits 78 the same way. For example:',
    '',
    '```console',
    `$ ${EXAMPLE_BAD_START.command}`,
    exampleError(),
    '$ echo $?',
    '78',
    '```',
    '',
    '## Keys',
    '',
    ...configFieldTables(fields, { titles: SECTION_TITLES, notes: SECTION_NOTES }),
    '## Example file',
    '',
    '```json',
    JSON.stringify(EXAMPLE_FILE, null, 2),
    '```',
    '',
    '## Runtime status',
    '',
    'Published on `local/v1/runtime/status` (QoS 1) at start, on every change and every `status.intervalMs`:',
    '`starting` until models are loaded and the loop runs; `ready`; `degraded` while a model was rolled back or fails to',
    'score, a configured model was refused at start, or the broker connection is down; `stopping` from SIGTERM on.',
    '`modelVersion` lists the serving models (`name@version`, comma-separated); `detail` names each problem with its code.',
    'A refused model offer shows in `detail` but does not degrade the runtime: the old model keeps serving.',
    '',
    '## Error codes',
    '',
    ...errorTable(),
  ].join('\n');
}
