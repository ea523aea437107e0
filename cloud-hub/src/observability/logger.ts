import { pino, type Logger } from 'pino';

export type { Logger };

const SECRETS = ['secret', 'password', 'apiToken', 'token', 'credential', 'authorization'];

/** The one root logger of a hub process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'outpost-hub',
      level,
      redact: { paths: [...SECRETS, ...SECRETS.map((s) => `*.${s}`)], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}
