import { GatewayError } from '../errors.js';
import { type ConfigField, configFieldTables } from '@outpost/service-kit';
import { type GatewayConfigInput, gatewayConfigSchema } from './config-schema.js';
import { CONFIG_FILE_ENV, ENV_PREFIX, GATEWAY_CONFIG_FIELDS, loadGatewayConfig } from './load-config.js';

// The operator's configuration reference (docs/configuration.md) is rendered from the schema here, so it
// cannot drift: `npm run config-docs -w @outpost/gateway` writes it and a test compares the two.

export const CONFIGURATION_DOC_PATH = 'docs/configuration.md';

const SECTION_TITLES: Record<string, string> = {
  '': 'General',
  log: 'Logging (`log`)',
  mqtt: 'MQTT listeners (`mqtt`)',
  limits: 'Device limits (`limits`)',
  ingest: 'Ingest and write queue (`ingest`)',
  store: 'Store and retention (`store`)',
  http: 'Local HTTP API (`http`)',
  auth: 'Device authentication (`auth`)',
  sync: 'Cloud sync (`sync`)',
  ui: 'Technician web UI (`ui`)',
  power: 'Power modes (`power`)',
};

const SECTION_NOTES: Record<string, string> = {
  store:
    '`store.maxBytes` counts the pages in use in the SQLite file. The write-ahead log (up to 64 MiB) comes on top, and the file does not shrink: pages freed by retention are reused. When the budget cannot be met because no raw readings are left to delete, new raw readings are refused with `E_STORE_FULL` (the device keeps them) and `/readyz` reports the store as not ready.',
  sync: 'With `sync.hubUrl` set, the gateway enrolls with `sync.enrollmentToken` once (the credential is saved in `<dataDir>/hub-credential`, mode 0600) and then streams its outbox to the hub. The outbox lives in the store and shares `store.maxBytes`. See [the sync protocol](sync-protocol.md). State and backlog: `GET /api/v1/sync` and the `outpost_gw_sync_*` metrics.',
  ui: 'The technician UI is served at `/` on the HTTP port, with its own API under `/ui/api/` (cookie sessions, roles viewer, technician and admin, CSRF tokens); the bearer token is not needed there and does not work there. Without `ui.adminPassword` the first start generates the `admin` password and prints it once. Its settings page writes `<dataDir>/settings.json` (see above).',
  power:
    'edge-runtime chooses the power mode (its `power.*` settings, [edge-runtime configuration](edge-runtime-configuration.md)); the gateway applies it. In saver and critical, summaries and raw readings wait in the outbox while alerts still go at once and the other classes go in rounds; critical also flushes the store and checkpoints its WAL first, then runs `power.criticalAction`. What each mode changes: [power](power.md#what-a-mode-changes). State: `GET /api/v1/power`.',
  http: 'When `http.apiToken` is unset, a token is generated on first start, saved in `<dataDir>/api-token` (mode 0600) and printed once.',
};

/** A realistic file; rendering fails if the schema stops accepting it, so the example cannot go stale. */
const EXAMPLE_FILE: GatewayConfigInput = {
  dataDir: '/var/lib/outpost/gateway',
  log: { level: 'info' },
  mqtt: { port: 1883, wsPort: 'off', tlsPort: 8883, tlsCertFile: '/etc/outpost/tls/gateway.crt', tlsKeyFile: '/etc/outpost/tls/gateway.key' },
  limits: { maxPayloadBytes: 16384, deviceMsgsPerSec: 20, deviceBurst: 100 },
  store: { maxBytes: 10 * 1024 ** 3, maxAgeDays: 90 },
  http: { host: '127.0.0.1', port: 8080 },
};

/** The bad start shown in the doc, and the message the loader really gives for it. */
export const EXAMPLE_BAD_START = {
  command: 'OUTPOST_GW_MQTT_PORT=abc outpost-gateway start --http-port 70000',
  env: { OUTPOST_GW_MQTT_PORT: 'abc' },
  overrides: { http: { port: 70000 } },
};

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `2147483648` → `2 GiB`, `1536` → `1.5 KiB`. */
export function humanBytes(bytes: number): string {
  let value = bytes;
  let unit = 'bytes';
  for (const next of BYTE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}


const isBytes = (field: ConfigField) => field.path[field.path.length - 1]!.endsWith('Bytes');

function typeCell(field: ConfigField): string {
  const bounds = isBytes(field) ? (field.type.match(/\d+/g) ?? []).map(Number) : [];
  return bounds.some((n) => n >= 1024) ? `${field.type} (${bounds.map(humanBytes).join(' to ')})` : field.type;
}

function defaultCell(field: ConfigField): string {
  if (field.defaultValue === undefined) return 'unset';
  const text = `\`${JSON.stringify(field.defaultValue)}\``;
  return isBytes(field) && typeof field.defaultValue === 'number' && field.defaultValue >= 1024 ? `${text} (${humanBytes(field.defaultValue)})` : text;
}

function exampleError(): string {
  try {
    loadGatewayConfig({ env: EXAMPLE_BAD_START.env, overrides: EXAMPLE_BAD_START.overrides });
  } catch (err) {
    if (err instanceof GatewayError) return `error ${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('the example of a bad configuration loaded without an error; pick values the schema refuses');
}

/** Render docs/configuration.md from the schema. Pure: the same schema gives the same bytes. */
export function renderConfigurationDoc(fields: readonly ConfigField[] = GATEWAY_CONFIG_FIELDS): string {
  const example = gatewayConfigSchema.safeParse(EXAMPLE_FILE);
  if (!example.success) throw new Error(`the example config file in config-doc.ts no longer fits the schema: ${example.error.message}`);
  const lines = [
    '# Gateway configuration',
    '',
    '<!-- Generated from gateway/src/config/config-schema.ts by `npm run config-docs -w @outpost/gateway`. Do not edit by hand: a test fails when this file and the schema differ. -->',
    '',
    'Everything `outpost-gateway` can be told is listed here. Every key is optional; with none set the gateway',
    'runs with the defaults below and keeps its data in `.outpost/gateway` under the working directory. The',
    '`devices` commands read the same configuration, so they find the same store.',
    '',
    '## Where values come from',
    '',
    'Five layers, each overriding the ones before it, key by key:',
    '',
    '1. **Defaults**, the *Default* column below.',
    '2. **The settings file** `<dataDir>/settings.json`, written by the technician UI\'s settings page (hub address and',
    '   enrollment, retention, limits). It is read like a config file; the page marks a saved value that a higher',
    '   layer overrides, and every change there applies after a restart.',
    `3. **A JSON file** named by \`--config <file>\`, or by \`$${CONFIG_FILE_ENV}\` when the flag is not given. Keys nest by`,
    '   section (`{"mqtt": {"port": 1883}}`); see the [example](#example-file). Keys the gateway does not know are',
    '   refused, so a typo cannot silently leave a default in place.',
    `4. **Environment variables** \`${ENV_PREFIX}*\`, named in the *Environment* column. A value is read as text when the`,
    '   key takes text (`OUTPOST_GW_MQTT_WS_PORT=off`), otherwise digits as a number and `true`/`false` as a',
    '   boolean. An empty variable counts as unset. A variable with the prefix that names no key is ignored:',
    '   check the spelling against the table.',
    '5. **Command-line flags**: `--data-dir` (`dataDir`, also for `devices`); for `start`, `--mqtt-port`',
    '   (`mqtt.port`), `--ws-port` (`mqtt.wsPort`), `--http-port` (`http.port`) and `--host` (both `mqtt.host`',
    '   and `http.host`).',
    '',
    'The configuration is validated once, at startup, and then frozen: nothing changes it while the gateway',
    'runs, and each part of the gateway is handed the values it needs. To change a value, restart the gateway.',
    '',
    'A port of `0` picks a free port; the gateway prints the ports it picked. Sizes are integers in bytes.',
    '*integer a–b* means a whole number from a to b, both included.',
    '',
    '## When a value is wrong',
    '',
    'The gateway does not start. It prints one line per bad value, naming the key, where the value came from',
    '(environment variable, file or command line), the value it got and what it expects, and exits with code',
    '78 (`EX_CONFIG`), so a supervisor can tell a configuration mistake from a crash. For example (the codes',
    'are listed in [error codes](error-codes.md)):',
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
    ...configFieldTables(fields, { titles: SECTION_TITLES, notes: SECTION_NOTES, typeCell, defaultCell }),
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
