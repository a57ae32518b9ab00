import type { Database } from '../db/database';

export function createTokenService(db: Database, salt: string) {
  return { db, salt };
}

export type TokenService = ReturnType<typeof createTokenService>;
