import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { unsign } from 'cookie-signature';
import { SESSION_COOKIE_NAME } from './session';

export const SESSION_ENDED_MESSAGE = 'Your session expired. Please log in again.';

const ended = new WeakSet<Response>();

/** The session id a request's cookie names, when its signature checks out. */
function cookieSessionId(req: Request, secret: string): string | undefined {
  const value = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE_NAME];
  if (!value?.startsWith('s:')) return undefined;
  const sid = unsign(value.slice(2), secret);
  return sid === false ? undefined : sid;
}

/**
 * Notices a request that brings the cookie of a session the store no longer holds (it expired
 * there): express-session then starts a new one, and the visitor is told why they must log in
 * again rather than shown a bare login page. Logging out ends the cookie too, so it never says so
 * after a logout. Placed after the session middleware.
 */
export function noticeEndedSessions(secret: string): RequestHandler {
  return (req, res, next) => {
    if (req.user) return next();
    const sid = cookieSessionId(req, secret);
    if (sid !== undefined && sid !== req.sessionID) {
      ended.add(res);
      res.locals.flash = [...((res.locals.flash as unknown[]) ?? []), { type: 'info', message: SESSION_ENDED_MESSAGE }];
    }
    next();
  };
}

/** Whether the request came with the cookie of a session that has ended (see noticeEndedSessions). */
export function sessionEnded(res: Response): boolean {
  return ended.has(res);
}

/**
 * A form refused for its CSRF token because its session had ended at the store: the user goes to
 * the login page, which says why (the old cookie stays), rather than to a bare 403. What they typed
 * is not kept, since nothing tells whose it was (the idle timeout, which knows, keeps it). Any other
 * refusal goes on to the CSRF error page.
 */
export function sendEndedLoginsToLogin(isCsrfRejection: (error: unknown) => boolean): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (!isCsrfRejection(error) || req.user || !sessionEnded(res)) return next(error);
    res.redirect(303, '/login');
  };
}
