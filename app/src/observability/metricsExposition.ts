import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Router } from 'express';
import type { Registry, RegistryContentType } from 'prom-client';
import { AppError } from '../errors';
import type { Logger } from './logger';
import { noteRefusal } from './refusals';

/** Prometheus's text exposition of the metrics, ready to send. */
export interface MetricsExposition {
  contentType: string;
  body: string;
}

/** Where a scrape's metrics come from: this process's registry, or in a cluster all workers' combined. */
export type MetricsSource = () => Promise<MetricsExposition>;

export function registrySource(registry: Registry<RegistryContentType>): MetricsSource {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests of equal length, so neither the token's content nor its length leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const REALM = 'Bearer realm="TodoBox metrics"';

/**
 * /metrics on the public port, for a scraper holding METRICS_TOKEN as a bearer token. Without a token
 * configured the route does not exist (404): the metrics are then on the internal port or nowhere.
 */
export function metricsRoute(token: string | undefined, source: MetricsSource): Router {
  const router = Router();
  if (!token) return router;
  router.get('/metrics', async (req, res) => {
    const given = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!given || !tokenMatches(given, token)) {
      noteRefusal(res, 'auth');
      throw new AppError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"', { challenge: REALM });
    }
    const exposition = await source().catch(() => {
      throw new AppError('unavailable', 'Metrics are unavailable right now');
    });
    res.set({ 'Cache-Control': 'no-store', 'Content-Type': exposition.contentType }).send(exposition.body);
  });
  return router;
}

/**
 * The internal metrics listener (METRICS_PORT): only GET /metrics, no token, meant for an address
 * only the monitoring network reaches (127.0.0.1 by default).
 */
export function startMetricsServer(
  listen: { port: number; bindAddress: string },
  source: MetricsSource,
  logger: Logger,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    source().then(
      (exposition) => {
        res.writeHead(200, { 'Content-Type': exposition.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : exposition.body);
      },
      (error) => {
        logger.error('Collecting metrics failed', { event: 'metrics_failed', error });
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.bindAddress, () => {
      server.off('error', reject);
      logger.info('Metrics listening', { event: 'metrics_listening', url: `http://${listen.bindAddress}:${listen.port}/metrics` });
      resolve(server);
    });
  });
}
