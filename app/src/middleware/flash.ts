import type { Request, RequestHandler } from 'express';

type FlashType = 'success' | 'error' | 'info';

/** Queues a one-time message for the next page this session renders. */
export function flash(req: Request, type: FlashType, message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}

/** Moves queued messages into the page being rendered. */
export function flashMessages(): RequestHandler {
  return (req, res, next) => {
    const messages = req.session?.flash;
    if (messages?.length) {
      res.locals.flash = messages;
      delete req.session.flash;
    }
    next();
  };
}
