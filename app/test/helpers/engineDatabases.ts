import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { MARIADB_ENV, mariaDbAvailable, POSTGRES_ENV, postgresAvailable } from './requiredService';

export interface Engine {
  name: string;
  /** What a missing engine is reported as. */
  service: string;
  available: boolean;
  /** An empty, migrated database. */
  open(): Promise<Database>;
  dispose(db: Database): Promise<void>;
}

async function emptyAndMigrated(db: Database): Promise<Database> {
  await db.sequelize.getQueryInterface().dropAllTables();
  await migrateUp(db.sequelize);
  return db;
}

/**
 * SQLite, MariaDB and PostgreSQL, each with a database of the suite's own (`database`, which must
 * start with `todobox_test_`, the prefix the test user may create on MariaDB), so suites running
 * side by side never share tables.
 */
export function enginesWithOwnDatabase(database: string): Engine[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-engine-'));
  return [
    {
      name: 'SQLite',
      service: 'SQLite',
      available: true,
      open: async () =>
        emptyAndMigrated(await createDatabase(loadConfig({ DATABASE_NAME: path.join(dir, `${database}.db`) }, { readDotenv: false }).database)),
      dispose: async (db) => {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'MariaDB',
      service: `MariaDB (${MARIADB_ENV.DB_URL}:${MARIADB_ENV.DB_PORT}, user ${MARIADB_ENV.DB_USER})`,
      available: mariaDbAvailable(),
      open: async () => {
        const base = await createDatabase(loadConfig(MARIADB_ENV, { readDotenv: false }).database);
        await base.sequelize.query(
          `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
        );
        await base.close();
        return emptyAndMigrated(await createDatabase(loadConfig({ ...MARIADB_ENV, DB_NAME: database }, { readDotenv: false }).database));
      },
      dispose: (db) => db.close(),
    },
    {
      name: 'PostgreSQL',
      service: `PostgreSQL (${POSTGRES_ENV.DB_URL}:${POSTGRES_ENV.DB_PORT}, user ${POSTGRES_ENV.DB_USER})`,
      available: postgresAvailable(),
      open: async () => {
        const base = await createDatabase(loadConfig(POSTGRES_ENV, { readDotenv: false }).database);
        const [rows] = await base.sequelize.query('SELECT 1 FROM pg_database WHERE datname = ?', { replacements: [database] });
        if (rows.length === 0) await base.sequelize.query(`CREATE DATABASE "${database}"`);
        await base.close();
        return emptyAndMigrated(await createDatabase(loadConfig({ ...POSTGRES_ENV, DB_NAME: database }, { readDotenv: false }).database));
      },
      dispose: (db) => db.close(),
    },
  ];
}

/** Removes every row the account rules look at, so each test starts from no users. */
export async function removeAllUsers(db: Database): Promise<void> {
  const { TodoHistory, Todo, ApiToken, User } = db.models;
  await TodoHistory.destroy({ where: {} });
  await Todo.destroy({ where: {} });
  await ApiToken.destroy({ where: {} });
  await User.destroy({ where: {} });
}
