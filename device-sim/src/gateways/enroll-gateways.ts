import * as grpc from '@grpc/grpc-js';
import type { EnrollResponse } from '@outpost/protocols';
import { randomBytes } from 'node:crypto';
import { SimError } from '../errors.js';
import type { GatewayCredential, HubApi } from './gateway-load-options.js';
import { createEnrollmentToken } from './hub-api.js';
import { runBounded } from './run-bounded.js';
import { SIM_SOFTWARE_VERSION, type SyncClient, wireCodeOf } from './sync-client.js';

const ENROLL_ATTEMPTS = 5;
const ENROLL_DEADLINE_MS = 15_000;
const RETRY_BASE_MS = 200;

export interface EnrollOptions {
  /** Gateways to enroll, by index; each enrolls over its own channel. */
  indexes: readonly number[];
  clientFor: (index: number) => SyncClient;
  nameFor: (index: number) => string;
  /** Tokens to use first; `hubApi` creates the rest. */
  tokens: readonly string[];
  hubApi?: HubApi;
  concurrency: number;
  /** Called with every credential as it arrives, so a failure later loses none of them. */
  onEnrolled: (index: number, credential: GatewayCredential) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function enrollOnce(client: SyncClient, token: string, name: string, requestId: string): Promise<EnrollResponse> {
  return new Promise((resolve, reject) => {
    client.Enroll({ token, name, softwareVersion: SIM_SOFTWARE_VERSION, requestId }, new grpc.Metadata(), { deadline: Date.now() + ENROLL_DEADLINE_MS }, (err, response) => {
      if (err || !response) reject(err ?? new Error('Enroll answered nothing'));
      else resolve(response);
    });
  });
}

/**
 * Trade one token for a credential. A lost answer is retried with the same token and request id, which the
 * hub honours with a fresh secret for the same gateway (EnrollRequest.request_id); a refused token is final.
 */
async function enrollOne(client: SyncClient, token: string, name: string): Promise<EnrollResponse> {
  const requestId = randomBytes(16).toString('base64url');
  for (let attempt = 1; ; attempt++) {
    try {
      return await enrollOnce(client, token, name, requestId);
    } catch (err) {
      const e = err as grpc.ServiceError;
      const wireCode = wireCodeOf(e.details);
      if (wireCode === 'E_ENROLL_TOKEN' || e.code === grpc.status.PERMISSION_DENIED) {
        throw new SimError('SIM_ERR_ENROLL_TOKEN', `${name}: the hub refused the enrollment token ${token.slice(0, 6)}… (unknown, expired or already used; tokens work once, so reuse earlier gateways with --credentials FILE)`, { cause: err });
      }
      if (attempt >= ENROLL_ATTEMPTS) {
        const unreachable = e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED;
        const code = unreachable ? 'SIM_ERR_HUB_UNREACHABLE' : 'SIM_ERR_ENROLL';
        throw new SimError(code, `${name}: Enroll failed ${attempt} times, last: ${grpc.status[e.code] ?? e.code} ${e.details ?? e.message}`, { cause: err });
      }
      await sleep(Math.random() * RETRY_BASE_MS * 2 ** attempt);
    }
  }
}

/** Enroll the gateways at `indexes`; resolves with how many tokens the hub API created. */
export async function enrollGateways(o: EnrollOptions): Promise<{ tokensCreated: number }> {
  const fromFile = o.tokens.length;
  if (fromFile < o.indexes.length && !o.hubApi) {
    throw new SimError('SIM_ERR_TOKENS_FILE', `${o.indexes.length} gateways need enrolling but the tokens file holds ${fromFile} tokens; add tokens, lower --count, or give --hub-api to create them`);
  }
  let tokensCreated = 0;
  await runBounded(o.indexes, o.concurrency, async (index, i) => {
    let token = o.tokens[i];
    if (token === undefined) {
      token = await createEnrollmentToken(o.hubApi!);
      tokensCreated++;
    }
    const name = o.nameFor(index);
    const response = await enrollOne(o.clientFor(index), token, name);
    o.onEnrolled(index, { gatewayId: response.gatewayId, credential: response.credential, hubId: response.hubId, name });
  });
  return { tokensCreated };
}
