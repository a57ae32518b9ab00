import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import type { Config } from '../config';
import type { Database } from '../db';
import { flash } from '../middleware';
import { FORM_DRAFT_KEPT_MESSAGE, keepFormDraft } from './formDrafts';
import { rememberReturnTo } from './safeRedirect';
import type { RedisClient } from '../redis';
import { REDIS_ANSWER_LIMIT_MS } from '../redis';
import { TimeLimitedStore } from './timeLimitedStore';
import { DatabaseSessionStore } from './databaseSessionStore';
import { rememberLoadedSessions, wasLoaded } from './loadedSessions';

export const SESSION_COOKIE_NAME = 'todobox.sid';
export const REMEMBER_ME_DAYS = 30;
export const REMEMBER_ME_MS = REMEMBER_ME_DAYS * 24 * 60 * 60 * 1000;
/**
 * A session that is only read is written at most this often, to move its last-seen time and its
 * expiry in the store on: the idle timeout slides with this resolution, and a page view is not a
 * database write.
 */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;

/**
 * How long the store keeps a session without a cookie expiry (a login without "remember me") after
 * its last save: the idle timeout, plus the time its last-seen moves by when only read. The store
 * ends an idle session by itself then; the app ends it to the minute (idleTimeout).
 */
function idleSessionLifetimeMs(config: Config): number {
  return config.sessionTimeoutMinutes * 60 * 1000 + 2 * LAST_SEEN_RESOLUTION_MS;
}

/** Sessions kept in the application database (the default store). */
export function databaseSessionStore(db: Database, config: Config): session.Store {
  return new DatabaseSessionStore(db, { lifetimeMs: idleSessionLifetimeMs(config), cleanupIntervalMs: 15 * 60 * 1000 });
}

/** connect-redis, but a session a request read is saved only while it still exists (see rememberLoadedSessions). */
class LiveSessionsRedisStore extends RedisStore {
  constructor(private readonly options: ConstructorParameters<typeof RedisStore>[0] & { ttl: number }) {
    super(options);
  }

  async set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): Promise<void> {
    if (!wasLoaded(data)) return super.set(sid, data, callback);
    try {
      // As connect-redis: the cookie's own expiry, or the configured lifetime.
      const expires = data.cookie?.expires;
      const ttl = expires ? Math.ceil((new Date(expires).getTime() - Date.now()) / 1000) : this.options.ttl;
      if (ttl > 0) {
        await this.client.set(this.prefix + sid, this.serializer.stringify(data) as string, { expiration: { type: 'EX', value: ttl }, condition: 'XX' });
      }
      callback?.();
    } catch (error) {
      callback?.(error);
    }
  }
}

/**
 * Sessions kept in Redis (REDIS_URL), shared by every app process; Redis expires them itself. A
 * Redis that stops answering fails the request after REDIS_ANSWER_LIMIT_MS rather than holding it.
 */
export function redisSessionStore(client: RedisClient, config: Config): session.Store {
  const store = new LiveSessionsRedisStore({
    client,
    prefix: `${config.redisKeyPrefix}sess:`,
    ttl: Math.ceil(idleSessionLifetimeMs(config) / 1000),
    disableTouch: true,
  });
  return new TimeLimitedStore(store, { dependency: 'redis', ms: REDIS_ANSWER_LIMIT_MS });
}

export function sessionMiddleware(config: Config, store: session.Store): RequestHandler {
  return session({
    name: SESSION_COOKIE_NAME,
    secret: config.secretKey,
    store: rememberLoadedSessions(store),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: Boolean(config.trustProxy),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.trustProxy ? 'auto' : false,
      path: '/',
    },
  });
}

export type IdleState = 'expired' | 'remembered-too-long' | 'seen-long-ago' | 'current';

type LoginTimes = Partial<Pick<session.SessionData, 'lastSeenAt' | 'remember' | 'rememberedUntil'>>;

/**
 * Where a login stands when a request arrives: idle longer than the timeout (and not remembered),
 * remembered past its absolute lifetime, due for its last-seen time to move on, or none of these.
 */
export function idleState(session: LoginTimes, now: number, timeoutMs: number): IdleState {
  const lastSeen = session.lastSeenAt ?? now;
  if (!session.remember && now - lastSeen > timeoutMs) return 'expired';
  if (session.remember && session.rememberedUntil !== undefined && now >= session.rememberedUntil) return 'remembered-too-long';
  if (session.lastSeenAt === undefined || now - lastSeen >= LAST_SEEN_RESOLUTION_MS) return 'seen-long-ago';
  return 'current';
}

const ENDED_LOGIN_MESSAGES: Record<'expired' | 'remembered-too-long', string> = {
  expired: 'Your session expired after a period of inactivity. Please log in again.',
  'remembered-too-long': `You were remembered for ${REMEMBER_ME_DAYS} days, as long as a login is kept. Please log in again.`,
};

/** Starts the "remember me" lifetime of a login: it ends REMEMBER_ME_DAYS later, however active the user is. */
export function rememberLogin(session: session.Session & Partial<session.SessionData>, now: number): void {
  session.remember = true;
  session.rememberedUntil = now + REMEMBER_ME_MS;
  session.cookie.expires = new Date(session.rememberedUntil);
}

/**
 * Ends a login that was idle longer than SESSION_TIMEOUT_MINUTES (unless "remember me" was chosen),
 * or remembered for REMEMBER_ME_DAYS, and tells the user why, remembering where they wanted to go.
 * The last-seen time moves on once a LAST_SEEN_RESOLUTION_MS has passed, which is what writes the
 * session of a user who only reads. express-session moves a cookie's expiry on at every write; a
 * remembered login's is put back to its end each time, in the cookie and in the store alike.
 */
export function idleTimeout(config: Config): RequestHandler {
  const timeoutMs = config.sessionTimeoutMinutes * 60 * 1000;
  return (req, res, next) => {
    if (!req.session || !req.user) return next();
    const now = Date.now();
    const state = idleState(req.session, now, timeoutMs);
    if (state === 'expired' || state === 'remembered-too-long') {
      const wanted = req.method === 'GET' ? req.originalUrl : undefined;
      const userId = req.user.id;
      req.session.regenerate((error) => {
        if (error) return next(error);
        req.user = undefined;
        if (wanted) rememberReturnTo(req.session, wanted);
        const kept = keepFormDraft(req, userId);
        flash(req, 'info', kept ? `${ENDED_LOGIN_MESSAGES[state]} ${FORM_DRAFT_KEPT_MESSAGE}` : ENDED_LOGIN_MESSAGES[state]);
        res.redirect(303, '/login');
      });
      return;
    }
    if (req.session.remember) {
      // A login remembered before logins had an end gets one now.
      if (req.session.rememberedUntil === undefined) rememberLogin(req.session, now);
      else req.session.cookie.expires = new Date(req.session.rememberedUntil);
    }
    if (state === 'seen-long-ago') req.session.lastSeenAt = now;
    next();
  };
}

/**
 * Gives the logged-in session a new id and keeps what it holds: after a password change, a copy of
 * the old session cookie (the one an attacker may hold) no longer names a live session.
 */
export function renewSessionId(req: Request, authVersion: number): Promise<void> {
  const user = req.user;
  if (!user) return Promise.reject(new Error('renewSessionId needs a logged-in user'));
  return new Promise((resolve, reject) => {
    req.login({ ...user, authVersion }, { session: true, keepSessionInfo: true }, (error) => {
      if (error) return reject(error);
      req.session.authVersion = authVersion;
      resolve();
    });
  });
}

/**
 * A redirect that follows a change to the session waits until the session is saved: express-session
 * sends the headers before its save ends, and a browser that follows the Location at once (to the
 * page a login leads to, say) would otherwise load the session as it was. A redirect after a form
 * that left the session as it was (most of them: messages travel in a cookie) writes nothing.
 */
export function saveSessionBeforeRedirect(): RequestHandler {
  return (req, res, next) => {
    const arrived = { session: req.session, json: JSON.stringify(req.session) };
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      // A session holding nothing but its cookie is not stored (saveUninitialized: false); keep it so.
      const holdsData = req.session && Object.keys(req.session).some((key) => key !== 'cookie');
      const changed = req.session !== arrived.session || JSON.stringify(req.session) !== arrived.json;
      if (!holdsData || !changed) return redirect(...args);
      req.session.save((error) => (error ? next(error) : redirect(...args)));
    }) as typeof res.redirect;
    next();
  };
}
