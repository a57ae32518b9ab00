import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { MARIADB_ENV, POSTGRES_ENV } from './requiredService';

export type TestEngine = 'sqlite' | 'mysql' | 'postgres';

const ENGINES: readonly TestEngine[] = ['sqlite', 'mysql', 'postgres'];

/** The engine the integration tests of this jest project run on (TEST_DATABASE, SQLite by default). */
export function testEngine(): TestEngine {
  const chosen = process.env.TEST_DATABASE || 'sqlite';
  if (!(ENGINES as readonly string[]).includes(chosen)) {
    throw new Error(`TEST_DATABASE must be one of ${ENGINES.join(', ')}, not "${chosen}"`);
  }
  return chosen as TestEngine;
}

/** How a missing engine is named in messages. */
export function engineService(engine: TestEngine): string {
  if (engine === 'mysql') return `MariaDB (${MARIADB_ENV.DB_URL}:${MARIADB_ENV.DB_PORT}, user ${MARIADB_ENV.DB_USER})`;
  if (engine === 'postgres') return `PostgreSQL (${POSTGRES_ENV.DB_URL}:${POSTGRES_ENV.DB_PORT}, user ${POSTGRES_ENV.DB_USER})`;
  return 'SQLite';
}

export interface TestDatabase {
  /** The settings that point loadConfig() at this database. */
  env: Record<string, string>;
  /** Removes the database and everything in it. */
  drop(): Promise<void>;
}

let created = 0;

/** Unique across jest workers and runs, and within the prefix the MariaDB test user may create. */
/** A database name no other run, on this machine or another sharing the server, has taken. */
export function uniqueDatabaseName(purpose?: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `todobox_test_${purpose ? `${purpose}_` : ''}${process.env.JEST_WORKER_ID ?? '0'}_${++created}_${random}`;
}

/** Runs statements on the server through the engine's standing test database. */
async function onServer(engine: 'mysql' | 'postgres', statements: string[]): Promise<void> {
  const env = engine === 'mysql' ? MARIADB_ENV : POSTGRES_ENV;
  const admin = new Sequelize(env.DB_NAME, env.DB_USER, env.DB_PW, {
    dialect: engine,
    host: env.DB_URL,
    port: Number(env.DB_PORT),
    logging: false,
    pool: { max: 1 },
  });
  try {
    await admin.authenticate();
  } catch (error) {
    await admin.close();
    const reason = error instanceof Error ? error.message : String(error);
    const ci = process.env.CI === 'true' ? ', and CI=true requires it' : '';
    throw new Error(`${engineService(engine)} is not available${ci}: ${reason}`);
  }
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.close();
  }
}

/** A new, empty database on the engine of this jest project. */
export async function createTestDatabase(engine: TestEngine = testEngine()): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-test-'));
    return {
      env: { DATABASE_DEFAULT: 'sqlite', DATABASE_NAME: path.join(dir, 'todobox.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = uniqueDatabaseName();
  if (engine === 'mysql') {
    await onServer('mysql', [`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
    return { env: { ...MARIADB_ENV, DB_NAME: name }, drop: () => onServer('mysql', [`DROP DATABASE IF EXISTS \`${name}\``]) };
  }
  await onServer('postgres', [`CREATE DATABASE "${name}"`]);
  return {
    env: { ...POSTGRES_ENV, DB_NAME: name },
    // WITH (FORCE) ends connections a test left open (e.g. one it broke on purpose).
    drop: () => onServer('postgres', [`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`]),
  };
}

interface FileDatabase {
  database: TestDatabase;
  inUse: boolean;
}

/**
 * Migrated MariaDB and PostgreSQL databases of the running test file. Creating and migrating a
 * database takes up to a second there, so a test file reuses its databases once they are emptied;
 * app/test/setup/dropTestDatabases.ts drops them when the file's tests end.
 */
const fileDatabases: FileDatabase[] = [];

export interface DatabaseLease {
  env: Record<string, string>;
  /** True when the database was used by an earlier test of the file and must be emptied before use. */
  reused: boolean;
  release(): Promise<void>;
}

/** A database for one test app: new on SQLite, otherwise one of the file's databases not in use. */
export async function leaseTestDatabase(engine: TestEngine = testEngine()): Promise<DatabaseLease> {
  if (engine === 'sqlite') {
    const database = await createTestDatabase(engine);
    return { env: database.env, reused: false, release: () => database.drop() };
  }
  let entry = fileDatabases.find((candidate) => !candidate.inUse);
  const reused = entry !== undefined;
  if (!entry) {
    entry = { database: await createTestDatabase(engine), inUse: false };
    fileDatabases.push(entry);
  }
  const leased = entry;
  leased.inUse = true;
  return {
    env: leased.database.env,
    reused,
    release: async () => {
      leased.inUse = false;
    },
  };
}

/** Drops every database the test file created through leaseTestDatabase(). */
export async function dropFileDatabases(): Promise<void> {
  const entries = fileDatabases.splice(0);
  await Promise.all(entries.map((entry) => entry.database.drop()));
}
