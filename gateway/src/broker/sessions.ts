import type { Client } from 'aedes';
import { TokenBucket } from './token-bucket.js';

/** Client ids that start with this belong to gateway-internal processes (edge-runtime), never to devices. */
export const INTERNAL_CLIENT_PREFIX = '_internal.';
export const INTERNAL_USERNAME = '_internal';

export type Session =
  | { kind: 'device'; deviceId: string; address: string | undefined; bucket: TokenBucket }
  | { kind: 'internal'; clientId: string };

/** What the broker knows about each authenticated client. */
export class Sessions {
  readonly #byClient = new WeakMap<Client, Session>();

  attachDevice(client: Client, deviceId: string, rate: { perSec: number; burst: number }): void {
    const address = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
    this.#byClient.set(client, { kind: 'device', deviceId, address, bucket: new TokenBucket(rate.perSec, rate.burst) });
  }

  attachInternal(client: Client): void {
    this.#byClient.set(client, { kind: 'internal', clientId: client.id });
  }

  get(client: Client | null): Session | undefined {
    return client ? this.#byClient.get(client) : undefined;
  }
}
