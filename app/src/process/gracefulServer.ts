import type { RequestListener, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';

/**
 * How long a connection accepted just before shutdown may take to deliver its first request. A proxy
 * such as nginx writes the request right after connecting and, for a POST, never retries once it has
 * written it, so such a connection must be served rather than dropped.
 */
export const FIRST_REQUEST_GRACE_MS = 2_000;
/**
 * How long an idle keep-alive connection is left to its peer once the listener has closed: longer
 * than the nginx site's upstream `keepalive_timeout` (5 s), so nginx closes its idle connections
 * itself and never writes a request (a POST it will not repeat) to one this server is closing. A
 * request that does arrive meanwhile is served with `Connection: close`.
 */
export const IDLE_KEEP_ALIVE_GRACE_MS = 6_000;
/** The listener closes once no connection has arrived for this long... */
export const QUIET_BEFORE_CLOSE_MS = 250;
/** ...or after this long at most, whichever comes first. */
export const MAX_WAIT_BEFORE_CLOSE_MS = 5_000;

const RETRIED_ELSEWHERE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Tracks in-flight requests so a shutdown can stop accepting connections, let the requests
 * already running finish (up to a drain timeout) and close keep-alive connections as they go idle.
 *
 * Closing a listening socket resets every connection still waiting in the kernel's accept queue,
 * and a proxy does not repeat a POST it has already written. So a stopping server first answers
 * reads with 503 (nginx's `proxy_next_upstream http_503` retries them on another server and stops
 * sending to this one), keeps serving writes, and closes the listener only once connections have
 * stopped arriving.
 */
export function drainable(server: Server) {
  const busy = new Map<Socket, number>();
  const open = new Set<Socket>();
  const served = new WeakSet<Socket>();
  const responding = new Set<ServerResponse>();
  let draining = false;
  let keepAliveGraceOver = false;
  let lastConnectionAt = 0;

  server.on('connection', (socket: Socket) => {
    lastConnectionAt = Date.now();
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });

  server.on('request', (req, res) => {
    const socket = req.socket;
    served.add(socket);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    responding.add(res);
    if (draining) res.setHeader('Connection', 'close');
    // Node closes the connection after a `Connection: close` answer. One answered keep-alive before
    // the shutdown began stays open: the proxy may already be writing its next request (a POST it
    // will not repeat) into it, which is served, or it goes idle until the keep-alive grace ends it;
    // once the grace is over, it is ended as soon as its last answer is sent.
    res.on('close', () => {
      responding.delete(res);
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) busy.set(socket, left);
      else busy.delete(socket);
      if (keepAliveGraceOver && left <= 0) socket.end();
    });
  });

  const closeIdle = (which: 'unserved' | 'all') => {
    for (const socket of open) {
      if (!busy.has(socket) && (which === 'all' || !served.has(socket))) socket.destroy();
    }
  };

  const connectionsStopped = (limitMs: number) =>
    new Promise<void>((resolve) => {
      const deadline = Date.now() + limitMs;
      const quiet = () => Date.now() - lastConnectionAt >= QUIET_BEFORE_CLOSE_MS;
      const check = () => {
        if (Date.now() >= deadline) return resolve();
        // A timer runs before the poll phase that accepts the connections queued while the event loop
        // was busy (a loaded machine): judge the quiet again once they are accepted, since closing
        // the listener resets every connection still queued.
        if (quiet()) return setImmediate(() => (quiet() || Date.now() >= deadline ? resolve() : check()));
        setTimeout(check, Math.min(QUIET_BEFORE_CLOSE_MS - (Date.now() - lastConnectionAt), deadline - Date.now()));
      };
      check();
    });

  return {
    inFlight: () => [...busy.values()].reduce((sum, count) => sum + count, 0),
    /** The request handler to serve `app` with: while stopping, reads get a 503 to be retried elsewhere. */
    serve(app: RequestListener): RequestListener {
      return (req, res) => {
        if (!draining || !RETRIED_ELSEWHERE.has(req.method ?? '')) return app(req, res);
        const api = req.url?.startsWith('/api/');
        const message = 'This server is restarting. Please try again.';
        res.writeHead(503, {
          'Retry-After': '1',
          'Cache-Control': 'no-store',
          'Content-Type': api ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        });
        res.end(api ? JSON.stringify({ error: { status: 503, message } }) : `${message}\n`);
      };
    },
    /** Resolves true when every request finished in time, false when the timeout cut them off. */
    async drain(timeoutMs: number): Promise<boolean> {
      draining = true;
      for (const res of responding) if (!res.headersSent) res.setHeader('Connection', 'close');
      const started = Date.now();
      await connectionsStopped(Math.min(MAX_WAIT_BEFORE_CLOSE_MS, timeoutMs / 2));
      const left = Math.max(timeoutMs - (Date.now() - started), 1);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, left);
        timer.unref();
        // net.Server's close, not http.Server's: since Node 19 the latter also destroys every
        // connection without a request under way, including one just accepted whose request is
        // still being read, which the proxy has already sent.
        net.Server.prototype.close.call(server, () => {
          clearTimeout(timer);
          resolve(true);
        });
        const firstRequestGrace = setTimeout(() => closeIdle('unserved'), Math.min(FIRST_REQUEST_GRACE_MS, left));
        const keepAliveGrace = setTimeout(() => {
          keepAliveGraceOver = true;
          closeIdle('all');
        }, Math.min(IDLE_KEEP_ALIVE_GRACE_MS, left));
        firstRequestGrace.unref();
        keepAliveGrace.unref();
      });
    },
  };
}
