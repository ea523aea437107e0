import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { DeviceRegistry } from '../store/device-registry.js';
import { verifySecret } from '../store/secret-hash.js';
import type { ConnectionGuard } from './connection-guard.js';
import { INTERNAL_CLIENT_PREFIX, INTERNAL_USERNAME, type Sessions } from './sessions.js';

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;

// CONNACK return codes of MQTT 3.1.1.
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export interface AuthenticateDeps {
  registry: DeviceRegistry;
  sessions: Sessions;
  guard: ConnectionGuard;
  events: GatewayEvents;
  internalSecret: string;
  rate: { perSec: number; burst: number };
}

/**
 * Device authentication: username = device id = MQTT client id, password = the device secret.
 * The slow scrypt check runs once per device; afterwards a keyed digest of the verified secret is kept
 * in memory (never on disk) so a reconnect storm costs microseconds per device, not a hash each.
 * Any registry change clears that cache.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  const pepper = randomBytes(32);
  const verified = new Map<string, Buffer>();
  const digest = (secret: Buffer) => createHmac('sha256', pepper).update(secret).digest();
  const internalDigest = digest(Buffer.from(deps.internalSecret));

  function refuse(client: Client, reason: 'E_BAD_CREDENTIALS' | 'E_DEVICE_REVOKED' | 'E_CONNECT_RATE', returnCode: number, deviceId?: string): AuthenticateError {
    const address = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
    deps.events.refused(reason, { deviceId, address });
    const code = reason === 'E_CONNECT_RATE' ? 'GW_ERR_RATE_LIMITED' : 'GW_ERR_AUTH';
    return new GatewayError(code, reason, { wireCode: reason, returnCode }) as AuthenticateError;
  }

  const authenticate: AuthenticateHandler = (client, username, password, callback) => {
    if (!deps.guard.admitConnect()) return callback(refuse(client, 'E_CONNECT_RATE', SERVER_UNAVAILABLE), false);
    if (!username || !password) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD), false);

    if (username === INTERNAL_USERNAME) {
      const ok = client.id.startsWith(INTERNAL_CLIENT_PREFIX) && timingSafeEqual(digest(password), internalDigest);
      if (!ok) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD), false);
      deps.sessions.attachInternal(client);
      return callback(null, true);
    }

    // The client id must be the device id: a device can only ever take over its own session.
    if (client.id !== username) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD, username), false);
    const creds = deps.registry.credentials(username);
    if (!creds) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD, username), false);
    if (creds.revoked) return callback(refuse(client, 'E_DEVICE_REVOKED', NOT_AUTHORIZED, username), false);

    const presented = digest(password);
    const known = verified.get(username);
    if (known) {
      if (!timingSafeEqual(known, presented)) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD, username), false);
      deps.sessions.attachDevice(client, username, deps.rate);
      return callback(null, true);
    }
    verifySecret(password.toString('utf8'), creds.secretHash).then(
      (ok) => {
        if (!ok) return callback(refuse(client, 'E_BAD_CREDENTIALS', BAD_USERNAME_OR_PASSWORD, username), false);
        if (verified.size > 1_000_000) verified.clear(); // bound the cache
        verified.set(username, presented);
        deps.sessions.attachDevice(client, username, deps.rate);
        callback(null, true);
      },
      (err: Error) => callback(new GatewayError('GW_ERR_AUTH', err.message, { cause: err, returnCode: SERVER_UNAVAILABLE }) as AuthenticateError, false),
    );
  };

  return { authenticate, forget: () => verified.clear() };
}
