import type { Database, User } from '../db';
import { NotFoundError } from '../errors';

/** An account as the pages and the todobox command show it: never its password hash. */
export interface UserSummary {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  isBlocked: boolean;
  lastLoginAt: Date | null;
  created: Date;
}

export function summary(user: User): UserSummary {
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

/** The summary of user `id`, or a NotFoundError. */
export async function summaryById(db: Database, id: number): Promise<UserSummary> {
  const user = await db.models.User.findByPk(id);
  if (!user) throw new NotFoundError('User');
  return summary(user);
}
