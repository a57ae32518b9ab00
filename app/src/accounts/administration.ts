import type { Database } from '../db';
import { AppError, NotFoundError } from '../errors';
import type { AdministratorRules } from './administrators';
import { summary, summaryById, UserSummary } from './userSummary';
import { hashPassword } from '../auth';
import { validPasswordReset } from './schemas';

/** An administrator changes their own password as every user does: with the current one, on the account page. */
export const OWN_PASSWORD_ELSEWHERE = 'Change your own password on the account page, with your current one.';

const OWN_ACCOUNT_ELSEWHERE = 'Delete your own account from the account page';

/** What an administrator does to their own account, they do on the account page: `refusal` says so. */
function assertNotSelf(actorId: number | null, id: number, refusal = OWN_ACCOUNT_ELSEWHERE): void {
  if (actorId === id) throw new AppError('refused', refusal);
}

/**
 * What administrators (and the todobox command, acting as nobody: `actorId` null) do to other
 * accounts. None of it may leave the app without an administrator who can log in.
 */
export function createAdministration(db: Database, rules: AdministratorRules) {
  const { User, ApiToken } = db.models;

  return {
    async setAdmin(actorId: number | null, id: number, isAdmin: boolean): Promise<UserSummary> {
      if (actorId === id) throw new AppError('refused', 'You cannot change your own administrator rights');
      return rules.withLockedUser(id, async (user, otherActiveAdmins, transaction) => {
        if (!isAdmin && user.isAdmin && otherActiveAdmins === 0) {
          throw new AppError('refused', 'The last administrator cannot lose administrator rights');
        }
        await user.update({ isAdmin }, { transaction });
        return summary(user);
      });
    },

    /**
     * Blocking bumps authVersion, so the user's sessions end at their next request, and revokes their
     * API tokens: unblocking gives back the account, not a script's access someone may have copied.
     */
    async setBlocked(actorId: number | null, id: number, isBlocked: boolean): Promise<UserSummary> {
      if (actorId === id) throw new AppError('refused', 'You cannot block your own account');
      return rules.withLockedUser(id, async (user, otherActiveAdmins, transaction) => {
        if (isBlocked && user.isAdmin && otherActiveAdmins === 0) {
          throw new AppError('refused', 'The last active administrator cannot be blocked');
        }
        await user.update({ isBlocked, authVersion: isBlocked ? user.authVersion + 1 : user.authVersion }, { transaction });
        if (isBlocked) await ApiToken.destroy({ where: { userId: id }, transaction });
        return summary(user);
      });
    },

    /**
     * Sets a user's password for them (an administrator, or the todobox command when the user has
     * lost theirs) and ends every session and API token of theirs. A temporary password must be
     * replaced at the user's next login.
     */
    async resetPassword(actorId: number | null, id: number, password: unknown, { temporary }: { temporary: boolean }): Promise<UserSummary> {
      assertNotSelf(actorId, id, OWN_PASSWORD_ELSEWHERE);
      const passwordHash = await hashPassword(validPasswordReset({ password }).password);
      return rules.withLockedUser(id, async (user, _otherActiveAdmins, transaction) => {
        await user.update({ passwordHash, authVersion: user.authVersion + 1, mustChangePassword: temporary }, { transaction });
        await ApiToken.destroy({ where: { userId: id }, transaction });
        return summary(user);
      });
    },

    /**
     * Ends every session of the user at its next request (one may have been taken over), leaving their
     * password and API tokens as they are.
     */
    async endSessions(id: number): Promise<UserSummary> {
      return rules.withLockedUser(id, async (user, _otherActiveAdmins, transaction) => {
        await user.update({ authVersion: user.authVersion + 1 }, { transaction });
        return summary(user);
      });
    },

    /**
     * Ends the session of every user (after a copy of the sessions table or of a backup got out). Each
     * user's version moves with it, so an instance that keeps users in memory reads them again.
     */
    async endAllSessions(): Promise<number> {
      return rules.checkAndWrite(async (transaction) => {
        await db.sequelize.query('UPDATE users SET auth_version = auth_version + 1, data_version = data_version + 1', { transaction });
        return User.count({ transaction });
      });
    },

    /** The user whose password `actorId` may set for them; throws for the actor's own account. */
    async passwordResetTarget(actorId: number | null, id: number): Promise<UserSummary> {
      assertNotSelf(actorId, id, OWN_PASSWORD_ELSEWHERE);
      return summaryById(db, id);
    },

    /** The user an administrator may delete; throws when a rule forbids it, before any confirmation is asked. */
    async assertDeletable(actorId: number | null, id: number): Promise<UserSummary> {
      assertNotSelf(actorId, id);
      const user = await User.findByPk(id);
      if (!user) throw new NotFoundError('User');
      rules.assertLeavesAnAdministrator(user, await rules.otherActiveAdminCount(id));
      return summary(user);
    },

    /** Deletes a user with all their todos, history and API tokens. */
    async delete(actorId: number | null, id: number): Promise<void> {
      assertNotSelf(actorId, id);
      await rules.deleteWithData(id);
    },
  };
}
