import { createProcessLogger, type Logger } from '@outpost/service-kit';
import type { DestinationStream } from 'pino';

export type { Logger };

const SECRETS = ['secret', 'password', 'apiToken', 'token', 'credential', 'authorization'];

/** The one root logger of a hub process: JSON lines on stdout, secrets redacted. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return createProcessLogger('outpost-hub', level, SECRETS, destination);
}
