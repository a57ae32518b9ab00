import type { Database } from '../db/database';
import type { User } from '../db/models';
import { decoyPasswordHash, verifyPassword } from './passwords';

export type AuthenticationResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'blocked' };

export function toSessionUser(user: User): Express.User {
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin, authVersion: user.authVersion };
}

/** Sign-in rules: checking credentials and deciding whether a session still belongs to a valid user. */
export function createAuthService(db: Database) {
  const { User } = db.models;

  return {
    async authenticate(email: string, password: string): Promise<AuthenticationResult> {
      const user = await User.findOne({ where: { email: email.trim().toLowerCase() } });
      const matches = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
      if (!user || !matches) return { ok: false, reason: 'invalid' };
      if (user.isBlocked) return { ok: false, reason: 'blocked' };
      await user.update({ lastLoginAt: new Date() }, { silent: true });
      return { ok: true, user };
    },

    /** The user a session belongs to, or null once the user is gone, blocked or changed password. */
    async sessionUser(id: number, authVersion: number | undefined): Promise<Express.User | null> {
      const user = await User.findByPk(id);
      if (!user || user.isBlocked || user.authVersion !== authVersion) return null;
      return toSessionUser(user);
    },

    async hasUsers(): Promise<boolean> {
      return (await User.count()) > 0;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
