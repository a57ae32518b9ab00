import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Logger } from './logger';

/** Probes may come every few seconds; one log line per interval is enough to explain an outage. */
export const READINESS_FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * /healthz: the process answers. /readyz: the process can serve, i.e. its database answers. The
 * probes are unauthenticated, so a failure's detail (which names database user and host) goes
 * to the log, never into the answer.
 */
export function healthRoutes(sequelize: Sequelize, logger: Logger): Router {
  const router = Router();
  let lastFailureLoggedAt = Number.NEGATIVE_INFINITY;

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await sequelize.query('SELECT 1');
      res.json({ status: 'ok', checks: { database: 'ok' } });
    } catch (error) {
      const now = Date.now();
      if (now - lastFailureLoggedAt >= READINESS_FAILURE_LOG_INTERVAL_MS) {
        lastFailureLoggedAt = now;
        logger.error('Readiness check failed: the database does not answer', {
          event: 'readiness_failed',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      res.status(503).json({ status: 'unavailable', checks: { database: 'failed' } });
    }
  });
  return router;
}
