import { Router } from 'express';
import type { DependencyMonitor } from './dependencyMonitor';

/**
 * /healthz: the process answers. /readyz: the process can serve, i.e. every dependency (database,
 * Redis when configured) answers; a failed one is named. The probes are unauthenticated, so a
 * failure's detail (which names database user and host) goes to the log, once per outage, never
 * into the answer.
 */
export function healthRoutes(dependencies: DependencyMonitor): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    const checks = await dependencies.check();
    const ready = Object.values(checks).every((state) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
  return router;
}
