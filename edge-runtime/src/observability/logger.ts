import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger of the edge-runtime process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'outpost-edge-runtime',
      level,
      redact: { paths: ['secret', 'password', 'internalSecret', '*.secret', '*.password', '*.internalSecret'], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}
