import { SimError } from '../errors.js';
import { checkFdLimit } from '../load/resource-limits.js';
import { enrollGateways } from './enroll-gateways.js';
import { readGatewayCredentials, writeGatewayCredentials } from './gateway-credentials-file.js';
import type { GatewayCredential, ResolvedGatewayLoadOptions } from './gateway-load-options.js';
import { createSyncClient, type SyncClient, waitForChannel } from './sync-client.js';

const REACHABLE_TIMEOUT_MS = 5_000;

export interface PreparedGateways {
  count: number;
  credentials: GatewayCredential[];
  clients: SyncClient[];
  clientFor: (index: number) => SyncClient;
  enrollment: { reused: number; enrolled: number; tokensCreated: number; credentialsFile: string | null; elapsedMs: number };
}

/**
 * Everything before the first stream: the saved credentials, one gRPC channel per gateway (or `channels`
 * shared ones), a reachable hub, and enrollment of the gateways that have no credential yet. New credentials
 * are saved before anything else can fail, since the hub shows each secret once.
 */
export async function prepareGateways(o: ResolvedGatewayLoadOptions): Promise<PreparedGateways> {
  const started = performance.now();
  const saved = o.credentialsFile ? await readGatewayCredentials(o.credentialsFile) : null;
  const known = [...(o.credentials ?? []), ...(saved ?? [])].filter((c, i, all) => all.findIndex((d) => d.gatewayId === c.gatewayId) === i);
  const count = o.count ?? known.length;
  if (count < 1) throw new SimError('SIM_ERR_BAD_OPTION', `count: got ${o.count}, expected the number of gateways (required without saved credentials)`);
  const need = Math.max(0, count - known.length);
  if (need > 0 && !o.tokens && !o.hubApi) {
    throw new SimError('SIM_ERR_BAD_OPTION', `${need} of ${count} gateways have no credential: give tokens (--tokens-file) or the hub API (--hub-api, --hub-api-token) to enroll them`);
  }
  const channels = Math.min(o.channels ?? count, count);
  checkFdLimit(channels);
  const clients = Array.from({ length: channels }, () => createSyncClient(o.hub));
  const clientFor = (index: number) => clients[index % channels]!;
  const fail = (err: unknown): never => {
    for (const client of clients) client.close();
    throw err;
  };
  if (!(await waitForChannel(clients[0]!, REACHABLE_TIMEOUT_MS))) {
    fail(new SimError('SIM_ERR_HUB_UNREACHABLE', `no gRPC connection to the hub at ${o.hub} (refused, or nothing within ${REACHABLE_TIMEOUT_MS} ms): is \`outpost-hub start\` running, and is ${o.hub} its sync port?`));
  }
  const credentials = known.slice(0, count);
  let tokensCreated = 0;
  if (need > 0) {
    const enrolled: GatewayCredential[] = [];
    o.onLog?.(`enrolling ${need} gateways (${known.length} known)…`);
    try {
      const indexes = Array.from({ length: need }, (_, i) => known.length + i);
      ({ tokensCreated } = await enrollGateways({
        indexes,
        clientFor,
        nameFor: (index) => `${o.namePrefix}${String(index).padStart(4, '0')}`,
        tokens: o.tokens ?? [],
        hubApi: o.hubApi,
        concurrency: o.concurrency,
        onEnrolled: (index, credential) => (enrolled[index - known.length] = credential),
      }));
    } catch (err) {
      if (o.credentialsFile) await writeGatewayCredentials(o.credentialsFile, [...known, ...enrolled.filter(Boolean)]).catch(() => {});
      fail(err);
    }
    credentials.push(...enrolled);
    if (o.credentialsFile) await writeGatewayCredentials(o.credentialsFile, [...known, ...enrolled]).catch(fail);
  }
  return {
    count,
    credentials,
    clients,
    clientFor,
    enrollment: { reused: count - need, enrolled: need, tokensCreated, credentialsFile: o.credentialsFile ?? null, elapsedMs: Math.round(performance.now() - started) },
  };
}
