import { QueryTypes } from 'sequelize';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db';
import { databaseUserVersions, type UserVersions } from '../cache';
import { booleanOf } from '../db';

/** What a request needs to know of its user: who they are and whether they may still act. */
export interface UserRecord {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  isBlocked: boolean;
  authVersion: number;
  /** The users table's version (cache/userVersions.ts), moved on with every change to the user or their todos. */
  dataVersion: number;
  mustChangePassword: boolean;
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  is_admin: number | boolean;
  is_blocked: number | boolean;
  auth_version: number;
  data_version: number;
  must_change_password: number | boolean;
}

export interface UserRecordOptions {
  versions: UserVersions;
  maxUsers: number;
  /**
   * How long a record is kept even while its version stands: changes made outside the app (the
   * todobox command on a host without Redis) are seen within this time.
   */
  ttlMs: number;
}

export interface FoundUser {
  user: UserRecord | null;
  /** The user's version when the record was read: what pages are kept under. */
  version?: string;
}

/**
 * Users by id for every request: one plain query (no model instance) that also reads the user's
 * version, or, where this process keeps the versions itself, a copy kept in memory under the
 * version, which every change to the user replaces.
 */
export function createUserRecords(db: Database, options: UserRecordOptions) {
  const kept = new LRUCache<number, { version: string; user: UserRecord }>({ max: options.maxUsers, ttl: options.ttlMs });

  async function read(id: number): Promise<FoundUser> {
    const rows = await db.sequelize.query<UserRow>(
      'SELECT id, email, name, is_admin, is_blocked, auth_version, data_version, must_change_password FROM users WHERE id = $1',
      { bind: [id], type: QueryTypes.SELECT },
    );
    const row = rows[0];
    if (!row) return { user: null };
    const user = {
      id: Number(row.id),
      email: row.email,
      name: row.name,
      isAdmin: booleanOf(row.is_admin),
      isBlocked: booleanOf(row.is_blocked),
      authVersion: Number(row.auth_version),
      dataVersion: Number(row.data_version),
      mustChangePassword: booleanOf(row.must_change_password),
    };
    return { user, version: `db${user.dataVersion}` };
  }

  const { current } = options.versions;
  return {
    async find(id: number): Promise<FoundUser> {
      if (!current) return read(id);
      // Read before the record: a change committed after this read leaves the record under an old version.
      const local = current(id);
      const entry = kept.get(id);
      // The table's version in it too: a change made outside the app shows once the copy is read again.
      if (entry?.version === local) return { user: entry.user, version: `${local}.${entry.user.dataVersion}` };
      const { user } = await read(id);
      if (user) kept.set(id, { version: local, user });
      return { user, version: user ? `${local}.${user.dataVersion}` : undefined };
    },
  };
}

export type UserRecords = ReturnType<typeof createUserRecords>;

/** Users read from the database on every request, their version with them. */
export function uncachedUserRecords(db: Database): UserRecords {
  return createUserRecords(db, { versions: databaseUserVersions(db), maxUsers: 1, ttlMs: 1 });
}
