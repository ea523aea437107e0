import type { FastifyInstance } from 'fastify';
import type { LiveMessage } from '../live-feed.js';
import type { UiDeps } from '../ui-context.js';

// A socket that cannot keep up is closed rather than buffered without bound (policy: disconnect the slow consumer).
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Live updates over WebSocket: committed readings of one device and new alerts, as JSON messages. */
export async function liveRoute(app: FastifyInstance, deps: UiDeps): Promise<void> {
  app.get<{ Querystring: { device?: string } }>(
    '/ui/api/live',
    { websocket: true, schema: { querystring: { type: 'object', properties: { device: { type: 'string', maxLength: 64 } } } } },
    (socket, request) => {
      // Browsers send Origin on upgrades; a page from another site must not ride the session cookie.
      const origin = request.headers.origin;
      if (origin && new URL(origin).host !== request.headers.host) {
        socket.close(1008, 'cross-origin');
        return;
      }
      const unsubscribe = deps.ui.live.subscribe(request.query.device ?? null, (message: LiveMessage) => {
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(1013, 'too slow');
          return;
        }
        socket.send(JSON.stringify(message));
      });
      socket.on('close', unsubscribe);
      socket.send(JSON.stringify({ type: 'hello', device: request.query.device ?? null }));
    },
  );
}
