import type { Request, RequestHandler } from 'express';

type FlashType = 'success' | 'error' | 'info';

/**
 * Messages a session keeps until a page shows them. A client that posts forms without following
 * the redirects (a script) would otherwise grow its session with every request.
 */
export const MAX_QUEUED_MESSAGES = 5;

/** Queues a one-time message for the next page this session renders. */
export function flash(req: Request, type: FlashType, message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { type, message }].slice(-MAX_QUEUED_MESSAGES);
}

/**
 * Moves queued messages into the page being rendered. A redirect waits until the session is
 * saved: express-session sends the headers before its save ends, and a browser that follows the
 * Location at once would otherwise load the old session and lose the message.
 */
export function flashMessages(): RequestHandler {
  return (req, res, next) => {
    const messages = req.session?.flash;
    if (messages?.length) {
      res.locals.flash = messages;
      delete req.session.flash;
    }
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      // A session holding nothing but its cookie is not stored (saveUninitialized: false); keep it so.
      const holdsData = req.session && Object.keys(req.session).some((key) => key !== 'cookie');
      if (!holdsData) return redirect(...args);
      req.session.save((error) => (error ? next(error) : redirect(...args)));
    }) as typeof res.redirect;
    next();
  };
}
