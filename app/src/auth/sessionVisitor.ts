import type { Request } from 'express';
import type session from 'express-session';
import { parse as parseCookies } from 'cookie';
import { unsign } from 'cookie-signature';
import { LRUCache } from 'lru-cache';
import type { Visitor } from '../cache';
import type { AuthService } from './service';
import { idleState, SESSION_COOKIE_NAME } from './session';
import { carriesFlash } from '../middleware';

interface SessionFields extends Partial<session.SessionData> {
  passport?: { user?: number };
  csrfToken?: string;
}

export interface VisitorOptions {
  store: session.Store;
  secret: string;
  sessionTimeoutMinutes: number;
  auth: Pick<AuthService, 'sessionUser'>;
}

/** Cookies whose signature checked out, by their whole value: a value that verified once always will. */
const VERIFIED_COOKIES = 10_000;

/** A store that can show a session it keeps in memory without copying it (CachedSessionStore). */
interface Peekable {
  peek(sid: string): Readonly<session.SessionData> | null | undefined;
}

function load(store: session.Store, sid: string): Promise<SessionFields | null | undefined> | SessionFields | null {
  const kept = typeof (store as Partial<Peekable>).peek === 'function' ? (store as unknown as Peekable).peek(sid) : undefined;
  if (kept !== undefined) return kept as SessionFields | null;
  return new Promise((resolve, reject) => store.get(sid, (error, data) => (error ? reject(error) : resolve(data as SessionFields | null))));
}

/**
 * The logged-in user behind a request, found as express-session and passport would find them (the
 * signed cookie, the session in the store, the user and their version), for a request that only
 * reads: undefined whenever the middleware would do more than read (no valid login, a message
 * or a form draft waiting to be shown, no CSRF token yet, a last-seen time due to move on, an idle timeout).
 */
export function sessionVisitors(options: VisitorOptions): (req: Request) => Promise<Visitor | undefined> {
  const timeoutMs = options.sessionTimeoutMinutes * 60 * 1000;
  const verified = new LRUCache<string, string>({ max: VERIFIED_COOKIES });

  function sessionId(req: Request): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const raw = parseCookies(header)[SESSION_COOKIE_NAME];
    if (!raw?.startsWith('s:')) return undefined;
    const known = verified.get(raw);
    if (known) return known;
    const sid = unsign(raw.slice(2), options.secret);
    if (sid === false) return undefined;
    verified.set(raw, sid);
    return sid;
  }

  return async (req) => {
    if (carriesFlash(req)) return undefined;
    const sid = sessionId(req);
    if (!sid) return undefined;
    const data = await load(options.store, sid);
    const userId = data?.passport?.user;
    if (!data || typeof userId !== 'number' || !data.csrfToken || data.formDraft) return undefined;
    if (idleState(data, Date.now(), timeoutMs) !== 'current') return undefined;
    const user = await options.auth.sessionUser(userId, data.authVersion);
    return user ? { user, csrfToken: data.csrfToken } : undefined;
  };
}
