import { Router } from 'express';
import type { Sequelize } from 'sequelize';

/** /healthz: the process answers. /readyz: the process can serve, i.e. its database answers. */
export function healthRoutes(sequelize: Sequelize): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await sequelize.query('SELECT 1');
      res.json({ status: 'ok', checks: { database: 'ok' } });
    } catch (error) {
      res.status(503).json({
        status: 'unavailable',
        checks: { database: `failed: ${(error as Error).message}` },
      });
    }
  });
  return router;
}
