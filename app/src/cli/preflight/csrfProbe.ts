import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import session from 'express-session';
import type { Config } from '../../config';
import type { Database } from '../../db';
import { openApp } from '../../composition';
import { createLogger } from '../../observability';

const PROBE_TIMEOUT_MS = 10_000;

/** Sessions for the probe's single request; express-session's MemoryStore would warn in production. */
class ProbeSessionStore extends session.Store {
  private readonly sessions = new Map<string, session.SessionData>();
  get(id: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    callback(null, this.sessions.get(id) ?? null);
  }
  set(id: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    this.sessions.set(id, data);
    callback?.();
  }
  destroy(id: string, callback?: (error?: unknown) => void): void {
    this.sessions.delete(id);
    callback?.();
  }
}

function postForm(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.setTimeout(PROBE_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Builds the real app and POSTs the login form without a CSRF token to it over loopback; returns
 * the status code. Sessions live in memory here, so the probe writes nothing to the database and
 * leaves no expiry timer running.
 */
export async function loginStatusWithoutCsrfToken(config: Config, db: Database): Promise<number> {
  const logger = createLogger({ level: 'error', silent: true });
  const assembly = await openApp(config, { logger, db, withoutRedis: true, sessionStore: new ProbeSessionStore() });
  const server = assembly.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    return await postForm(port, '/login', 'email=preflight%40example.invalid&password=not-the-password');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assembly.close();
  }
}
