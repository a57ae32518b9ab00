import session from 'express-session';
import { LRUCache } from 'lru-cache';
import type { Siblings } from '../cache/siblings';

type Answer<T> = (error?: unknown, value?: T) => void;

interface CachedSession {
  /** As the store keeps it: every read parses its own copy, which the request may change freely. */
  json: string;
  /** When the cookie expires (ms), or null for a browser-session cookie. */
  expiresAt: number | null;
}

export interface SessionCacheOptions {
  maxSessions: number;
  ttlMs: number;
  siblings?: Siblings;
}

function expiryOf(data: session.SessionData): number | null {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : null;
}

/**
 * The sessions of a store kept in memory, for an app whose instances are the processes of one host:
 * every change goes through some instance, which updates its own copy and has the others drop theirs
 * before it answers. Touching is left out: the session is saved once a minute while in use (see
 * idleTimeout), which moves its expiry on too.
 */
export class CachedSessionStore extends session.Store {
  private readonly sessions: LRUCache<string, CachedSession>;
  /**
   * Reads from the store under way. A change that lands while one is under way cancels its entry,
   * so the read (which may have found the older session) answers its request but is not kept.
   */
  private readonly loading = new Map<string, symbol>();

  constructor(
    private readonly store: session.Store,
    private readonly options: SessionCacheOptions,
  ) {
    super();
    this.sessions = new LRUCache({ max: options.maxSessions, ttl: options.ttlMs });
    options.siblings?.onChange((change) => {
      if (change.kind === 'session') this.forget(change.sid);
    });
  }

  get(sid: string, callback: Answer<session.SessionData | null>): void {
    const cached = this.sessions.get(sid);
    if (cached) {
      if (cached.expiresAt !== null && cached.expiresAt <= Date.now()) {
        this.sessions.delete(sid);
        callback(null, null);
        return;
      }
      callback(null, JSON.parse(cached.json) as session.SessionData);
      return;
    }
    const load = Symbol(sid);
    this.loading.set(sid, load);
    this.store.get(sid, (error, data) => {
      if (this.loading.get(sid) === load) {
        this.loading.delete(sid);
        if (!error && data) this.sessions.set(sid, { json: JSON.stringify(data), expiresAt: expiryOf(data) });
      }
      callback(error, data);
    });
  }

  set(sid: string, data: session.SessionData, callback?: Answer<void>): void {
    this.forget(sid);
    this.store.set(sid, data, (error) => {
      // A read that began while this write was under way may have found the older session.
      this.loading.delete(sid);
      if (!error) this.sessions.set(sid, { json: JSON.stringify(data), expiresAt: expiryOf(data) });
      this.changed(sid, error, callback);
    });
  }

  destroy(sid: string, callback?: Answer<void>): void {
    this.forget(sid);
    this.store.destroy(sid, (error) => {
      this.forget(sid);
      this.changed(sid, error, callback);
    });
  }

  touch(_sid: string, _data: session.SessionData, callback?: Answer<void>): void {
    callback?.();
  }

  private forget(sid: string): void {
    this.sessions.delete(sid);
    this.loading.delete(sid);
  }

  /** Answers once the other processes have dropped their copy, so no later request can meet the old one. */
  private changed(sid: string, error: unknown, callback?: Answer<void>): void {
    const told = this.options.siblings ? this.options.siblings.tell({ kind: 'session', sid }) : Promise.resolve();
    void told.then(() => callback?.(error));
  }
}
