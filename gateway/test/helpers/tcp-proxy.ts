import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';

/**
 * A loopback TCP proxy for partition tests: point it at a port (or at nothing: connections are refused
 * by closing them at once), cut every live connection on demand or on a timer.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #target: number | null;
  #cutTimer: NodeJS.Timeout | null = null;
  cuts = 0;
  connections = 0;

  private constructor(server: Server, target: number | null) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: number | null): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((socket) => holder.proxy!.#accept(socket));
    const proxy = new TcpProxy(server, target);
    holder.proxy = proxy;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Where new connections go; null refuses them (a hub that is down). */
  setTarget(port: number | null): void {
    this.#target = port;
  }

  #accept(client: Socket): void {
    if (this.#target === null) return void client.destroy();
    this.connections++;
    const upstream = createConnection({ host: '127.0.0.1', port: this.#target });
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Reset every live connection (both sides see the TCP connection die). */
  cutAll(): void {
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    if (this.#pairs.size > 0) this.cuts++;
    this.#pairs.clear();
  }

  /** Cut every connection at random intervals in [minMs, maxMs] until stopped. */
  cutRepeatedly(minMs: number, maxMs: number): void {
    const next = () => {
      this.#cutTimer = setTimeout(() => {
        this.cutAll();
        next();
      }, minMs + Math.random() * (maxMs - minMs));
    };
    next();
  }

  stopCutting(): void {
    if (this.#cutTimer) clearTimeout(this.#cutTimer);
    this.#cutTimer = null;
  }

  async close(): Promise<void> {
    this.stopCutting();
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
