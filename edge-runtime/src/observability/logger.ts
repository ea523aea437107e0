import { createProcessLogger, flushLogs, type Logger } from '@outpost/service-kit';
import type { DestinationStream } from 'pino';

export type { Logger };
export { flushLogs };

const SECRETS = ['secret', 'password', 'internalSecret'];

/** The one root logger of the edge-runtime process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return createProcessLogger('outpost-edge-runtime', level, SECRETS, destination);
}
