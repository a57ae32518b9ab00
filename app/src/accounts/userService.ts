import type { Database, User } from '../db';
import { databaseUserVersions, type UserVersions } from '../cache';
import { createLoginThrottle, LoginThrottle } from '../auth';
import { createAdministration } from './administration';
import { createAdministratorRules } from './administrators';
import { administratorsUsingPasswords } from './credentialAudit';
import { createEnrolment, type EnrolmentOptions } from './enrolment';
import { createOwnAccount } from './ownAccount';
import { summary, summaryById, UserSummary } from './userSummary';

/**
 * The rules for user accounts, shared by the account page, the admin pages, setup and registration
 * and the todobox command. Each part validates what it stores, whoever calls it. `versions` hears
 * of every change to a user once it has committed.
 */
export function createUserService(
  db: Database,
  throttle: LoginThrottle = createLoginThrottle(),
  versions: UserVersions = databaseUserVersions(db),
  enrolment: EnrolmentOptions = {},
) {
  const { User } = db.models;
  const rules = createAdministratorRules(db, versions);

  return {
    count: (): Promise<number> => User.count(),

    async list(): Promise<UserSummary[]> {
      return (await User.findAll({ order: [['email', 'ASC']] })).map(summary);
    },

    get: (id: number): Promise<UserSummary> => summaryById(db, id),

    findByEmail: (email: string): Promise<User | null> => User.findOne({ where: { email: email.trim().toLowerCase() } }),

    administratorsUsingPasswords: (candidates: readonly string[]) => administratorsUsingPasswords(db, candidates),

    ...createEnrolment(db, rules, enrolment),
    ...createOwnAccount(db, throttle, versions, rules),
    ...createAdministration(db, rules),
  };
}

export type UserService = ReturnType<typeof createUserService>;
