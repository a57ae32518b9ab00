import { type Options, QueryTypes, Sequelize, type Transaction } from 'sequelize';

/** How long an instance waits for another one's migrations before it gives up. */
const LOCK_WAIT_SECONDS = 600;

/** The lock's name: MySQL's named locks are server-wide, so it names the database too (64 characters at most). */
function lockName(database: string): string {
  return `todobox-migrations:${database}`.slice(0, 64);
}

/**
 * Runs `work` (the migrations) while holding a lock that every instance of the deployment takes
 * before migrating, so instances that start together never run a migration twice. The lock is held
 * by a connection of its own, kept for the whole run: a pooled connection could be closed while
 * idle and take the lock with it. MySQL and MariaDB: GET_LOCK; PostgreSQL: a transaction-level
 * advisory lock; SQLite is one file, which one process at a time writes anyway.
 */
export async function withMigrationLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'mysql' && dialect !== 'postgres') return work();
  const { database, username, password } = sequelize.config;
  // The connection settings the app's own instance was made with (Sequelize keeps them, untyped, as `options`).
  const { options } = sequelize as Sequelize & { options: Options };
  const holder = new Sequelize(database, username, password ?? undefined, {
    ...options,
    logging: false,
    pool: { max: 1, min: 0, idle: 2_147_483_647, acquire: 60_000, evict: 2_147_483_647 },
  });
  const name = lockName(database);
  try {
    return await holder.transaction(async (transaction: Transaction) => {
      if (dialect === 'postgres') {
        await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', { bind: [name], transaction, type: QueryTypes.SELECT });
        return work();
      }
      const [acquired] = await holder.query<{ locked: number | null }>('SELECT GET_LOCK(?, ?) AS locked', {
        replacements: [name, LOCK_WAIT_SECONDS],
        transaction,
        type: QueryTypes.SELECT,
      });
      if (Number(acquired?.locked) !== 1) throw new Error(`Another instance held the migration lock for more than ${LOCK_WAIT_SECONDS} s`);
      try {
        return await work();
      } finally {
        await holder.query('SELECT RELEASE_LOCK(?)', { replacements: [name], transaction, type: QueryTypes.SELECT });
      }
    });
  } finally {
    await holder.close();
  }
}
