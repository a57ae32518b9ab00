import type { Database, User } from '../db';
import { accountThrottleKey, LoginThrottle, unknownLoginThrottleKey } from './loginThrottle';
import { decoyPasswordHash, verifyPassword } from './passwords';
import { uncachedUserRecords, type UserRecord, type UserRecords } from './userRecords';

export type AuthenticationResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'blocked' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export function toSessionUser(user: User | UserRecord, version?: string): Express.User {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    authVersion: user.authVersion,
    version,
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
}

/** Sign-in rules: checking credentials and deciding whether a session still belongs to a valid user. */
export function createAuthService(db: Database, throttle: LoginThrottle, users: UserRecords = uncachedUserRecords(db)) {
  const { User } = db.models;

  return {
    /** Checks a login from `address`, counting it against the account's and the address's limits. */
    async authenticate(email: string, password: string, address: string): Promise<AuthenticationResult> {
      const user = await User.findOne({ where: { email: email.trim().toLowerCase() } });
      // Keyed on the account found, every spelling the database's collation matches to it shares one count.
      const attempt = { account: user ? accountThrottleKey(user.id) : unknownLoginThrottleKey(email), address };
      const hash = user?.passwordHash ?? (await decoyPasswordHash());
      // The decoy hash is verified too, so the time taken does not tell whether the account exists.
      const check = await throttle.checkPassword(attempt, async () => (await verifyPassword(hash, password)) && user !== null);
      if (check.throttled) return { ok: false, reason: 'throttled', retryAfterSeconds: check.retryAfterSeconds };
      if (!user || !check.matches) return { ok: false, reason: 'invalid' };
      if (user.isBlocked) return { ok: false, reason: 'blocked' };
      await user.update({ lastLoginAt: new Date() }, { silent: true });
      return { ok: true, user };
    },

    /** The user a session belongs to, or null once the user is gone, blocked or changed password. */
    async sessionUser(id: number, authVersion: number | undefined): Promise<Express.User | null> {
      const { user, version } = await users.find(id);
      if (!user || user.isBlocked || user.authVersion !== authVersion) return null;
      return toSessionUser(user, version);
    },

    async hasUsers(): Promise<boolean> {
      return (await User.count()) > 0;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
