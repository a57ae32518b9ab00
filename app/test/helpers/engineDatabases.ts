import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { mariaDbAvailable, postgresAvailable } from './requiredService';
import { createTestDatabase, engineService, TestDatabase, testEngine } from './testDatabase';

const ENGINE_NAMES = { sqlite: 'SQLite', mysql: 'MariaDB', postgres: 'PostgreSQL' } as const;

export interface Engine {
  name: string;
  /** What a missing engine is reported as. */
  service: string;
  available: boolean;
  /** An empty, migrated database of the suite's own, so suites running side by side never share tables. */
  open(): Promise<Database>;
  dispose(db: Database): Promise<void>;
}

/**
 * The engine of this jest project (TEST_DATABASE). The integration suite runs once per engine, so a
 * suite that checks behaviour on every engine covers the current one in each run.
 */
export function enginesWithOwnDatabase(): Engine[] {
  const engine = testEngine();
  const owned = new Map<Database, TestDatabase>();
  return [
    {
      name: ENGINE_NAMES[engine],
      service: engineService(engine),
      available: engine === 'mysql' ? mariaDbAvailable() : engine === 'postgres' ? postgresAvailable() : true,
      open: async () => {
        const database = await createTestDatabase(engine);
        const db = await createDatabase(loadConfig(database.env, { readDotenv: false }).database);
        owned.set(db, database);
        await migrateUp(db.sequelize);
        return db;
      },
      dispose: async (db) => {
        try {
          await db.close();
        } finally {
          await owned.get(db)?.drop();
        }
      },
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
