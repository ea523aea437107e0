import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { SimError } from '../errors.js';
import type { GatewayCredential } from './gateway-load-options.js';

const fileError = (message: string, cause?: unknown) => new SimError('SIM_ERR_GATEWAY_CREDENTIALS_FILE', message, { cause });

/** The saved gateways of an earlier run, or null when the file does not exist. */
export async function readGatewayCredentials(path: string): Promise<GatewayCredential[] | null> {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw fileError(`cannot read ${path}: ${(cause as Error).message}`, cause);
  }
  if (!Array.isArray(parsed)) throw fileError(`${path}: expected a JSON array of {gatewayId, credential, hubId, name}, as an earlier run of outpost-sim gateways wrote it`);
  return parsed.map((entry: unknown, i) => {
    const { gatewayId, credential, hubId, name } = (entry ?? {}) as Partial<GatewayCredential>;
    if (typeof gatewayId !== 'string' || typeof credential !== 'string' || !credential.startsWith(`${gatewayId}.`)) {
      throw fileError(`${path}[${i}]: expected {"gatewayId", "credential": "<gatewayId>.<secret>", …}, got ${JSON.stringify(entry)?.slice(0, 200)}`);
    }
    return { gatewayId, credential, hubId: typeof hubId === 'string' ? hubId : '', name: typeof name === 'string' ? name : gatewayId };
  });
}

/** Write the credentials (mode 0600, through a temp file and a rename): a secret is shown once by the hub. */
export async function writeGatewayCredentials(path: string, credentials: readonly GatewayCredential[]): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(credentials, null, 1)}\n`, { mode: 0o600, flush: true });
    await rename(temp, path);
  } catch (cause) {
    throw fileError(`cannot write ${path}: ${(cause as Error).message}`, cause);
  }
}

/** One-time enrollment tokens, one a line (blank lines and `#` comments skipped). */
export async function readTokensFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SimError('SIM_ERR_TOKENS_FILE', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const tokens = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  if (tokens.length === 0) throw new SimError('SIM_ERR_TOKENS_FILE', `${path} holds no tokens (expected one per line, as \`outpost-hub tokens create\` prints them)`);
  return tokens;
}
