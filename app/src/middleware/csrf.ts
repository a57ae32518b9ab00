import type { ErrorRequestHandler, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError } from '../errors';
import { noteRefusal } from '../observability';

export const CSRF_REJECTION_MESSAGE =
  'This form could not be accepted because its security token is missing or out of date ' +
  '(CSRF protection). Go back, reload the page and submit it again.';

/**
 * Synchronizer-token CSRF protection: the token lives in the session and every state-changing
 * request must send it back in the `_csrf` field or the `X-CSRF-Token` header.
 */
export function csrfProtection(): {
  protect: RequestHandler;
  exposeToken: RequestHandler;
  isRejection: (error: unknown) => boolean;
  explainRejection: ErrorRequestHandler;
} {
  const { csrfSynchronisedProtection, generateToken, invalidCsrfTokenError } = csrfSync({
    getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')),
  });
  return {
    protect: csrfSynchronisedProtection,
    isRejection: (error) => error === invalidCsrfTokenError,
    // A function, which Handlebars calls where a template uses {{csrfToken}}: only a page that shows a
    // form stores a token in the session, so a request that renders none (a 404, say) writes no session.
    exposeToken: (req, res, next) => {
      res.locals.csrfToken = () => generateToken(req);
      next();
    },
    explainRejection: (error, _req, res, next) => {
      if (error !== invalidCsrfTokenError) return next(error);
      noteRefusal(res, 'csrf');
      next(new AppError('forbidden', CSRF_REJECTION_MESSAGE));
    },
  };
}
