import { Op, UniqueConstraintError } from 'sequelize';
import type { Database } from '../db/database';
import type { User } from '../db/models';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { HttpError, NotFoundError, ValidationError } from '../middleware/httpError';

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
  todoCount?: number;
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

/** The rules for user accounts, shared by the account page, the admin pages and the CLI. */
export function createUserService(db: Database) {
  const { User, Todo, TodoHistory, ApiToken, sequelize } = { ...db.models, sequelize: db.sequelize };

  async function findOrFail(id: number): Promise<User> {
    const user = await User.findByPk(id);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  /** Administrators other than `id` who can still log in: zero means `id` is the last one who can act. */
  async function otherActiveAdminCount(id: number): Promise<number> {
    return User.count({ where: { isAdmin: true, isBlocked: false, id: { [Op.ne]: id } } });
  }

  async function assertLeavesAnAdministrator(user: User): Promise<void> {
    if (user.isAdmin && (await otherActiveAdminCount(user.id)) === 0) {
      throw new HttpError(400, 'The last administrator cannot be deleted; make another user an administrator first');
    }
  }

  function assertNotSelf(actorId: number | null, id: number): void {
    if (actorId === id) throw new HttpError(400, 'Delete your own account from the account page');
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
      if (await User.findOne({ where: { email } })) {
        throw new ValidationError({ email: 'An account with this email already exists' });
      }
      try {
        const user = await User.create({
          name: input.name.trim(),
          email,
          passwordHash: await hashPassword(input.password),
          isAdmin: input.isAdmin ?? false,
        });
        return summary(user);
      } catch (error) {
        if (error instanceof UniqueConstraintError) {
          throw new ValidationError({ email: 'An account with this email already exists' });
        }
        throw error;
      }
    },

    async updateProfile(id: number, input: { name: string; email: string }): Promise<UserSummary> {
      const user = await findOrFail(id);
      const email = input.email.trim().toLowerCase();
      if (email !== user.email) {
        const other = await User.findOne({ where: { email } });
        if (other && other.id !== id) throw new ValidationError({ email: 'An account with this email already exists' });
      }
      try {
        await user.update({ name: input.name.trim(), email });
      } catch (error) {
        if (error instanceof UniqueConstraintError) {
          throw new ValidationError({ email: 'An account with this email already exists' });
        }
        throw error;
      }
      return summary(user);
    },

    /** Changes the password and bumps authVersion, which ends every other session of the user. */
    async changePassword(id: number, currentPassword: string, newPassword: string): Promise<number> {
      const user = await findOrFail(id);
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        throw new ValidationError({ currentPassword: 'The current password is not correct' });
      }
      if (currentPassword === newPassword) {
        throw new ValidationError({ newPassword: 'Choose a password different from the current one' });
      }
      await user.update({ passwordHash: await hashPassword(newPassword), authVersion: user.authVersion + 1 });
      return user.authVersion;
    },

    async setPassword(id: number, newPassword: string): Promise<void> {
      const user = await findOrFail(id);
      await user.update({ passwordHash: await hashPassword(newPassword), authVersion: user.authVersion + 1 });
    },

    async setAdmin(actorId: number | null, id: number, isAdmin: boolean): Promise<UserSummary> {
      if (actorId === id) throw new HttpError(400, 'You cannot change your own administrator rights');
      const user = await findOrFail(id);
      if (!isAdmin && user.isAdmin && (await otherActiveAdminCount(id)) === 0) {
        throw new HttpError(400, 'The last administrator cannot lose administrator rights');
      }
      await user.update({ isAdmin });
      return summary(user);
    },

    /** Blocking bumps authVersion, so the user's sessions end at their next request. */
    async setBlocked(actorId: number | null, id: number, isBlocked: boolean): Promise<UserSummary> {
      if (actorId === id) throw new HttpError(400, 'You cannot block your own account');
      const user = await findOrFail(id);
      if (isBlocked && user.isAdmin && (await User.count({ where: { isAdmin: true, isBlocked: false } })) <= 1) {
        throw new HttpError(400, 'The last active administrator cannot be blocked');
      }
      await user.update({ isBlocked, authVersion: isBlocked ? user.authVersion + 1 : user.authVersion });
      return summary(user);
    },

    /** The user an administrator may delete; throws when a rule forbids it, before any confirmation is asked. */
    async assertDeletable(actorId: number | null, id: number): Promise<UserSummary> {
      assertNotSelf(actorId, id);
      const user = await findOrFail(id);
      await assertLeavesAnAdministrator(user);
      return summary(user);
    },

    /** Throws when the user may not delete their own account, so the page can say so before asking for a password. */
    async assertOwnAccountDeletable(id: number): Promise<void> {
      await assertLeavesAnAdministrator(await findOrFail(id));
    },

    /** Deletes a user with all their todos, history and API tokens. */
    async delete(actorId: number | null, id: number): Promise<void> {
      assertNotSelf(actorId, id);
      await this.deleteWithData(id);
    },

    async deleteOwnAccount(id: number, password: string): Promise<void> {
      const user = await findOrFail(id);
      if (!(await verifyPassword(user.passwordHash, password))) {
        throw new ValidationError({ password: 'The password is not correct' });
      }
      await this.deleteWithData(id);
    },

    async deleteWithData(id: number): Promise<void> {
      const user = await findOrFail(id);
      await assertLeavesAnAdministrator(user);
      await sequelize.transaction(async (transaction) => {
        const todoIds = (await Todo.findAll({ where: { userId: id }, attributes: ['id'], transaction })).map((t) => t.id);
        if (todoIds.length) await TodoHistory.destroy({ where: { todoId: todoIds }, transaction });
        await Todo.destroy({ where: { userId: id }, transaction });
        await ApiToken.destroy({ where: { userId: id }, transaction });
        await user.destroy({ transaction });
      });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
