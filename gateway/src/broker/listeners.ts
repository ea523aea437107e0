import type { Aedes } from 'aedes';
import { readFileSync } from 'node:fs';
import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { GatewayError } from '../errors.js';
import type { ConnectionGuard } from './connection-guard.js';

export interface ListenerOptions {
  host: string;
  port: number;
  wsPort: number | 'off';
  tlsPort: number;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

export interface BoundListeners {
  mqttPort: number;
  wsPort: number | null;
  tlsPort: number | null;
  close(): Promise<void>;
}

function listen(server: Server | HttpServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new GatewayError('GW_ERR_LISTEN', `${what} on ${host}:${port}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Open the MQTT listeners (TCP always, WebSocket unless "off", TLS when a certificate and key are set). */
export async function openListeners(broker: Aedes, guard: ConnectionGuard, options: ListenerOptions): Promise<BoundListeners> {
  const servers: (Server | HttpServer)[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const onSocket = (socket: Socket) => {
    if (!guard.admitSocket(socket)) return;
    track(socket);
    socket.setNoDelay(true);
    broker.handle(socket);
  };

  const tcp = createNetServer(onSocket);
  servers.push(tcp);
  const mqttPort = await listen(tcp, options.port, options.host, 'MQTT/TCP');

  let wsPort: number | null = null;
  if (options.wsPort !== 'off') {
    const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
    const wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws, req) => {
      if (!guard.admitSocket(req.socket)) return;
      track(req.socket);
      broker.handle(createWebSocketStream(ws), req);
    });
    servers.push(http);
    wsPort = await listen(http, options.wsPort, options.host, 'MQTT/WebSocket');
  }

  let tlsPort: number | null = null;
  if (options.tlsCertFile && options.tlsKeyFile) {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(options.tlsCertFile);
      key = readFileSync(options.tlsKeyFile);
    } catch (cause) {
      throw new GatewayError('GW_ERR_TLS', (cause as Error).message, { cause });
    }
    const tls = createTlsServer({ cert, key, minVersion: 'TLSv1.2' }, onSocket);
    servers.push(tls);
    tlsPort = await listen(tls, options.tlsPort, options.host, 'MQTT/TLS');
  }

  return {
    mqttPort,
    wsPort,
    tlsPort,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map(closeServer));
    },
  };
}
