import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger of a gateway process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'outpost-gateway',
      level,
      redact: { paths: ['secret', 'password', 'apiToken', 'token', 'credential', 'enrollmentToken', '*.secret', '*.password', '*.apiToken', '*.token', '*.credential', '*.enrollmentToken'], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}
