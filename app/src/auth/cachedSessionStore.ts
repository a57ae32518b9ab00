import session from 'express-session';
import { LRUCache } from 'lru-cache';
import type { Siblings } from '../cache';

type Answer<T> = (error?: unknown, value?: T) => void;

interface CachedSession {
  /** As the store keeps it: every read parses its own copy, which the request may change freely. */
  json: string;
  /** One parsed copy, frozen, for readers that only look (see peek). */
  frozen: Readonly<session.SessionData>;
  /** When the cookie expires (ms), or null for a browser-session cookie. */
  expiresAt: number | null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

function cached(data: session.SessionData): CachedSession {
  const json = JSON.stringify(data);
  return { json, frozen: deepFreeze(JSON.parse(json) as session.SessionData), expiresAt: expiryOf(data) };
}

export interface SessionCacheOptions {
  /** Memory for the kept sessions (each is kept as text and parsed, about three times its text). */
  maxBytes: number;
  ttlMs: number;
  siblings?: Siblings;
}

/** How many ended sessions are remembered (for as long as a session is kept). */
const ENDED_SESSIONS_KEPT = 100_000;

/** Only sessions of a login are kept: a visitor's first session (a login form's token) is read once. */
function worthKeeping(data: session.SessionData): boolean {
  return typeof (data as { passport?: { user?: unknown } }).passport?.user === 'number';
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
  /** Sessions ended lately, here or in another process: a late save of one is not kept. */
  private readonly ended: LRUCache<string, true>;

  constructor(
    private readonly store: session.Store,
    private readonly options: SessionCacheOptions,
  ) {
    super();
    this.sessions = new LRUCache({ maxSize: options.maxBytes, sizeCalculation: (kept, sid) => 3 * kept.json.length + sid.length, ttl: options.ttlMs });
    this.ended = new LRUCache({ max: ENDED_SESSIONS_KEPT, ttl: options.ttlMs });
    options.siblings?.onChange((change) => {
      if (change.kind !== 'session') return;
      this.forget(change.sid);
      if (change.ended) this.ended.set(change.sid, true);
    });
  }

  /**
   * The session as kept in memory, read-only, without a copy: null when it has expired, undefined
   * when it is not in memory (read it with get()).
   */
  peek(sid: string): Readonly<session.SessionData> | null | undefined {
    const kept = this.sessions.get(sid);
    if (!kept) return undefined;
    if (kept.expiresAt !== null && kept.expiresAt <= Date.now()) {
      this.sessions.delete(sid);
      return null;
    }
    return kept.frozen;
  }

  get(sid: string, callback: Answer<session.SessionData | null>): void {
    const kept = this.peek(sid);
    if (kept === null) {
      callback(null, null);
      return;
    }
    if (kept) {
      callback(null, JSON.parse(this.sessions.get(sid)!.json) as session.SessionData);
      return;
    }
    const load = Symbol(sid);
    this.loading.set(sid, load);
    this.store.get(sid, (error, data) => {
      if (this.loading.get(sid) === load) {
        this.loading.delete(sid);
        if (!error && data && worthKeeping(data)) this.sessions.set(sid, cached(data));
      }
      callback(error, data);
    });
  }

  set(sid: string, data: session.SessionData, callback?: Answer<void>): void {
    this.forget(sid);
    this.store.set(sid, data, (error) => {
      // A read that began while this write was under way may have found the older session.
      this.loading.delete(sid);
      if (!error && worthKeeping(data) && !this.ended.has(sid)) this.sessions.set(sid, cached(data));
      this.changed(sid, error, callback);
    });
  }

  destroy(sid: string, callback?: Answer<void>): void {
    this.forget(sid);
    this.ended.set(sid, true);
    this.store.destroy(sid, (error) => {
      this.forget(sid);
      this.changed(sid, error, callback, true);
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
  private changed(sid: string, error: unknown, callback?: Answer<void>, ended = false): void {
    const told = this.options.siblings ? this.options.siblings.tell({ kind: 'session', sid, ended }) : Promise.resolve();
    void told.then(() => callback?.(error));
  }
}
