import type { Database } from '../db';
import { verifyPassword } from '../auth';

/** Emails of the administrators whose password is one of `candidates` (the preflight's weak-password check). */
export async function administratorsUsingPasswords(db: Database, candidates: readonly string[]): Promise<{ administrators: number; matching: string[] }> {
  const admins = await db.models.User.findAll({ where: { isAdmin: true }, order: [['email', 'ASC']] });
  const matching: string[] = [];
  for (const admin of admins) {
    const hits = await Promise.all(candidates.map((candidate) => verifyPassword(admin.passwordHash, candidate)));
    if (hits.some(Boolean)) matching.push(admin.email);
  }
  return { administrators: admins.length, matching };
}
