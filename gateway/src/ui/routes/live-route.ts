import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { LiveMessage } from '../live-feed.js';
import { SESSION_COOKIE, type UiDeps } from '../ui-context.js';

const LIVE_PATH = '/ui/api/live';
// A socket that cannot keep up is closed rather than buffered without bound (policy: disconnect the slow consumer).
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Live updates over WebSocket at /ui/api/live?device=ID: committed readings of one device and new alerts,
 * as JSON messages. Plain `ws` on the HTTP server's upgrade event; the session cookie authenticates.
 */
export function attachLiveSocket(app: FastifyInstance, deps: UiDeps): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  app.server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== LIVE_PATH) {
      socket.destroy();
      return;
    }
    const sessionId = app.parseCookie(request.headers.cookie ?? '')[SESSION_COOKIE];
    const userId = sessionId ? deps.ui.sessions.lookup(sessionId) : null;
    // Browsers send Origin on upgrades; a page from another site must not ride the session cookie.
    const origin = request.headers.origin;
    const crossOrigin = origin !== undefined && new URL(origin).host !== request.headers.host;
    if (userId === null || crossOrigin) {
      socket.end(`HTTP/1.1 ${crossOrigin ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const device = url.searchParams.get('device')?.slice(0, 64) || null;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const unsubscribe = deps.ui.live.subscribe(device, (message: LiveMessage) => {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          ws.close(1013, 'too slow');
          return;
        }
        ws.send(JSON.stringify(message));
      });
      ws.on('close', unsubscribe);
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ type: 'hello', device }));
    });
  });
  app.addHook('preClose', (done) => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => done());
  });
}
