import { DatabaseError, Op, Transaction, UniqueConstraintError, type TransactionOptions } from 'sequelize';
import type { Database, User } from '../db';
import { changeUser, databaseUserVersions, type UserVersions } from '../cache';
import { accountThrottleKey, createLoginThrottle, hashPassword, LoginThrottle, tooManyPasswordAttempts, verifyPassword } from '../auth';
import { AppError, NotFoundError, ValidationError } from '../errors';

export interface NewUser {
  name: string;
  email: string;
  password: string;
  isAdmin?: boolean;
}

export interface UserSummary {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  isBlocked: boolean;
  lastLoginAt: Date | null;
  created: Date;
}

function summary(user: User): UserSummary {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    isBlocked: user.isBlocked,
    lastLoginAt: user.lastLoginAt ?? null,
    created: user.created,
  };
}

export function alreadySetUp(): AppError {
  return new AppError('conflict', 'TodoBox is already set up. Log in instead.');
}

function emailTaken(): ValidationError {
  return new ValidationError({ email: 'An account with this email already exists' });
}

/** MySQL's deadlock and PostgreSQL's serialization failure: a concurrent transaction wrote what this one read. */
const WRITE_CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', '40001', '40P01']);

function isWriteConflict(error: unknown): boolean {
  if (error instanceof UniqueConstraintError) return true;
  return error instanceof DatabaseError && WRITE_CONFLICT_CODES.has(String((error.parent as { code?: unknown }).code));
}

/**
 * The rules for user accounts, shared by the account page, the admin pages and the CLI. Password
 * checks count against `throttle`; the app passes the one logins use, so both share one limit.
 * `versions` hears of every change to a user once it has committed.
 */
export function createUserService(
  db: Database,
  throttle: LoginThrottle = createLoginThrottle(),
  versions: UserVersions = databaseUserVersions(db),
) {
  const { User, Todo, TodoHistory, ApiToken } = db.models;

  async function findOrFail(id: number): Promise<User> {
    const user = await User.findByPk(id);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  /**
   * A transaction for a check followed by a write. SQLite takes its write lock at BEGIN (IMMEDIATE),
   * so a second such transaction waits for the first instead of reading what is about to change.
   */
  function checkAndWrite<T>(work: (transaction: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return db.transaction(work, { type: Transaction.TYPES.IMMEDIATE, ...options });
  }


  /**
   * Runs `change` on user `id` with the administrators who can log in and the user locked, so no
   * concurrent change can take away the administrator the rules counted. The administrators are
   * locked first and in id order, so concurrent changes queue instead of deadlocking; the user's
   * version moves once the locks are held, and every instance hears of it after the commit.
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
  async function otherActiveAdminCount(id: number): Promise<number> {
    return User.count({ where: { isAdmin: true, isBlocked: false, id: { [Op.ne]: id } } });
  }

  function assertLeavesAnAdministrator(user: User, otherActiveAdmins: number): void {
    if (user.isAdmin && otherActiveAdmins === 0) {
      throw new AppError('refused', 'The last administrator cannot be deleted; make another user an administrator first');
    }
  }

  function assertNotSelf(actorId: number | null, id: number): void {
    if (actorId === id) throw new AppError('refused', 'Delete your own account from the account page');
  }

  /** Verifies the password of a logged-in user, counting wrong ones against the user's login limit. */
  async function ownPasswordMatches(user: User, password: string): Promise<boolean> {
    const check = await throttle.checkPassword({ account: accountThrottleKey(user.id) }, () =>
      verifyPassword(user.passwordHash, password),
    );
    if (check.throttled) throw tooManyPasswordAttempts(check.retryAfterSeconds);
    return check.matches;
  }

  /** A new password ends every other session (authVersion) and revokes every API token of the user. */
  async function replacePassword(user: User, newPassword: string): Promise<number> {
    const passwordHash = await hashPassword(newPassword);
    await changeUser(db, versions, user.id, async (transaction) => {
      await user.update({ passwordHash, authVersion: user.authVersion + 1 }, { transaction });
      await ApiToken.destroy({ where: { userId: user.id }, transaction });
    });
    return user.authVersion;
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

  return {
    summary,

    async count(): Promise<number> {
      return User.count();
    },

    async list(): Promise<UserSummary[]> {
      const users = await User.findAll({ order: [['email', 'ASC']] });
      return users.map(summary);
    },

    async get(id: number): Promise<UserSummary> {
      return summary(await findOrFail(id));
    },

    async findByEmail(email: string): Promise<User | null> {
      return User.findOne({ where: { email: email.trim().toLowerCase() } });
    },

    async create(input: NewUser): Promise<UserSummary> {
      const email = input.email.trim().toLowerCase();
      if (await User.findOne({ where: { email } })) throw emailTaken();
      try {
        const user = await User.create({
          name: input.name.trim(),
          email,
          passwordHash: await hashPassword(input.password),
          isAdmin: input.isAdmin ?? false,
        });
        return summary(user);
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw emailTaken();
        throw error;
      }
    },

    /**
     * Creates the administrator of a fresh installation, refusing with 409 once any account exists.
     * The count and the insert share one serializable transaction; when two setups race, the
     * database fails one of them (deadlock, serialization failure or duplicate email), and that
     * one is told the other won.
     */
    async createFirstAdministrator(input: Omit<NewUser, 'isAdmin'>): Promise<UserSummary> {
      const passwordHash = await hashPassword(input.password);
      try {
        return await checkAndWrite(
          async (transaction) => {
            const existing = await User.findAll({ attributes: ['id'], limit: 1, transaction, lock: transaction.LOCK.UPDATE });
            if (existing.length > 0) throw alreadySetUp();
            const user = await User.create(
              { name: input.name.trim(), email: input.email.trim().toLowerCase(), passwordHash, isAdmin: true },
              { transaction },
            );
            return summary(user);
          },
          { isolationLevel: Transaction.ISOLATION_LEVELS.SERIALIZABLE },
        );
      } catch (error) {
        if (isWriteConflict(error)) throw alreadySetUp();
        throw error;
      }
    },

    async updateProfile(id: number, input: { name: string; email: string }): Promise<UserSummary> {
      const user = await findOrFail(id);
      const email = input.email.trim().toLowerCase();
      if (email !== user.email) {
        const other = await User.findOne({ where: { email } });
        if (other && other.id !== id) throw emailTaken();
      }
      try {
        await changeUser(db, versions, id, (transaction) => user.update({ name: input.name.trim(), email }, { transaction }));
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw emailTaken();
        throw error;
      }
      return summary(user);
    },

    /**
     * Changes the password after checking the current one (wrong ones count against the login
     * limit). The new authVersion ends every other session, and the user's API tokens are revoked.
     */
    async changePassword(id: number, currentPassword: string, newPassword: string): Promise<number> {
      const user = await findOrFail(id);
      if (!(await ownPasswordMatches(user, currentPassword))) {
        throw new ValidationError({ currentPassword: 'The current password is not correct' });
      }
      if (currentPassword === newPassword) {
        throw new ValidationError({ newPassword: 'Choose a password different from the current one' });
      }
      return replacePassword(user, newPassword);
    },

    /** Emails of the administrators whose password is one of `candidates` (the preflight's weak-password check). */
    async administratorsUsingPasswords(candidates: readonly string[]): Promise<{ administrators: number; matching: string[] }> {
      const admins = await User.findAll({ where: { isAdmin: true }, order: [['email', 'ASC']] });
      const matching: string[] = [];
      for (const admin of admins) {
        const hits = await Promise.all(candidates.map((candidate) => verifyPassword(admin.passwordHash, candidate)));
        if (hits.some(Boolean)) matching.push(admin.email);
      }
      return { administrators: admins.length, matching };
    },

    async setAdmin(actorId: number | null, id: number, isAdmin: boolean): Promise<UserSummary> {
      if (actorId === id) throw new AppError('refused', 'You cannot change your own administrator rights');
      return withLockedUser(id, async (user, otherActiveAdmins, transaction) => {
        if (!isAdmin && user.isAdmin && otherActiveAdmins === 0) {
          throw new AppError('refused', 'The last administrator cannot lose administrator rights');
        }
        await user.update({ isAdmin }, { transaction });
        return summary(user);
      });
    },

    /** Blocking bumps authVersion, so the user's sessions end at their next request. */
    async setBlocked(actorId: number | null, id: number, isBlocked: boolean): Promise<UserSummary> {
      if (actorId === id) throw new AppError('refused', 'You cannot block your own account');
      return withLockedUser(id, async (user, otherActiveAdmins, transaction) => {
        if (isBlocked && user.isAdmin && otherActiveAdmins === 0) {
          throw new AppError('refused', 'The last active administrator cannot be blocked');
        }
        await user.update({ isBlocked, authVersion: isBlocked ? user.authVersion + 1 : user.authVersion }, { transaction });
        return summary(user);
      });
    },

    /** The user an administrator may delete; throws when a rule forbids it, before any confirmation is asked. */
    async assertDeletable(actorId: number | null, id: number): Promise<UserSummary> {
      assertNotSelf(actorId, id);
      const user = await findOrFail(id);
      assertLeavesAnAdministrator(user, await otherActiveAdminCount(id));
      return summary(user);
    },

    /** Throws when the user may not delete their own account, so the page can say so before asking for a password. */
    async assertOwnAccountDeletable(id: number): Promise<void> {
      assertLeavesAnAdministrator(await findOrFail(id), await otherActiveAdminCount(id));
    },

    /** Deletes a user with all their todos, history and API tokens. */
    async delete(actorId: number | null, id: number): Promise<void> {
      assertNotSelf(actorId, id);
      await deleteWithData(id);
    },

    /** Deletes the user's own account after checking the password (wrong ones count against the login limit). */
    async deleteOwnAccount(id: number, password: string): Promise<void> {
      const user = await findOrFail(id);
      if (!(await ownPasswordMatches(user, password))) {
        throw new ValidationError({ password: 'The password is not correct' });
      }
      await deleteWithData(id);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
