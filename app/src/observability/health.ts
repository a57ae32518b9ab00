import { RequestHandler, Router } from 'express';
import type { DependencyMonitor } from './dependencyMonitor';
import { recordRouteTemplate, RequestObservation } from './requestObservation';

const LIVE = Buffer.from(JSON.stringify({ status: 'ok' }));

/**
 * /healthz, answered ahead of the app's routing from a response worked out once: load balancers
 * ask every few seconds, and the answer never changes while the process can answer at all. The
 * probe is timed and logged like any request.
 */
export function livenessProbe(headers: Array<[string, string]>, observation: RequestObservation): RequestHandler {
  const head = [
    ...headers.flat(),
    'Cache-Control',
    'no-store',
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(LIVE.length),
  ];
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.path !== '/healthz' && req.path !== '/healthz/')) return next();
    recordRouteTemplate(req, '/healthz');
    const requestId = observation.begin(req, res);
    res.writeHead(200, [...head, 'X-Request-Id', requestId]);
    res.end(req.method === 'HEAD' ? undefined : LIVE);
  };
}

/**
 * /readyz: the process can serve, i.e. every dependency (database, Redis when configured) answers;
 * a failed one is named. (/healthz, the process answers, is livenessProbe.) The probes are
 * unauthenticated, so a failure's detail (which names database user and host) goes to the log,
 * once per outage, never into the answer.
 */
export function healthRoutes(dependencies: DependencyMonitor): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    const checks = await dependencies.check();
    const ready = Object.values(checks).every((state) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
  return router;
}
