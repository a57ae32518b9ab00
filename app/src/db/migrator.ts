import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { MIGRATIONS } from './migrations';
import { withMigrationLock } from './migrationLock';

export interface MigrationStatus {
  executed: string[];
  pending: string[];
}

export function createMigrator(sequelize: Sequelize, log: (message: string) => void = () => {}) {
  return new Umzug<QueryInterface>({
    migrations: MIGRATIONS,
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: {
      info: (event) => log(`${String(event.event)} ${String(event.name)}`),
      warn: (event) => log(`warning: ${JSON.stringify(event)}`),
      error: (event) => log(`error: ${JSON.stringify(event)}`),
      debug: () => {},
    },
  });
}

/** Applies the pending migrations, one instance at a time however many start together (see withMigrationLock). */
export async function migrateUp(sequelize: Sequelize, log?: (message: string) => void): Promise<string[]> {
  const applied = await withMigrationLock(sequelize, () => createMigrator(sequelize, log).up());
  return applied.map((migration) => migration.name);
}

export async function migrationStatus(sequelize: Sequelize): Promise<MigrationStatus> {
  const migrator = createMigrator(sequelize);
  // One after the other: each call creates the bookkeeping table if missing, and two concurrent
  // CREATE TABLE IF NOT EXISTS race on PostgreSQL.
  const executed = await migrator.executed();
  const pending = await migrator.pending();
  return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
}
