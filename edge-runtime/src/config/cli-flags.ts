import { parseArgs } from 'node:util';
import { RuntimeError } from '../errors.js';
import type { RuntimeConfigInput } from './config-schema.js';

export const USAGE = `Usage: outpost-edge-runtime [options]

Scores the readings the gateway republishes on its local topics (ONNX models, rules, online detector)
and publishes alerts back. Normally started and supervised by the gateway.

Options (each also settable as OUTPOST_RT_* in the environment; see docs/edge-runtime-configuration.md):
  --config <file>        JSON config file (also $OUTPOST_RT_CONFIG)
  --data-dir <dir>       directory for saved detector and featurizer state
  --mqtt-url <url>       the gateway's broker, e.g. mqtt://127.0.0.1:1883
  --models <paths>       "shipped" or comma-separated model manifest paths
  --rules-file <file>    rules (.json, .yaml or .yml), see docs/rules.md
  --log-level <level>    fatal | error | warn | info | debug | trace | silent
  -h, --help             print this help
`;

export interface CliFlags {
  help: boolean;
  configFile: string | undefined;
  overrides: RuntimeConfigInput;
}

/** Read command-line flags into config overrides; an unknown flag is a configuration error (exit 78). */
export function parseCliFlags(argv: string[]): CliFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        'mqtt-url': { type: 'string' },
        models: { type: 'string' },
        'rules-file': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (cause) {
    throw new RuntimeError('RT_ERR_CONFIG', `${(cause as Error).message}\n${USAGE}`, { cause });
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const overrides: Record<string, unknown> = {};
  if (text('data-dir')) overrides.dataDir = text('data-dir');
  if (text('mqtt-url')) overrides.mqttUrl = text('mqtt-url');
  if (text('models')) overrides.models = text('models');
  if (text('rules-file')) overrides.rulesFile = text('rules-file');
  if (text('log-level')) overrides.log = { level: text('log-level') };
  return { help: values.help === true, configFile: text('config'), overrides: overrides as RuntimeConfigInput };
}
