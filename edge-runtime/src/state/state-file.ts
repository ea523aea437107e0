import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { DetectorBankState } from '../detector/detector-bank.js';
import { RuntimeError } from '../errors.js';
import type { SavedFeaturizers } from '../scoring/device-router.js';

export const STATE_FILE_NAME = 'runtime-state.json';

/** What survives a restart: the online detector bank and, per feature fingerprint and device, the featurizer states. */
export interface SavedState {
  v: 1;
  savedAt: number;
  detector: DetectorBankState | null;
  featurizers: SavedFeaturizers;
}

// The outer shape only: each detector and featurizer state is checked by the class that restores it.
const savedStateSchema = z
  .object({
    v: z.literal(1),
    savedAt: z.number(),
    detector: z.object({ version: z.literal(1), devices: z.record(z.string(), z.record(z.string(), z.unknown())) }).nullable(),
    featurizers: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .strict();

export const stateFilePath = (dataDir: string) => join(dataDir, STATE_FILE_NAME);

/**
 * Write the state atomically: a temp file beside the target, fsync, rename. A crash leaves either the old
 * file or the new one, never a torn one. Throws RT_ERR_STATE_WRITE (the old file stays).
 */
export async function saveState(file: string, state: SavedState): Promise<number> {
  const text = JSON.stringify(state);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new RuntimeError('RT_ERR_STATE_WRITE', `${file}: ${(cause as Error).message}`, { cause });
  }
  return Buffer.byteLength(text);
}

/** The saved state, or null when there is none. A file that cannot be used throws RT_ERR_STATE_CORRUPT (the caller logs it and starts fresh). */
export function loadState(file: string): SavedState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RuntimeError('RT_ERR_STATE_CORRUPT', `${file}: cannot read (${(cause as Error).message})`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RuntimeError('RT_ERR_STATE_CORRUPT', `${file}: not JSON (${(cause as Error).message})`, { cause });
  }
  const parsed = savedStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuntimeError('RT_ERR_STATE_CORRUPT', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as SavedState;
}
