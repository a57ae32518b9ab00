import Transport from 'winston-transport';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig, Config } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { createLogger, Logger } from '../../src/observability/logger';
import type { Services } from '../../src/services';
import { Assembly, openApp } from '../../src/composition';
import type { RedisClient } from '../../src/redis/redisClient';
import { leaseTestDatabase } from './testDatabase';
import { REDIS_TEST_URL, uniqueRedisKeyPrefix } from './requiredService';

/** Keeps every log entry in memory so tests can assert what was (and was not) logged. */
export class MemoryTransport extends Transport {
  entries: Array<Record<string, unknown>> = [];
  log(info: Record<string, unknown>, next: () => void): void {
    this.entries.push(info);
    next();
  }
  text(): string {
    return this.entries.map((entry) => JSON.stringify(entry)).join('\n');
  }
}

export type TestSessionStore = 'database' | 'redis';

/** Where the sessions of this jest project's apps live (TEST_SESSION_STORE, the database by default). */
export function testSessionStore(): TestSessionStore {
  const chosen = process.env.TEST_SESSION_STORE || 'database';
  if (chosen !== 'database' && chosen !== 'redis') {
    throw new Error(`TEST_SESSION_STORE must be database or redis, not "${chosen}"`);
  }
  return chosen;
}

export interface TestApp {
  app: Express;
  config: Config;
  db: Database;
  services: Services;
  logger: Logger;
  logs: MemoryTransport;
  sessionStore: TestSessionStore;
  /** How many sessions the store in use holds. */
  sessionCount(): Promise<number>;
  /** The stored data of every session, as the store in use keeps it. */
  sessionData(): Promise<string[]>;
  /** When the store in use drops each session it holds (epoch milliseconds, on Date.now()'s clock), by session id. */
  sessionExpiries(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** Every key matching the pattern, found with SCAN so a shared Redis is never blocked. */
async function redisKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 100 })) keys.push(...batch);
  return keys;
}

/** The app as a worker builds it; fails naming Redis when the app was to use it and it does not answer. */
async function openTestApp(config: Config, db: Database, logger: Logger, withRedis: boolean): Promise<Assembly> {
  const assembly = await openApp(config, { logger, db, withoutRedis: !withRedis });
  if (withRedis && !assembly.backends.redis?.isReady) {
    await assembly.close();
    const ci = process.env.CI === 'true' ? ', and CI=true requires it' : '';
    throw new Error(`Redis (${REDIS_TEST_URL}) is not available${ci}`);
  }
  return assembly;
}

/** Removes every row, and restarts the ids, so a reused database looks new to the next test. */
async function emptyTables(db: Database): Promise<void> {
  const tables = Object.values(db.models).map((model) => model.getTableName() as string);
  if (db.sequelize.getDialect() === 'postgres') {
    await db.sequelize.query(`TRUNCATE ${tables.map((table) => `"${table}"`).join(', ')} RESTART IDENTITY CASCADE`);
    return;
  }
  // One connection for all statements: the foreign key switch belongs to the connection.
  await db.sequelize.transaction(async (transaction) => {
    await db.sequelize.query('SET FOREIGN_KEY_CHECKS = 0', { transaction });
    for (const table of tables) await db.sequelize.query(`TRUNCATE TABLE \`${table}\``, { transaction });
    await db.sequelize.query('SET FOREIGN_KEY_CHECKS = 1', { transaction });
  });
}

/** Deletes this app's Redis keys, and only those (the Redis is shared). */
async function deleteRedisKeys(redis: RedisClient, keyPrefix: string): Promise<void> {
  const keys = await redisKeys(redis, `${keyPrefix}*`);
  if (keys.length) await redis.del(keys);
}

/**
 * The app on an empty, migrated database of its own, on the engine TEST_DATABASE names (SQLite by
 * default). SQLite gets a new file each time; on MariaDB and PostgreSQL a database the test file
 * used before is emptied and reused. With TEST_SESSION_STORE=redis the app keeps its sessions and
 * login-throttling counters in Redis under a key prefix of its own, as in production.
 */
export async function createTestApp(env: Record<string, string> = {}, dbOverride?: Database): Promise<TestApp> {
  const sessionStore = testSessionStore();
  const lease = await leaseTestDatabase();
  const redisEnv: Record<string, string> =
    sessionStore === 'redis' ? { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: uniqueRedisKeyPrefix() } : {};
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_DIR: '', LOG_LEVEL: 'debug', ...lease.env, ...redisEnv, ...env },
    { readDotenv: false },
  );
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  const db = dbOverride ?? (await createDatabase(config.database));
  let assembly: Assembly;
  try {
    await migrateUp(db.sequelize);
    if (lease.reused) await emptyTables(db);
    assembly = await openTestApp(config, db, logger, sessionStore === 'redis');
  } catch (error) {
    await db.close();
    await lease.release();
    throw error;
  }
  const { app, services } = assembly;
  const { redis } = assembly.backends;
  const sessionKeys = `${config.redisKeyPrefix}sess:*`;

  async function sessionData(): Promise<string[]> {
    if (redis) {
      const keys = await redisKeys(redis, sessionKeys);
      return keys.length ? (await redis.mGet(keys)).map(String) : [];
    }
    const rows = await db.models.Session.findAll();
    return rows.map((row) => String(row.get('data')));
  }

  async function sessionExpiries(): Promise<Map<string, number>> {
    const expiries = new Map<string, number>();
    if (redis) {
      const prefix = sessionKeys.slice(0, -1);
      for (const key of await redisKeys(redis, sessionKeys)) expiries.set(key.slice(prefix.length), Date.now() + (await redis.pTTL(key)));
      return expiries;
    }
    for (const row of await db.models.Session.findAll()) {
      expiries.set(String(row.get('sid')), new Date(row.get('expires') as string | Date).getTime());
    }
    return expiries;
  }

  return {
    app,
    config,
    db,
    services,
    logger,
    logs,
    sessionStore,
    sessionExpiries,
    async sessionCount() {
      if (redis) return (await redisKeys(redis, sessionKeys)).length;
      return db.models.Session.count();
    },
    sessionData,
    async close() {
      try {
        try {
          if (redis) await deleteRedisKeys(redis, config.redisKeyPrefix);
        } finally {
          await assembly.close();
        }
      } finally {
        try {
          await db.close();
        } finally {
          await lease.release();
        }
      }
    },
  };
}

export const PASSWORD = 'correct horse battery';

export async function createUser(
  t: TestApp,
  overrides: { email?: string; name?: string; password?: string; isAdmin?: boolean } = {},
) {
  return t.services.users.create({
    name: overrides.name ?? 'Test User',
    email: overrides.email ?? `user${Math.random().toString(36).slice(2, 8)}@example.com`,
    password: overrides.password ?? PASSWORD,
    isAdmin: overrides.isAdmin ?? false,
  });
}

/** The CSRF token of the form on a page the agent fetches. */
export async function csrfTokenFrom(agent: request.Agent, pagePath: string): Promise<string> {
  const res = await agent.get(pagePath);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`No CSRF token on ${pagePath} (status ${res.status})`);
  return match[1];
}

/** An agent logged in as the given user, through the real login form. */
export async function loginAgent(t: TestApp, email: string, password = PASSWORD, remember = false): Promise<request.Agent> {
  const agent = request.agent(t.app);
  const token = await csrfTokenFrom(agent, '/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: token, email, password, ...(remember ? { remember: 'on' } : {}) });
  if (res.status !== 303) throw new Error(`Login failed for ${email}: ${res.status}`);
  return agent;
}

/** POSTs a form with the CSRF token taken from `formPage`. */
export async function postForm(agent: request.Agent, formPage: string, action: string, fields: Record<string, string>) {
  const token = await csrfTokenFrom(agent, formPage);
  return agent.post(action).type('form').send({ _csrf: token, ...fields });
}
