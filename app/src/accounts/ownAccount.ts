import { UniqueConstraintError } from 'sequelize';
import type { Database, User } from '../db';
import { changeUser, type UserVersions } from '../cache';
import { accountThrottleKey, hashPassword, LoginThrottle, tooManyPasswordAttempts, verifyPassword } from '../auth';
import { NotFoundError, ValidationError } from '../errors';
import type { AdministratorRules } from './administrators';
import { emailTaken } from './enrolment';
import { validOwnPassword, validPasswordChange, validProfile } from './schemas';
import { summary, UserSummary } from './userSummary';

/**
 * What users do to their own account. Password checks count against `throttle`; the app passes the
 * one logins use, so both share one limit.
 */
export function createOwnAccount(db: Database, throttle: LoginThrottle, versions: UserVersions, rules: AdministratorRules) {
  const { User, ApiToken } = db.models;

  async function findOrFail(id: number): Promise<User> {
    const user = await User.findByPk(id);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  /** Verifies the password of a logged-in user, counting wrong ones against the user's login limit. */
  async function ownPasswordMatches(user: User, password: string): Promise<boolean> {
    const check = await throttle.checkPassword({ account: accountThrottleKey(user.id) }, () => verifyPassword(user.passwordHash, password));
    if (check.throttled) throw tooManyPasswordAttempts(check.retryAfterSeconds);
    return check.matches;
  }

  return {
    async updateProfile(id: number, input: { name: string; email: string }): Promise<UserSummary> {
      const { name, email } = validProfile(input);
      const user = await findOrFail(id);
      if (email !== user.email) {
        const other = await User.findOne({ where: { email } });
        if (other && other.id !== id) throw emailTaken();
      }
      try {
        await changeUser(db, versions, id, (transaction) => user.update({ name, email }, { transaction }));
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
      const input = validPasswordChange({ currentPassword, newPassword });
      const user = await findOrFail(id);
      if (!(await ownPasswordMatches(user, input.currentPassword))) {
        throw new ValidationError({ currentPassword: 'The current password is not correct' });
      }
      if (input.currentPassword === input.newPassword) {
        throw new ValidationError({ newPassword: 'Choose a password different from the current one' });
      }
      const passwordHash = await hashPassword(input.newPassword);
      await changeUser(db, versions, user.id, async (transaction) => {
        await user.update({ passwordHash, authVersion: user.authVersion + 1, mustChangePassword: false }, { transaction });
        await ApiToken.destroy({ where: { userId: user.id }, transaction });
      });
      return user.authVersion;
    },

    /** Throws when the user may not delete their own account, so the page can say so before asking for a password. */
    async assertOwnAccountDeletable(id: number): Promise<void> {
      rules.assertLeavesAnAdministrator(await findOrFail(id), await rules.otherActiveAdminCount(id));
    },

    /** Deletes the user's own account after checking the password (wrong ones count against the login limit). */
    async deleteOwnAccount(id: number, password: string): Promise<void> {
      const checked = validOwnPassword(password);
      const user = await findOrFail(id);
      if (!(await ownPasswordMatches(user, checked))) {
        throw new ValidationError({ password: 'The password is not correct' });
      }
      await rules.deleteWithData(id);
    },
  };
}
