import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpProxy } from './tcp-proxy.js';

/** A client through the proxy that collects what the echo server sends back. */
async function open(port: number, localAddress?: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, received: () => data, closed };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

describe('TcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  const peers: string[] = [];
  before(async () => {
    echo = createServer((s) => {
      peers.push(s.remoteAddress ?? '');
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    proxy = await new TcpProxy({ targetHost: '127.0.0.1', targetPort: typeof address === 'object' && address ? address.port : 0 }).start();
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards both ways, from the client\'s own loopback address', async () => {
    const c = await open(proxy.port, '127.0.0.3');
    c.socket.write('hello');
    assert.ok(await until(() => c.received() === 'hello'));
    assert.equal(peers.at(-1), '127.0.0.3');
    c.socket.destroy();
  });

  it('drops every connection on a cut, refuses new ones, and accepts again after restore', async () => {
    const c = await open(proxy.port);
    c.socket.write('a');
    assert.ok(await until(() => c.received() === 'a'));
    proxy.cut('drop');
    await c.closed;
    assert.equal(proxy.activeConnections, 0);
    const refused = await open(proxy.port);
    await refused.closed;
    assert.ok(proxy.counts.refused >= 1);
    proxy.restore();
    const d = await open(proxy.port);
    d.socket.write('back');
    assert.ok(await until(() => d.received() === 'back'));
    d.socket.destroy();
  });

  it('holds connections open without passing bytes, then delivers them on restore', async () => {
    const c = await open(proxy.port);
    c.socket.write('1');
    assert.ok(await until(() => c.received() === '1'));
    proxy.cut('hold');
    c.socket.write('2');
    const late = await open(proxy.port);
    late.socket.write('x');
    assert.equal(await until(() => c.received() !== '1' || late.received() !== '', 300), false, 'nothing passes while held');
    assert.equal(proxy.activeConnections, 2, 'held connections stay open');
    proxy.restore();
    assert.ok(await until(() => c.received() === '12' && late.received() === 'x'));
    c.socket.destroy();
    late.socket.destroy();
  });
});
