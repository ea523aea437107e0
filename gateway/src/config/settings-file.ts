import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';

/** Name of the settings file the local UI writes under the data directory. */
export const SETTINGS_FILE_NAME = 'settings.json';

export function settingsFilePath(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE_NAME);
}

/**
 * Read the UI's settings file: the layer just above the defaults. Missing means empty; anything that is
 * not a JSON object stops startup with GW_ERR_CONFIG, like a bad config file.
 */
export function readSettingsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new GatewayError('GW_ERR_CONFIG', `cannot read settings file ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new GatewayError('GW_ERR_CONFIG', `settings file ${file} is not a JSON object: ${(cause as Error).message}`, { cause });
  }
}

/** Replace the settings file atomically (write aside, then rename); mode 0600: it may hold an enrollment token. */
export function writeSettingsFile(file: string, settings: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(aside, file);
}
