import { type Options, QueryTypes, Sequelize, type Transaction } from 'sequelize';

/** How long an instance waits for another one's lock before it gives up. */
const LOCK_WAIT_SECONDS = 600;

/**
 * Runs `work` while holding the server-wide lock `name`, which every instance of the deployment
 * takes before the same work, so instances that start together take turns. The lock is held by a
 * connection of its own, kept for the whole run: a pooled connection could be closed while idle and
 * take the lock with it. MySQL and MariaDB: GET_LOCK (64 characters of name at most); PostgreSQL: a
 * transaction-level advisory lock, in the holder's transaction only, so `work` may run statements
 * that no transaction may hold (CREATE DATABASE); SQLite is one file, which one process at a time
 * writes anyway.
 */
export async function withServerLock<T>(sequelize: Sequelize, name: string, work: () => Promise<T>): Promise<T> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'mysql' && dialect !== 'postgres') return work();
  const { database, username, password } = sequelize.config;
  // The connection settings `sequelize` was made with (Sequelize keeps them, untyped, as `options`).
  const { options } = sequelize as Sequelize & { options: Options };
  const holder = new Sequelize(database, username, password ?? undefined, {
    ...options,
    logging: false,
    pool: { max: 1, min: 0, idle: 2_147_483_647, acquire: 60_000, evict: 2_147_483_647 },
  });
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
      if (Number(acquired?.locked) !== 1) throw new Error(`Another instance held the lock ${name} for more than ${LOCK_WAIT_SECONDS} s`);
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
