import type { Socket } from 'node:net';
import type { GatewayEvents } from '../observability/gateway-events.js';
import { TokenBucket } from './token-bucket.js';

export interface ConnectionGuardOptions {
  maxConnectionsPerAddress: number;
  connectRatePerSec: number;
  connectBurst: number;
}

/**
 * Admission control before MQTT is spoken. Per-address counts are taken at TCP accept, so a flood of
 * sockets from one host is cut before it costs a parser; the global connect rate is checked when the
 * CONNECT arrives, so refused devices get CONNACK 3 (server unavailable) and back off.
 */
export function createConnectionGuard(options: ConnectionGuardOptions, events: GatewayEvents) {
  const perAddress = new Map<string, number>();
  const connectRate = new TokenBucket(options.connectRatePerSec, options.connectBurst);

  /** Returns false (and destroys the socket) when the source address already has too many connections. */
  function admitSocket(socket: Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const count = perAddress.get(address) ?? 0;
    if (count >= options.maxConnectionsPerAddress) {
      events.refused('E_TOO_MANY_CONNECTIONS', { address, detail: `${count} open, limit ${options.maxConnectionsPerAddress}` });
      socket.destroy();
      return false;
    }
    perAddress.set(address, count + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
    return true;
  }

  /** Spend one token of the global connect rate; false means refuse this CONNECT. */
  function admitConnect(): boolean {
    return connectRate.tryTake();
  }

  return { admitSocket, admitConnect, connectionsFrom: (address: string) => perAddress.get(address) ?? 0 };
}

export type ConnectionGuard = ReturnType<typeof createConnectionGuard>;
