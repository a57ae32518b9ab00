import type { Config } from '../config';
import type { Database } from '../db';
import type { RedisClient } from '../redis';
import type { Siblings } from './siblings';
import { databaseUserVersions, localUserVersions, UserVersions } from './userVersions';

/** What the app may keep in memory, and how its instances keep each other's copies current. */
export interface Caching {
  versions: UserVersions;
  /** Set where sessions may be kept in memory too: every instance then hears of every change. */
  sessions?: { siblings?: Siblings };
}

/**
 * - With SQLite every instance is a process of this host: versions, users and (without Redis)
 *   sessions are kept in memory, and the processes tell each other of every change before it is
 *   answered.
 * - With MySQL or PostgreSQL instances may run on any number of hosts: every request reads its
 *   session from the store and its user, with the user's version, from the database; only pages
 *   are kept, under that version.
 */
export function chooseCaching(config: Config, db: Database, redis?: RedisClient, siblings?: Siblings): Caching {
  if (config.database.dialect !== 'sqlite') return { versions: databaseUserVersions(db) };
  return { versions: localUserVersions(db, siblings), sessions: redis ? undefined : { siblings } };
}
