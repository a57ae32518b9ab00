import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { ClientOfflineError } from 'redis';
import { errorHandler } from '../../src/middleware/errorHandler';
import { createDependencyMonitor } from '../../src/observability/dependencyMonitor';
import { createMetrics } from '../../src/observability/metrics';
import { createLogger } from '../../src/observability/logger';
import { MemoryTransport } from '../helpers/testApp';

describe('the central error handler', () => {
  it('leaves a response already sent alone when an outage error arrives after it (a session save failing at the end)', async () => {
    const logger = createLogger({ level: 'info' });
    logger.clear().add(new MemoryTransport());
    const metrics = createMetrics();
    const dependencies = createDependencyMonitor({ logger, metrics, probes: {} });
    const escaped: unknown[] = [];
    const app = express();
    app.get('/', (_req, res, next) => {
      res.send('done');
      next(new ClientOfflineError());
    });
    app.use(errorHandler(logger, false, dependencies));
    const afterHandler: ErrorRequestHandler = (error, _req, _res, next) => {
      escaped.push(error);
      next();
    };
    app.use(afterHandler);
    try {
      const res = await request(app).get('/');
      expect(res.status).toBe(200);
      expect(res.text).toBe('done');
      await new Promise((resolve) => setImmediate(resolve));
      expect(escaped).toEqual([]);
      expect(await metrics.registry.getSingleMetricAsString('todobox_session_store_errors_total')).toMatch(/todobox_session_store_errors_total 1$/m);
    } finally {
      dependencies.close();
    }
  });
});
