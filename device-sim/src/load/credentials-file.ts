import { readFile } from 'node:fs/promises';
import { SimError } from '../errors.js';
import type { DeviceCredential } from './load-options.js';

/** Read a JSON array of `{ id, secret }`, as `outpost-gateway devices add … --json` prints it. */
export async function readCredentialsFile(path: string): Promise<DeviceCredential[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SimError('SIM_ERR_CREDENTIALS_FILE', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SimError('SIM_ERR_CREDENTIALS_FILE', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new SimError('SIM_ERR_CREDENTIALS_FILE', `${path}: expected a non-empty JSON array of {"id","secret"}, as printed by \`outpost-gateway devices add <id...> --json\``);
  }
  return parsed.map((entry: unknown, i) => {
    const { id, secret } = (entry ?? {}) as Partial<DeviceCredential>;
    if (typeof id !== 'string' || typeof secret !== 'string') {
      throw new SimError('SIM_ERR_CREDENTIALS_FILE', `${path}[${i}]: expected {"id": string, "secret": string}, got ${JSON.stringify(entry)}`);
    }
    return { id, secret };
  });
}
