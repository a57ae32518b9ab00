import session from 'express-session';
import { QueryTypes } from 'sequelize';
import type { Database } from '../db';
import { timestampOf, timestampParameter } from '../db';
import { wasLoaded } from './loadedSessions';

type Answer<T> = (error?: unknown, value?: T) => void;

/** A row that does not parse (damaged by hand, say) is no session: its visitor logs in again. */
function parsed(data: string): session.SessionData | null {
  try {
    return JSON.parse(data) as session.SessionData;
  } catch {
    return null;
  }
}

export interface DatabaseSessionOptions {
  /** How long a session whose cookie has no expiry (a browser-session cookie) is kept after its last save. */
  lifetimeMs: number;
  /** How often sessions past their expiry are deleted. */
  cleanupIntervalMs: number;
}

/**
 * Sessions in the application database's `sessions` table, one plain statement per operation: a
 * read is one SELECT, a save one upsert, an end one DELETE, where a model-based store spends three
 * statements and two model instances on each save, on the path of every form sent. Expired
 * sessions are never answered and are deleted in the background.
 */
export class DatabaseSessionStore extends session.Store {
  private readonly upsert: string;

  constructor(
    private readonly db: Database,
    private readonly options: DatabaseSessionOptions,
  ) {
    super();
    const insert = 'INSERT INTO sessions (sid, expires, data, created, modified) VALUES (?, ?, ?, ?, ?)';
    this.upsert =
      db.sequelize.getDialect() === 'mysql'
        ? `${insert} ON DUPLICATE KEY UPDATE expires = VALUES(expires), data = VALUES(data), modified = VALUES(modified)`
        : `${insert} ON CONFLICT (sid) DO UPDATE SET expires = excluded.expires, data = excluded.data, modified = excluded.modified`;
    setInterval(() => void this.deleteExpired().catch(() => undefined), options.cleanupIntervalMs).unref();
  }

  get(sid: string, callback: Answer<session.SessionData | null>): void {
    this.db.sequelize
      .query<{ data: string; expires: unknown }>('SELECT data, expires FROM sessions WHERE sid = $1', { bind: [sid], type: QueryTypes.SELECT })
      .then(([row]) => {
        const current = row && (row.expires === null || timestampOf(row.expires).getTime() > Date.now());
        callback(null, current ? parsed(row.data) : null);
      }, callback);
  }

  set(sid: string, data: session.SessionData, callback?: Answer<void>): void {
    const now = new Date(Date.now());
    const expires = data.cookie?.expires ? new Date(data.cookie.expires) : new Date(now.getTime() + this.options.lifetimeMs);
    const stamp = (date: Date) => timestampParameter(this.db.sequelize.getDialect(), date);
    // A session a request read is only updated: one ended meanwhile (a logout) stays ended.
    const saved = wasLoaded(data)
      ? this.db.sequelize.query('UPDATE sessions SET expires = $1, data = $2, modified = $3 WHERE sid = $4', {
          bind: [stamp(expires), JSON.stringify(data), stamp(now), sid],
          type: QueryTypes.UPDATE,
        })
      : this.db.sequelize.query(this.upsert, { replacements: [sid, stamp(expires), JSON.stringify(data), stamp(now), stamp(now)], type: QueryTypes.UPSERT });
    saved.then(() => callback?.(), callback);
  }

  destroy(sid: string, callback?: Answer<void>): void {
    this.db.sequelize
      .query('DELETE FROM sessions WHERE sid = ?', { replacements: [sid], type: QueryTypes.DELETE })
      .then(() => callback?.(), callback);
  }

  /** Deletes every session past its expiry. */
  async deleteExpired(): Promise<void> {
    await this.db.sequelize.query('DELETE FROM sessions WHERE expires < ?', {
      replacements: [timestampParameter(this.db.sequelize.getDialect(), new Date())],
      type: QueryTypes.DELETE,
    });
  }
}
