import { HubError } from '../errors.js';
import { type ConfigField, configFieldTables } from '@outpost/service-kit';
import { type HubConfigInput, hubConfigSchema } from './config-schema.js';
import { CONFIG_FILE_ENV, ENV_PREFIX, HUB_CONFIG_FIELDS, loadHubConfig } from './load-config.js';

// docs/hub-configuration.md is rendered from the schema here, so it cannot drift:
// `npm run config-docs -w @outpost/cloud-hub` writes it and a test compares the two.

export const HUB_CONFIGURATION_DOC_PATH = 'docs/hub-configuration.md';

const SECTION_TITLES: Record<string, string> = {
  '': 'General',
  log: 'Logging (`log`)',
  sync: 'gRPC sync service (`sync`)',
  http: 'Admin HTTP API (`http`)',
  store: 'Store (`store`)',
  retention: 'Retention (`retention`)',
  enrollment: 'Enrollment tokens (`enrollment`)',
  commands: 'Device commands (`commands`)',
};

const SECTION_NOTES: Record<string, string> = {
  sync: 'The rules of the sync stream (sequencing, acks, limits, keepalive, TLS) are in [the sync protocol](sync-protocol.md). With `sync.tlsCertFile` and `sync.tlsKeyFile` unset the sync port is plaintext.',
  http: 'When `http.apiToken` is unset, a token is generated on first start, saved in `<dataDir>/api-token` (mode 0600) and printed once.',
};

const MiB = 1024 * 1024;

/** A realistic file; rendering fails if the schema stops accepting it, so the example cannot go stale. */
const EXAMPLE_FILE: HubConfigInput = {
  dataDir: '/var/lib/outpost/hub',
  log: { level: 'info' },
  sync: { port: 50051, tlsCertFile: '/etc/outpost/tls/hub.crt', tlsKeyFile: '/etc/outpost/tls/hub.key', maxBatchBytes: 8 * MiB },
  http: { host: '127.0.0.1', port: 8090 },
  retention: { rawReadingsMaxAgeDays: 3 },
};

/** The bad start shown in the doc, and the message the loader really gives for it. */
export const EXAMPLE_BAD_START = {
  command: 'OUTPOST_HUB_SYNC_PORT=abc outpost-hub start --http-port 70000',
  env: { OUTPOST_HUB_SYNC_PORT: 'abc' },
  overrides: { http: { port: 70000 } },
};


function defaultCell(field: ConfigField): string {
  if (field.defaultValue === undefined) return 'unset';
  const text = `\`${JSON.stringify(field.defaultValue)}\``;
  const isBytes = field.key.endsWith('Bytes') && typeof field.defaultValue === 'number' && field.defaultValue >= MiB;
  return isBytes ? `${text} (${(field.defaultValue as number) / MiB} MiB)` : text;
}

function exampleError(): string {
  try {
    loadHubConfig({ env: EXAMPLE_BAD_START.env, overrides: EXAMPLE_BAD_START.overrides });
  } catch (err) {
    if (err instanceof HubError) return `error ${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('the example of a bad configuration loaded without an error; pick values the schema refuses');
}

/** Render docs/hub-configuration.md from the schema. Pure: the same schema gives the same bytes. */
export function renderHubConfigurationDoc(fields: readonly ConfigField[] = HUB_CONFIG_FIELDS): string {
  const example = hubConfigSchema.safeParse(EXAMPLE_FILE);
  if (!example.success) throw new Error(`the example config file in config-doc.ts no longer fits the schema: ${example.error.message}`);
  const lines = [
    '# Hub configuration',
    '',
    '<!-- Generated from cloud-hub/src/config/config-schema.ts by `npm run config-docs -w @outpost/cloud-hub`. Do not edit by hand: a test fails when this file and the schema differ. -->',
    '',
    'Everything `outpost-hub` can be told is listed here. Every key is optional; with none set the hub runs',
    'with the defaults below (one process, SQLite, no other service) and keeps its data in `.outpost/hub` under',
    'the working directory. The `tokens` and `gateways` commands read the same configuration, so they find the',
    'same store, whether the hub is running or not.',
    '',
    '## Where values come from',
    '',
    'Four layers, each overriding the ones before it, key by key:',
    '',
    '1. **Defaults**, the *Default* column below.',
    `2. **A JSON file** named by \`--config <file>\`, or by \`$${CONFIG_FILE_ENV}\` when the flag is not given. Keys nest by`,
    '   section (`{"sync": {"port": 50051}}`); see the [example](#example-file). Unknown keys are refused.',
    `3. **Environment variables** \`${ENV_PREFIX}*\`, named in the *Environment* column. Digits are read as a number`,
    '   and `true`/`false` as a boolean unless the key takes text. An empty variable counts as unset.',
    '4. **Command-line flags**: `--data-dir` (`dataDir`, every command); for `start`, `--grpc-port` (`sync.port`),',
    '   `--http-port` (`http.port`) and `--host` (both `sync.host` and `http.host`).',
    '',
    'The configuration is validated once, at startup, and then frozen. To change a value, restart the hub.',
    'A port of `0` picks a free port; the hub prints the ports it picked. Durations are integers in',
    'milliseconds, sizes in bytes. *integer a–b* means a whole number from a to b, both included.',
    '',
    '## When a value is wrong',
    '',
    'The hub does not start. It prints one line per bad value, naming the key, where the value came from',
    '(environment variable, file or command line), the value it got and what it expects, and exits with code',
    '78 (`EX_CONFIG`):',
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
    ...configFieldTables(fields, { titles: SECTION_TITLES, notes: SECTION_NOTES, defaultCell }),
    '## Example file',
    '',
    `Only the keys you change need to be in the file; pass it with \`--config\` or \`$${CONFIG_FILE_ENV}\`.`,
    '',
    '```json',
    JSON.stringify(EXAMPLE_FILE, null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}
