import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createClient } from 'redis';
import { loadConfig, Config } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { createLogger } from '../../src/observability/logger';
import { Assembly, openApp } from '../../src/composition';
import { ACCOUNT_FAILURE_LIMIT } from '../../src/auth/loginThrottle';
import { MemoryTransport, PASSWORD } from '../helpers/testApp';
import { describeWithService, REDIS_TEST_URL, redisAvailable, uniqueRedisKeyPrefix } from '../helpers/requiredService';

/** One app process: its own Redis connection and services, on the database and Redis both share. */
type Instance = Assembly;

function sessionCookie(res: request.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((value) => value.startsWith('todobox.sid='));
  if (!cookie) throw new Error(`No session cookie (status ${res.status})`);
  return cookie.split(';')[0];
}

/** Logs in through the form of one instance and answers the session cookie. */
async function logIn(app: Express, email: string, password = PASSWORD): Promise<{ status: number; cookie?: string }> {
  const form = await request(app).get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
  const res = await request(app)
    .post('/login')
    .set('Cookie', sessionCookie(form))
    .type('form')
    .send({ _csrf: token, email, password });
  return { status: res.status, cookie: res.status === 303 ? sessionCookie(res) : undefined };
}

describeWithService(`Redis (${REDIS_TEST_URL})`, redisAvailable(), 'sessions and login throttling in Redis', () => {
  const keyPrefix = uniqueRedisKeyPrefix();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-redis-sessions-'));
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  const inspector = createClient({ url: REDIS_TEST_URL });
  inspector.on('error', () => undefined);
  let config: Config;
  let db: Database;
  let first: Instance;
  let second: Instance;

  async function startInstance(): Promise<Instance> {
    return openApp(config, { logger, db });
  }

  async function keysOf(kind: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const batch of inspector.scanIterator({ MATCH: `${keyPrefix}${kind}*`, COUNT: 100 })) keys.push(...batch);
    return keys;
  }

  beforeAll(async () => {
    config = loadConfig(
      { NODE_ENV: 'test', DATABASE_NAME: path.join(dir, 'todobox.db'), LOG_DIR: '', REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: keyPrefix },
      { readDotenv: false },
    );
    db = await createDatabase(config.database);
    await migrateUp(db.sequelize);
    await inspector.connect();
    first = await startInstance();
    second = await startInstance();
  });

  afterAll(async () => {
    const keys = await keysOf('');
    if (keys.length) await inspector.del(keys);
    await inspector.close();
    await first?.close();
    await second?.close();
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the session in Redis, not the database, and any instance accepts it', async () => {
    await first.services.users.create({ name: 'Shared Session', email: 'shared@example.com', password: PASSWORD, isAdmin: false });
    const { status, cookie } = await logIn(first.app, 'shared@example.com');
    expect(status).toBe(303);
    expect(await db.models.Session.count()).toBe(0);
    const sid = decodeURIComponent(cookie!.split('=')[1]).slice(2).split('.')[0];
    expect(await keysOf('sess:')).toContain(`${keyPrefix}sess:${sid}`);

    const onSecond = await request(second.app).get('/').set('Cookie', cookie!);
    expect(onSecond.status).toBe(200);
    expect(onSecond.text).toContain('Shared Session');
  });

  it('shares the failed-login counters between instances', async () => {
    await first.services.users.create({ name: 'Guessed', email: 'guessed@example.com', password: PASSWORD, isAdmin: false });
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT; attempt++) {
      const app = attempt % 2 === 0 ? first.app : second.app;
      expect((await logIn(app, 'guessed@example.com', 'wrong password guess')).status).toBe(401);
    }
    expect(await keysOf('login_fail_account')).toHaveLength(1);
    // The right password, on either instance, is refused now: the limit was reached across both.
    expect((await logIn(first.app, 'guessed@example.com')).status).toBe(429);
    expect((await logIn(second.app, 'guessed@example.com')).status).toBe(429);
  });

  it('ends the sessions of a blocked user on every instance', async () => {
    const admin = await first.services.users.create({ name: 'Admin', email: 'admin@example.com', password: PASSWORD, isAdmin: true });
    const user = await first.services.users.create({ name: 'Soon Blocked', email: 'blocked@example.com', password: PASSWORD, isAdmin: false });
    const { cookie } = await logIn(first.app, 'blocked@example.com');
    expect((await request(second.app).get('/').set('Cookie', cookie!)).status).toBe(200);
    await second.services.users.setBlocked(admin.id, user.id, true);
    const after = await request(second.app).get('/').set('Cookie', cookie!);
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
    expect((await request(first.app).get('/').set('Cookie', cookie!)).status).toBe(303);
  });

  it('ends the other sessions of a user who changes password', async () => {
    const user = await first.services.users.create({ name: 'Changer', email: 'changer@example.com', password: PASSWORD, isAdmin: false });
    const { cookie } = await logIn(second.app, 'changer@example.com');
    expect((await request(first.app).get('/').set('Cookie', cookie!)).status).toBe(200);
    await first.services.users.changePassword(user.id, PASSWORD, 'a brand new long password');
    const after = await request(first.app).get('/').set('Cookie', cookie!);
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });
});
