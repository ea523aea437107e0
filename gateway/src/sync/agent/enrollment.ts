import * as grpc from '@grpc/grpc-js';
import type { EnrollResponse } from '@outpost/protocols';
import { loadOrCreateSecretFile } from '@outpost/service-kit';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SyncServiceClient } from './hub-client.js';

export const CREDENTIAL_FILE = 'hub-credential';
/** Kept until enrolled: a retry after a lost response proves it is the same gateway (EnrollRequest.request_id). */
export const ENROLLMENT_REQUEST_FILE = 'enrollment-request';

export interface HubCredential {
  gatewayId: string;
  /** `<gatewayId>.<secret>`, sent as `authorization: Bearer <credential>`. */
  credential: string;
  hubId: string;
  enrolledAt: number;
}

export function softwareVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function readCredential(dataDir: string): HubCredential | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, CREDENTIAL_FILE), 'utf8')) as HubCredential;
    return typeof parsed.credential === 'string' && parsed.credential.length > 0 ? parsed : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Written to a temp file (0600), fsynced by rename: the credential is shown once and must survive a crash. */
function writeCredential(dataDir: string, credential: HubCredential): void {
  const file = join(dataDir, CREDENTIAL_FILE);
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credential)}\n`, { mode: 0o600, flush: true });
  renameSync(temp, file);
}

export class EnrollmentError extends Error {
  constructor(
    readonly wireCode: string | null,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'EnrollmentError';
  }
}

/** Trade the enrollment token for a gateway credential and store it before anything else happens. */
export function enroll(client: SyncServiceClient, dataDir: string, token: string, name: string | undefined, timeoutMs = 15_000): Promise<HubCredential> {
  let requestId: string;
  try {
    requestId = loadOrCreateSecretFile(dataDir, ENROLLMENT_REQUEST_FILE).value;
  } catch (cause) {
    return Promise.reject(new EnrollmentError(null, `could not store the enrollment request id: ${(cause as Error).message}`, false));
  }
  return new Promise((resolve, reject) => {
    client.Enroll({ token, name: name ?? hostname(), softwareVersion: softwareVersion(), requestId }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, response?: EnrollResponse) => {
      if (err || !response) {
        const details = err?.details ?? 'no response';
        const wireCode = /^(E_[A-Z_]+)/.exec(details)?.[1] ?? null;
        // A refused token stays refused; anything else (hub down, timeout) may work later.
        const retryable = wireCode !== 'E_ENROLL_TOKEN' && err?.code !== grpc.status.PERMISSION_DENIED;
        return reject(new EnrollmentError(wireCode, `enrollment failed: ${details}`, retryable));
      }
      const credential: HubCredential = { gatewayId: response.gatewayId, credential: response.credential, hubId: response.hubId, enrolledAt: Date.now() };
      try {
        writeCredential(dataDir, credential);
      } catch (cause) {
        return reject(new EnrollmentError(null, `could not store the hub credential: ${(cause as Error).message}`, false));
      }
      resolve(credential);
    });
  });
}
