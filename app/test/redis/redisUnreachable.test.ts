import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { createLogger } from '../../src/observability/logger';
import type { Backends } from '../../src/backends';
import { Assembly, openApp } from '../../src/composition';
import { ACCOUNT_FAILURE_LIMIT, createLoginThrottle, redisLimiter } from '../../src/auth/loginThrottle';
import { SESSION_COOKIE_NAME } from '../../src/auth/session';
import { freePort } from '../helpers/appProcess';
import { MemoryTransport } from '../helpers/testApp';

const SECRET = 'unreachable-redis-test-secret';

/** A cookie express-session accepts as its own (signed like cookie-signature does). */
function signedSessionCookie(sessionId: string): string {
  const signature = crypto.createHmac('sha256', SECRET).update(sessionId).digest('base64').replace(/=+$/, '');
  return `${SESSION_COOKIE_NAME}=${encodeURIComponent(`s:${sessionId}.${signature}`)}`;
}

describe('an app whose Redis does not answer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-noredis-'));
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  let db: Database;
  let assembly: Assembly;
  let backends: Backends;
  let app: Express;

  beforeAll(async () => {
    // Nothing listens on a port just found free.
    const config = loadConfig(
      { NODE_ENV: 'test', SECRET_KEY: SECRET, DATABASE_NAME: path.join(dir, 'todobox.db'), LOG_DIR: '', REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      { readDotenv: false },
    );
    db = await createDatabase(config.database);
    await migrateUp(db.sequelize);
    assembly = await openApp(config, { logger, db });
    ({ app, backends } = assembly);
  });

  afterAll(async () => {
    await assembly.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers pages that need the session with 503 and Retry-After, as HTML or JSON', async () => {
    const cookie = signedSessionCookie('some-session-id');
    const page = await request(app).get('/').set('Cookie', cookie).set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.text).toContain('temporarily unavailable');
    const json = await request(app).get('/').set('Cookie', cookie).set('Accept', 'application/json');
    expect(json.status).toBe(503);
    expect(json.headers['retry-after']).toMatch(/^\d+$/);
    expect(json.body).toEqual({ error: { status: 503, message: expect.stringContaining('temporarily unavailable') } });
  });

  it('names Redis as the failed dependency on /readyz', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'failed' } });
  });

  it('logs the outage once and counts every failed request, logging no request as a bug', async () => {
    const counted = await backends.metrics.registry.getSingleMetricAsString('todobox_session_store_errors_total');
    expect(Number(/todobox_session_store_errors_total (\d+)/.exec(counted)?.[1])).toBeGreaterThanOrEqual(3);
    expect(logs.entries.filter((entry) => entry.event === 'dependency_down' && entry.dependency === 'redis')).toHaveLength(1);
    expect(logs.entries.filter((entry) => entry.message === 'request failed')).toEqual([]);
  });

  it('keeps limiting password guesses in memory', async () => {
    const throttle = createLoginThrottle(redisLimiter(backends.redis!, 'todobox-test:'));
    const wrong = async () => false;
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT; attempt++) {
      expect(await throttle.checkPassword({ account: 'user:1', address: '198.51.100.9' }, wrong)).toEqual({ throttled: false, matches: false });
    }
    expect(await throttle.checkPassword({ account: 'user:1', address: '198.51.100.9' }, wrong)).toMatchObject({ throttled: true });
  });
});
