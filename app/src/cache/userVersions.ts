import { QueryTypes, type Transaction, type TransactionOptions } from 'sequelize';
import type { Database } from '../db';
import type { Siblings } from './siblings';

/**
 * A version of everything a user's pages show: their todos, their name and rights, whether they
 * may log in. It changes with any of them, so a user or page kept under a version is current
 * exactly while the version is. Every change goes through changeUser() below.
 */
export interface UserVersions {
  /** Inside the transaction that changes the user or their todos. */
  bump(userId: number, transaction: Transaction): Promise<void>;
  /** Once that transaction has committed: resolves when every instance will see the new version. */
  announce(userId: number): Promise<void>;
  /**
   * The current version, where this process keeps versions itself. Where it does not, the version is
   * the user's `data_version` column, read with the user on every request.
   */
  current?(userId: number): string;
}

/**
 * Versions in this process's memory, for an app whose every instance is a process of this host
 * (SQLite): the other processes, if any, hear of each change before it is answered. The users
 * table's version moves on too, for the todobox command, whose changes the app reads with the user
 * once the copy it keeps has aged (see createUserRecords).
 */
export function localUserVersions(db: Database, siblings?: Siblings): UserVersions {
  const versions = new Map<number, number>();
  const next = (userId: number) => versions.set(userId, (versions.get(userId) ?? 0) + 1);
  siblings?.onChange((change) => {
    if (change.kind === 'user') next(change.userId);
  });
  return {
    bump: databaseUserVersions(db).bump,
    async announce(userId) {
      next(userId);
      await siblings?.tell({ kind: 'user', userId });
    },
    current: (userId) => String(versions.get(userId) ?? 0),
  };
}

/**
 * Versions in the users table, moved on in the very transaction of each change: instances on any
 * number of hosts read it with the user, so none can keep a page past a change, and a change that
 * rolls back moves nothing.
 */
export function databaseUserVersions(db: Database): UserVersions {
  return {
    async bump(userId, transaction) {
      await db.sequelize.query('UPDATE users SET data_version = data_version + 1 WHERE id = ?', {
        replacements: [userId],
        type: QueryTypes.UPDATE,
        transaction,
      });
    },
    announce: async () => undefined,
  };
}

/**
 * Runs `work`, a change to `userId` or their todos, in one transaction with the user's new version.
 * The version moves first: that takes the user's row lock before `work` inserts rows that refer to
 * the user (which on MySQL takes a shared lock on it), so two concurrent changes of one user queue
 * instead of deadlocking.
 */
export async function changeUser<T>(
  db: Database,
  versions: UserVersions,
  userId: number,
  work: (transaction: Transaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  const result = await db.transaction(async (transaction) => {
    await versions.bump(userId, transaction);
    return work(transaction);
  }, options);
  await versions.announce(userId);
  return result;
}
