import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { createLogger } from '../../src/observability/logger';
import { Assembly, openApp } from '../../src/composition';
import { createLoginThrottle, redisLimiter } from '../../src/auth/loginThrottle';
import { REDIS_ANSWER_LIMIT_MS } from '../../src/redis/answerLimit';
import { describeWithService } from '../helpers/requiredService';
import { PrivateServer, privateRedisAvailable, startPrivateRedis } from '../helpers/privateServers';
import { csrfTokenFrom, MemoryTransport } from '../helpers/testApp';

/** How long a request may take while Redis is frozen: the answer limit and a little slack, never a hang. */
const FROZEN_ANSWER_MS = REDIS_ANSWER_LIMIT_MS + 2_000;
const PASSWORD = 'frozen redis password';

describeWithService('redis-server (private instance)', privateRedisAvailable(), 'an app whose Redis freezes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-frozen-redis-'));
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  let redis: PrivateServer;
  let db: Database;
  let assembly: Assembly;
  let app: Express;
  let agent: request.Agent;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const config = loadConfig(
      { NODE_ENV: 'test', DATABASE_NAME: path.join(dir, 'todobox.db'), LOG_DIR: '', REDIS_KEY_PREFIX: 'todobox-frozen:', ...redis.env },
      { readDotenv: false },
    );
    db = await createDatabase(config.database);
    await migrateUp(db.sequelize);
    assembly = await openApp(config, { logger, db });
    const { services } = assembly;
    app = assembly.app;
    await services.users.create({ name: 'Frozen User', email: 'frozen@example.com', password: PASSWORD, isAdmin: false });
    agent = request.agent(app);
    const token = await csrfTokenFrom(agent, '/login');
    const login = await agent.post('/login').type('form').send({ _csrf: token, email: 'frozen@example.com', password: PASSWORD });
    expect(login.status).toBe(303);
  }, 60_000);

  afterAll(async () => {
    redis?.thaw();
    await assembly?.close();
    await db?.close();
    await redis?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the logged-in page while Redis answers', async () => {
    const page = await agent.get('/').set('Accept', 'text/html');
    expect(page.status).toBe(200);
  });

  describe('while Redis is stopped with SIGSTOP', () => {
    beforeAll(() => redis.freeze());
    afterAll(() => redis.thaw());

    it('answers a page that needs the session with 503 and Retry-After within the limit', async () => {
      const started = Date.now();
      const page = await agent.get('/').set('Accept', 'text/html');
      const elapsed = Date.now() - started;
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toMatch(/^\d+$/);
      expect(page.text).toContain('temporarily unavailable');
      expect(elapsed).toBeGreaterThanOrEqual(REDIS_ANSWER_LIMIT_MS - 100);
      expect(elapsed).toBeLessThan(FROZEN_ANSWER_MS);
      expect(logs.entries.filter((entry) => entry.message === 'request failed')).toEqual([]);
    });

    it('counts password guesses in memory within the limit', async () => {
      const throttle = createLoginThrottle(redisLimiter(assembly.backends.redis!, 'todobox-frozen:', 500));
      const started = Date.now();
      const result = await throttle.checkPassword({ account: 'user:1', address: '198.51.100.7' }, async () => false);
      expect(result).toEqual({ throttled: false, matches: false });
      expect(Date.now() - started).toBeLessThan(FROZEN_ANSWER_MS);
    });
  });

  it('serves the same login again once Redis runs on', async () => {
    const page = await agent.get('/').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Frozen User');
  });
});
