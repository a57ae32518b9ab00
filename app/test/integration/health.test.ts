import express from 'express';
import request from 'supertest';
import { Sequelize } from 'sequelize';
import { healthRoutes } from '../../src/observability/health';
import { createDependencyMonitor } from '../../src/observability/dependencyMonitor';
import { createMetrics } from '../../src/observability/metrics';
import { createLogger } from '../../src/observability/logger';
import { createTestApp, MemoryTransport, TestApp } from '../helpers/testApp';

describe('health, readiness, request ids and error pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz without a session cookie', async () => {
    const health = await request(t.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers['set-cookie']).toBeUndefined();
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
    if (t.sessionStore === 'redis') expect(ready.body.checks.redis).toBe('ok');
  });

  it('keeps a well-formed incoming X-Request-Id and makes one otherwise', async () => {
    const kept = await request(t.app).get('/healthz').set('X-Request-Id', 'lb-1234.abcd');
    expect(kept.headers['x-request-id']).toBe('lb-1234.abcd');
    const replaced = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id on every log line written during a request', async () => {
    t.logs.entries = [];
    await request(t.app).get('/login').set('X-Request-Id', 'trace-42');
    const lines = t.logs.entries.filter((entry) => entry.requestId === 'trace-42');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.find((entry) => entry.message === 'request')).toMatchObject({ method: 'GET', status: 303 });
  });

  it('sends security headers with a CSP that allows no inline script', async () => {
    const res = await request(t.app).get('/healthz');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the stylesheet and script from the app itself', async () => {
    expect((await request(t.app).get('/static/css/app.css')).status).toBe(200);
    expect((await request(t.app).get('/static/js/app.js')).status).toBe(200);
  });

  it('answers /readyz with 503 and no detail when the database does not answer, and logs the detail', async () => {
    const broken = await createTestApp();
    await broken.db.sequelize.close();
    const res = await request(broken.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    const redisCheck = broken.sessionStore === 'redis' ? { redis: 'ok' } : {};
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'failed', ...redisCheck } });
    const logged = broken.logs.entries.filter((entry) => entry.event === 'dependency_down');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', dependency: 'database', detail: expect.stringContaining('closed') });
    await broken.close().catch(() => undefined);
  });

  it('never shows the database user or host, logs an outage once and counts every failed check', async () => {
    const logs = new MemoryTransport();
    const logger = createLogger({ level: 'info' });
    logger.clear().add(logs);
    // Nothing listens on port 1, so every check fails and the driver names user and host.
    const unreachable = new Sequelize('todobox', 'readiness_probe_user', 'secret', {
      dialect: 'mysql',
      host: '127.0.0.1',
      port: 1,
      logging: false,
      pool: { max: 1, acquire: 2000 },
    });
    const metrics = createMetrics();
    const monitor = createDependencyMonitor({ logger, metrics, probes: { database: () => unreachable.query('SELECT 1') } });
    const app = express().use(healthRoutes(monitor));
    try {
      for (let probe = 0; probe < 3; probe++) {
        const res = await request(app).get('/readyz');
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'failed' } });
        expect(res.text).not.toContain('127.0.0.1');
        expect(res.text).not.toContain('readiness_probe_user');
      }
      const lines = logs.entries.filter((entry) => entry.event === 'dependency_down');
      expect(lines).toHaveLength(1);
      expect(String(lines[0].detail)).toContain('127.0.0.1');
      const counted = await metrics.registry.getSingleMetricAsString('todobox_db_errors_total');
      expect(counted).toContain('todobox_db_errors_total{kind="connection_refused"} 3');
    } finally {
      monitor.close();
      await unreachable.close();
    }
  });
});

describe('error pages in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ NODE_ENV: 'production', SECRET_KEY: 'k'.repeat(64), SALT: 's'.repeat(32) });
    await t.services.users.create({ name: 'A', email: 'a@example.com', password: 'a long enough password', isAdmin: true });
  });
  afterAll(() => t.close());

  it('shows a friendly 404 page', async () => {
    const res = await request(t.app).get('/no/such/page').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
    expect(res.text).toContain('href="/"');
  });

  it('answers a malformed body with 400, not a 500 or a stack trace', async () => {
    const res = await request(t.app).post('/login').set('Content-Type', 'application/json').send('{"broken":');
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/at .*\.js:\d+/);
  });
});
