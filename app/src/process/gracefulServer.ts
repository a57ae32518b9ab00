import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Tracks in-flight requests so a shutdown can stop accepting connections, let the requests
 * already running finish (up to a drain timeout) and close keep-alive connections as they go idle.
 */
export function drainable(server: Server) {
  const busy = new Map<Socket, number>();
  let draining = false;

  server.on('request', (req, res) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    if (draining) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) busy.set(socket, left);
      else busy.delete(socket);
      if (draining && left <= 0) socket.end();
    });
  });

  return {
    inFlight: () => [...busy.values()].reduce((sum, count) => sum + count, 0),
    /** Resolves true when every request finished in time, false when the timeout cut them off. */
    drain(timeoutMs: number): Promise<boolean> {
      draining = true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve(true);
        });
        server.closeIdleConnections();
      });
    },
  };
}
