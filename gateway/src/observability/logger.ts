import { createProcessLogger, flushLogs, type Logger } from '@outpost/service-kit';
import type { DestinationStream } from 'pino';

export type { Logger };
export { flushLogs };

const SECRETS = ['secret', 'password', 'apiToken', 'token', 'credential', 'enrollmentToken'];

/** The one root logger of a gateway process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return createProcessLogger('outpost-gateway', level, SECRETS, destination);
}
