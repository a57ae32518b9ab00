import { DatabaseError, Transaction, UniqueConstraintError } from 'sequelize';
import type { Database } from '../db';
import { hashPassword } from '../auth';
import { AppError, ValidationError } from '../errors';
import type { AdministratorRules } from './administrators';
import { NewUser, validNewUser } from './schemas';
import { summary, UserSummary } from './userSummary';
import { setupTokenValid } from './setupToken';

export function alreadySetUp(): AppError {
  return new AppError('conflict', 'TodoBox is already set up. Log in instead.');
}

export function emailTaken(): ValidationError {
  return new ValidationError({ email: 'An account with this email already exists' });
}

/** MySQL's deadlock and PostgreSQL's serialization failure: a concurrent transaction wrote what this one read. */
const WRITE_CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', '40001', '40P01']);

function isWriteConflict(error: unknown): boolean {
  if (error instanceof UniqueConstraintError) return true;
  return error instanceof DatabaseError && WRITE_CONFLICT_CODES.has(String((error.parent as { code?: unknown }).code));
}

const SETUP_TOKEN_REFUSED = 'This setup token is not right or has expired: run "todobox setup:token" on the server for a new one';

export interface EnrolmentOptions {
  /**
   * When set (in production), the first administrator can only be created with a token from
   * `todobox setup:token`, signed with this secret: a fresh instance never hands administration to
   * whoever finds it first.
   */
  setupTokenSecret?: string;
}

/** How accounts come to be: by an administrator, the todobox command or registration, and the first one at setup. */
export function createEnrolment(db: Database, rules: Pick<AdministratorRules, 'checkAndWrite'>, options: EnrolmentOptions = {}) {
  const { User } = db.models;

  return {
    async create(input: NewUser): Promise<UserSummary> {
      const { name, email, password, isAdmin } = validNewUser(input);
      if (await User.findOne({ where: { email } })) throw emailTaken();
      try {
        return summary(await User.create({ name, email, passwordHash: await hashPassword(password), isAdmin }));
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
    setupTokenRequired: options.setupTokenSecret !== undefined,

    async createFirstAdministrator(input: Omit<NewUser, 'isAdmin'>, setupToken?: unknown): Promise<UserSummary> {
      if (options.setupTokenSecret !== undefined && !setupTokenValid(options.setupTokenSecret, setupToken)) {
        throw new ValidationError({ setupToken: SETUP_TOKEN_REFUSED });
      }
      const { name, email, password } = validNewUser({ ...input, isAdmin: true });
      const passwordHash = await hashPassword(password);
      try {
        return await rules.checkAndWrite(
          async (transaction) => {
            const existing = await User.findAll({ attributes: ['id'], limit: 1, transaction, lock: transaction.LOCK.UPDATE });
            if (existing.length > 0) throw alreadySetUp();
            return summary(await User.create({ name, email, passwordHash, isAdmin: true }, { transaction }));
          },
          { isolationLevel: Transaction.ISOLATION_LEVELS.SERIALIZABLE },
        );
      } catch (error) {
        if (isWriteConflict(error)) throw alreadySetUp();
        throw error;
      }
    },
  };
}
