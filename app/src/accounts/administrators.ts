import { Op, Transaction, type TransactionOptions } from 'sequelize';
import type { Database, User } from '../db';
import type { UserVersions } from '../cache';
import { AppError, NotFoundError } from '../errors';

/**
 * The rule every account change keeps: some administrator can always log in. Changes that could
 * break it run with the administrators locked, so no concurrent change takes away the one counted.
 */
export function createAdministratorRules(db: Database, versions: UserVersions) {
  const { User, Todo, TodoHistory, ApiToken } = db.models;

  /**
   * A transaction for a check followed by a write. SQLite takes its write lock at BEGIN (IMMEDIATE),
   * so a second such transaction waits for the first instead of reading what is about to change.
   */
  function checkAndWrite<T>(work: (transaction: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return db.transaction(work, { type: Transaction.TYPES.IMMEDIATE, ...options });
  }

  /**
   * Runs `change` on user `id` with the administrators who can log in and the user locked. The
   * administrators are locked first and in id order, so concurrent changes queue instead of
   * deadlocking; the user's version moves once the locks are held, and every instance hears of it
   * after the commit.
   */
  async function withLockedUser<T>(
    id: number,
    change: (user: User, otherActiveAdmins: number, transaction: Transaction) => Promise<T>,
  ): Promise<T> {
    const result = await checkAndWrite(async (transaction) => {
      const activeAdmins = await User.findAll({
        where: { isAdmin: true, isBlocked: false },
        attributes: ['id'],
        order: [['id', 'ASC']],
        transaction,
        lock: transaction.LOCK.UPDATE,
      });
      const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!user) throw new NotFoundError('User');
      await versions.bump(id, transaction);
      return change(user, activeAdmins.filter((admin) => admin.id !== id).length, transaction);
    });
    await versions.announce(id);
    return result;
  }

  /** Administrators other than `id` who can still log in: zero means `id` is the last one who can act. */
  function otherActiveAdminCount(id: number): Promise<number> {
    return User.count({ where: { isAdmin: true, isBlocked: false, id: { [Op.ne]: id } } });
  }

  function assertLeavesAnAdministrator(user: User, otherActiveAdmins: number): void {
    if (user.isAdmin && otherActiveAdmins === 0) {
      throw new AppError('refused', 'The last administrator cannot be deleted; make another user an administrator first');
    }
  }

  /** Deletes a user with all their todos, history and API tokens, unless that leaves no administrator. */
  function deleteWithData(id: number): Promise<void> {
    return withLockedUser(id, async (user, otherActiveAdmins, transaction) => {
      assertLeavesAnAdministrator(user, otherActiveAdmins);
      const todoIds = (await Todo.findAll({ where: { userId: id }, attributes: ['id'], transaction })).map((t) => t.id);
      if (todoIds.length) await TodoHistory.destroy({ where: { todoId: todoIds }, transaction });
      await Todo.destroy({ where: { userId: id }, transaction });
      await ApiToken.destroy({ where: { userId: id }, transaction });
      await user.destroy({ transaction });
    });
  }

  return { checkAndWrite, withLockedUser, otherActiveAdminCount, assertLeavesAnAdministrator, deleteWithData };
}

export type AdministratorRules = ReturnType<typeof createAdministratorRules>;
