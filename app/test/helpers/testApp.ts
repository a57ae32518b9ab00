import Transport from 'winston-transport';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig, Config } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { createLogger, Logger } from '../../src/observability/logger';
import { createServices, Services } from '../../src/services';
import { createApp } from '../../src/app';
import { leaseTestDatabase } from './testDatabase';

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

export interface TestApp {
  app: Express;
  config: Config;
  db: Database;
  services: Services;
  logger: Logger;
  logs: MemoryTransport;
  close(): Promise<void>;
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

/**
 * The app on an empty, migrated database of its own, on the engine TEST_DATABASE names (SQLite by
 * default). SQLite gets a new file each time; on MariaDB and PostgreSQL a database the test file
 * used before is emptied and reused.
 */
export async function createTestApp(env: Record<string, string> = {}, dbOverride?: Database): Promise<TestApp> {
  const lease = await leaseTestDatabase();
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_DIR: '', LOG_LEVEL: 'debug', ...lease.env, ...env },
    { readDotenv: false },
  );
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  const db = dbOverride ?? (await createDatabase(config.database));
  await migrateUp(db.sequelize);
  if (lease.reused) await emptyTables(db);
  const services = createServices(db, config);
  const app = createApp({ config, db, logger, services });
  return {
    app,
    config,
    db,
    services,
    logger,
    logs,
    async close() {
      try {
        await db.close();
      } finally {
        await lease.release();
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
