import { connect, createServer, type Server, type Socket } from 'node:net';
import { SimError } from '../errors.js';

export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  listenHost?: string;
  /** 0 = pick a free port. */
  listenPort?: number;
  /**
   * Connect upstream from the client's own loopback address, so a broker behind the proxy still sees
   * connections spread over 127.0.0.x (its per-address limits and the port range stay as without the proxy).
   */
  preserveSourceAddress?: boolean;
}

/**
 * Proxy states:
 *   open     → bytes flow both ways; new connections are forwarded
 *   dropped  → every connection was destroyed (as a network failure would: no FIN to the broker first);
 *              new connections are accepted and destroyed at once
 *   held     → connections stay open but nothing is read in either direction (a black hole: TCP buffers
 *              fill, keepalives go unanswered); new connections wait without an upstream
 */
export type ProxyState = 'open' | 'dropped' | 'held';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

/** A loopback TCP proxy that can cut and restore its link: the partition fault of scenarios. */
export class TcpProxy {
  state: ProxyState = 'open';
  /** Connections accepted, destroyed by a drop, and refused while dropped. */
  readonly counts = { accepted: 0, dropped: 0, refused: 0 };
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<Pair>();
  private boundPort = 0;

  constructor(private readonly options: TcpProxyOptions) {
    this.server = createServer({ noDelay: true }, (client) => this.accept(client));
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `mqtt://${this.options.listenHost ?? '127.0.0.1'}:${this.boundPort}`;
  }

  get activeConnections(): number {
    return this.pairs.size;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err) => reject(new SimError('SIM_ERR_PROXY', `cannot listen on ${this.options.listenHost ?? '127.0.0.1'}:${this.options.listenPort ?? 0}: ${err.message}`, { cause: err })));
      this.server.listen(this.options.listenPort ?? 0, this.options.listenHost ?? '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  private accept(client: Socket): void {
    client.on('error', () => {});
    if (this.state === 'dropped') {
      this.counts.refused++;
      client.destroy();
      return;
    }
    this.counts.accepted++;
    const pair: Pair = { client, upstream: undefined };
    this.pairs.add(pair);
    client.once('close', () => this.forget(pair));
    if (this.state === 'held') {
      client.pause();
      this.held.add(pair);
      return;
    }
    this.openUpstream(pair);
  }

  private openUpstream(pair: Pair): void {
    const source = pair.client.remoteAddress;
    const localAddress = this.options.preserveSourceAddress !== false && source?.startsWith('127.') ? source : undefined;
    const upstream = connect({ host: this.options.targetHost, port: this.options.targetPort, localAddress, noDelay: true });
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.once('close', () => {
      pair.client.destroy();
      this.forget(pair);
    });
    pair.client.once('close', () => upstream.destroy());
    this.forward(pair.client, upstream);
    this.forward(upstream, pair.client);
    pair.client.resume();
  }

  /** Manual forwarding instead of pipe(): pipe would resume a socket that a hold has paused. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => {
        if (this.state === 'open') from.resume();
      });
    });
    from.once('end', () => to.end());
  }

  private forget(pair: Pair): void {
    this.pairs.delete(pair);
    this.held.delete(pair);
  }

  /** Cut the link: `drop` destroys every connection and refuses new ones; `hold` freezes them. */
  cut(mode: 'drop' | 'hold'): void {
    if (mode === 'drop') {
      this.state = 'dropped';
      for (const pair of [...this.pairs]) {
        this.counts.dropped++;
        pair.upstream?.destroy();
        pair.client.destroy();
        this.forget(pair);
      }
    } else {
      this.state = 'held';
      for (const pair of this.pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    }
  }

  /** Back to normal: held connections flow again (new ones get their upstream); dropped ones stay gone. */
  restore(): void {
    this.state = 'open';
    for (const pair of this.pairs) {
      if (this.held.has(pair)) {
        this.held.delete(pair);
        this.openUpstream(pair);
      } else {
        pair.client.resume();
        pair.upstream?.resume();
      }
    }
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) {
      pair.upstream?.destroy();
      pair.client.destroy();
    }
    this.pairs.clear();
    this.held.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
